package io.albtrace.instrumentation.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.tree.analysis.SimpleVerifier;

/**
 * Superclasses and interfaces as the class files say, read through a class loader's resources without loading a
 * class: what ASM's {@link SimpleVerifier} needs to check a woven method's types (it would otherwise load every
 * class it meets, and the woven classes' libraries into the test's JVM with them).
 */
public final class ClassHierarchy {

    private static final String OBJECT = "java/lang/Object";

    private final ClassLoader loader;
    private final Map<String, Header> headers = new HashMap<>();
    /** Classes referred to but not found: the analysis treats them as direct subclasses of Object. */
    private final List<String> missing = new ArrayList<>();

    public ClassHierarchy(ClassLoader loader) {
        this.loader = loader;
    }

    /** What one class file says of its place in the hierarchy. */
    private static final class Header {
        final boolean isInterface;
        final String superName;
        final List<String> interfaces;

        Header(boolean isInterface, String superName, List<String> interfaces) {
            this.isInterface = isInterface;
            this.superName = superName;
            this.interfaces = interfaces;
        }
    }

    private Header header(String internalName) {
        return headers.computeIfAbsent(internalName, name -> {
            try (InputStream in = loader.getResourceAsStream(name + ".class")) {
                if (in == null) {
                    missing.add(name);
                    return new Header(false, OBJECT, List.of());
                }
                ClassReader reader = new ClassReader(in.readAllBytes());
                return new Header((reader.getAccess() & Opcodes.ACC_INTERFACE) != 0, reader.getSuperName(),
                        Arrays.asList(reader.getInterfaces()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The classes that were referred to but had no class file. */
    public List<String> missing() {
        return missing;
    }

    boolean isInterface(String internalName) {
        return header(internalName).isInterface;
    }

    /** The superclass, null for Object (and for an interface, Object, as the class file says). */
    String superName(String internalName) {
        return OBJECT.equals(internalName) ? null : header(internalName).superName;
    }

    /** Whether {@code sub} is {@code type} or extends or implements it, directly or not. */
    boolean isSubclass(String sub, String type) {
        if (sub.equals(type) || OBJECT.equals(type)) {
            return true;
        }
        if (OBJECT.equals(sub)) {
            return false;
        }
        Header header = header(sub);
        for (String implemented : header.interfaces) {
            if (isSubclass(implemented, type)) {
                return true;
            }
        }
        return header.superName != null && isSubclass(header.superName, type);
    }

    /** A class writer that computes frames, the common superclass of two types taken from this hierarchy. */
    public ClassWriter frameComputingWriter() {
        return new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected String getCommonSuperClass(String type, String other) {
                if (isSubclass(other, type)) {
                    return type;
                }
                if (isSubclass(type, other)) {
                    return other;
                }
                if (isInterface(type) || isInterface(other)) {
                    return OBJECT;
                }
                String common = superName(type);
                while (common != null && !isSubclass(other, common)) {
                    common = superName(common);
                }
                return common == null ? OBJECT : common;
            }
        };
    }

    /** A {@link SimpleVerifier} for methods of {@code owner} that asks this hierarchy, never a class loader. */
    public SimpleVerifier verifier(String owner) {
        return new Verifier(this, owner);
    }

    /** The JVM's own rules where they differ from Java's: any reference is assignable to an interface type. */
    private static final class Verifier extends SimpleVerifier {
        private final ClassHierarchy hierarchy;

        Verifier(ClassHierarchy hierarchy, String owner) {
            super(Opcodes.ASM9, Type.getObjectType(owner), superType(hierarchy, owner),
                    interfaces(hierarchy, owner), hierarchy.isInterface(owner));
            this.hierarchy = hierarchy;
        }

        private static Type superType(ClassHierarchy hierarchy, String owner) {
            String superName = hierarchy.superName(owner);
            return superName == null ? null : Type.getObjectType(superName);
        }

        private static List<Type> interfaces(ClassHierarchy hierarchy, String owner) {
            List<Type> types = new ArrayList<>();
            for (String name : hierarchy.header(owner).interfaces) {
                types.add(Type.getObjectType(name));
            }
            return types;
        }

        @Override
        protected boolean isInterface(Type type) {
            return type.getSort() == Type.OBJECT && hierarchy.isInterface(type.getInternalName());
        }

        @Override
        protected Type getSuperClass(Type type) {
            if (type.getSort() == Type.ARRAY) {
                return Type.getObjectType(OBJECT);
            }
            String superName = hierarchy.superName(type.getInternalName());
            return superName == null ? null : Type.getObjectType(superName);
        }

        @Override
        protected boolean isAssignableFrom(Type type, Type other) {
            if (type.equals(other)) {
                return true;
            }
            if (type.getSort() == Type.ARRAY) {
                if (other.getSort() != Type.ARRAY || other.getDimensions() < type.getDimensions()) {
                    return false;
                }
                Type element = type.getElementType();
                Type otherElement = other.getDimensions() == type.getDimensions() ? other.getElementType()
                        : Type.getType(other.getDescriptor().substring(type.getDimensions()));
                if (element.getSort() != Type.OBJECT || otherElement.getSort() < Type.ARRAY) {
                    return element.equals(otherElement);
                }
                return isAssignableFrom(element, otherElement);
            }
            if (type.getSort() != Type.OBJECT || other.getSort() < Type.ARRAY) {
                return false;
            }
            if (other.getSort() == Type.ARRAY) {
                String name = type.getInternalName();
                return OBJECT.equals(name) || "java/lang/Cloneable".equals(name) || "java/io/Serializable".equals(name);
            }
            return hierarchy.isSubclass(other.getInternalName(), type.getInternalName());
        }

        /** As SimpleVerifier's, with its interface test asked of this hierarchy rather than of a loaded class. */
        @Override
        protected boolean isSubTypeOf(BasicValue value, BasicValue expected) {
            Type expectedType = expected.getType();
            Type type = value.getType();
            if (expectedType == null || expectedType.getSort() != Type.OBJECT && expectedType.getSort() != Type.ARRAY) {
                return super.isSubTypeOf(value, expected);
            }
            if (type == null || type.getSort() != Type.OBJECT && type.getSort() != Type.ARRAY) {
                return false;
            }
            if ("null".equals(type.getInternalName())) {
                return true;
            }
            // the JVM's verifier takes any reference where an interface is due
            return isAssignableFrom(expectedType, type) || isInterface(expectedType);
        }

        @Override
        protected Class<?> getClass(Type type) {
            throw new AssertionError("the analysis loads no class: " + type);
        }
    }
}
