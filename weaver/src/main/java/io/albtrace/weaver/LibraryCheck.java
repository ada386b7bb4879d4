package io.albtrace.weaver;

import io.albtrace.weaver.References.Reference;
import io.albtrace.weaver.References.Use;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Checks {@link References} against the classes one class loader has, as class files read as resources: nothing is
 * loaded or initialised. A class is found when its class file is; a method or field when the class, one of its
 * superclasses or one of the interfaces of either declares it with that name and descriptor (a method that moved up
 * to a superclass is found); and it must be what the advice's code uses it as (static or not, in an interface or a
 * class), else the JVM would refuse the call with an {@code IncompatibleClassChangeError}. Each class file is read
 * once per check (the JDK's {@code java.*} once per JVM: no class loader can define those).
 *
 * <p>Not thread-safe: one check at a time per instance ({@link VersionCheck} makes one per class loader and module).
 */
final class LibraryCheck {

    /** The JDK's own classes, the same for every class loader. */
    private static final Map<String, Shape> JDK = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Shape ABSENT = new Shape(null, null, new String[0], false);

    private final ClassLoader loader;
    private final Map<String, Shape> read = new HashMap<>();
    /** Class files read (for the debug message's cost). */
    int classFilesRead;

    /** Checks against {@code loader}'s class files (null: the bootstrap class loader's). */
    LibraryCheck(ClassLoader loader) {
        this.loader = loader;
    }

    /**
     * Why {@code reference} does not link in this class loader (what is missing, as a message says it), or null when
     * it does. {@code wovenClass}: the internal name of the class the advice is woven into, which
     * {@link References#WOVEN_CLASS} stands for.
     */
    String missing(Reference reference, String wovenClass) {
        String owner = reference.owner.equals(References.WOVEN_CLASS) ? wovenClass : reference.owner;
        Shape shape = shape(owner);
        if (shape == null) {
            return "class " + owner.replace('/', '.');
        }
        if (reference.use == Use.CLASS) {
            return null;
        }
        if (reference.ownerIsInterface != null && reference.ownerIsInterface != shape.isInterface) {
            return owner.replace('/', '.') + " as " + (reference.ownerIsInterface ? "an interface" : "a class")
                    + " (it is " + (shape.isInterface ? "an interface" : "a class") + ") for "
                    + reference.describe(wovenClass);
        }
        boolean field = reference.use == Use.INSTANCE_FIELD || reference.use == Use.STATIC_FIELD;
        Integer access = field ? findField(owner, reference.name, reference.descriptor, 0)
                : findMethod(owner, reference.name + reference.descriptor, 0);
        if (access == null) {
            return reference.describe(wovenClass);
        }
        boolean isStatic = (access & Opcodes.ACC_STATIC) != 0;
        boolean wantsStatic = reference.use == Use.STATIC_FIELD || reference.use == Use.STATIC_METHOD;
        if (reference.use != Use.SPECIAL_METHOD && isStatic != wantsStatic) {
            return reference.describe(wovenClass) + " (it is " + (isStatic ? "static" : "not static") + ")";
        }
        return null;
    }

    /** The access flags of the method ({@code name + descriptor}) the class or a supertype declares, or null. */
    private Integer findMethod(String owner, String method, int depth) {
        Shape shape = shape(owner);
        if (shape == null || depth > 64) {
            return null;
        }
        Integer access = shape.methods.get(method);
        if (access != null) {
            return access;
        }
        if (shape.superName != null) {
            access = findMethod(shape.superName, method, depth + 1);
            if (access != null) {
                return access;
            }
        }
        for (String type : shape.interfaces) {
            access = findMethod(type, method, depth + 1);
            if (access != null) {
                return access;
            }
        }
        if (shape.isInterface && !"java/lang/Object".equals(owner)) {
            return findMethod("java/lang/Object", method, depth + 1); // an interface's methods include Object's
        }
        return null;
    }

    /** The access flags of the field the class or a supertype declares (any type when null), or null. */
    private Integer findField(String owner, String name, String descriptor, int depth) {
        Shape shape = shape(owner);
        if (shape == null || depth > 64) {
            return null;
        }
        Object[] field = shape.fields.get(name);
        if (field != null && (descriptor == null || descriptor.equals(field[1]))) {
            return (Integer) field[0];
        }
        for (String type : shape.interfaces) {
            Integer access = findField(type, name, descriptor, depth + 1);
            if (access != null) {
                return access;
            }
        }
        return shape.superName == null ? null : findField(shape.superName, name, descriptor, depth + 1);
    }

    /** Whether this class loader has the class file of {@code internalName}. */
    boolean has(String internalName) {
        return shape(internalName) != null;
    }

    /**
     * The methods the class declares, {@code <clinit>} left out, each as its access flags, name and descriptor; null
     * when the class loader has no such class.
     */
    List<Object[]> methods(String internalName) {
        Shape shape = shape(internalName);
        if (shape == null) {
            return null;
        }
        List<Object[]> methods = new ArrayList<>(shape.methods.size());
        for (Map.Entry<String, Integer> e : shape.methods.entrySet()) {
            int paren = e.getKey().indexOf('(');
            methods.add(new Object[] {e.getValue(), e.getKey().substring(0, paren), e.getKey().substring(paren)});
        }
        return methods;
    }

    /** Uses {@code bytes} as the class file of {@code internalName} (the class being woven: it is not read again). */
    void given(String internalName, byte[] bytes) {
        read.put(internalName, Shape.of(bytes));
    }

    private Shape shape(String internalName) {
        boolean jdk = internalName.startsWith("java/");
        Shape shape = jdk ? JDK.get(internalName) : read.get(internalName);
        if (shape == null) {
            byte[] bytes = classFile(jdk ? null : loader, internalName);
            classFilesRead++;
            shape = bytes == null ? ABSENT : Shape.of(bytes);
            (jdk ? JDK : read).put(internalName, shape);
        }
        return shape == ABSENT ? null : shape;
    }

    /** The class file as the class loader has it, or null. */
    static byte[] classFile(ClassLoader loader, String internalName) {
        String resource = internalName + ".class";
        try (InputStream in = loader != null ? loader.getResourceAsStream(resource)
                : ClassLoader.getPlatformClassLoader().getResourceAsStream(resource)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** What the check needs of one class file: its supertypes and its members, no code. */
    private static final class Shape {
        final String superName;
        final String[] interfaces;
        final boolean isInterface;
        /** Name and descriptor ({@code name(I)V}) to access flags. */
        final Map<String, Integer> methods = new HashMap<>();
        /** Name to {access, descriptor}. */
        final Map<String, Object[]> fields = new HashMap<>();

        Shape(String superName, String name, String[] interfaces, boolean isInterface) {
            this.superName = superName;
            this.interfaces = interfaces;
            this.isInterface = isInterface;
        }

        static Shape of(byte[] bytes) {
            ClassReader reader = new ClassReader(bytes);
            Shape shape = new Shape(reader.getSuperName(), reader.getClassName(),
                    reader.getInterfaces() == null ? new String[0] : Arrays.copyOf(reader.getInterfaces(),
                            reader.getInterfaces().length), (reader.getAccess() & Opcodes.ACC_INTERFACE) != 0);
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                        Object value) {
                    shape.fields.put(name, new Object[] {access, descriptor});
                    return null;
                }

                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                        String[] exceptions) {
                    if (!"<clinit>".equals(name)) {
                        shape.methods.put(name + descriptor, access);
                    }
                    return null;
                }
            }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            return shape;
        }
    }
}
