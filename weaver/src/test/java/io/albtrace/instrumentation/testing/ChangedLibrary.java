package io.albtrace.instrumentation.testing;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * A library the agent does not know, made from this run's: the library's classes (and a test's driver) defined again
 * in a class loader of their own from the parent's class files, changed as a later version of the library could
 * change them; everything else comes from the parent. The installed agent sees them load as it would any library.
 * Their class files as resources are the changed ones too (what the agent's check before weaving reads); resource
 * URLs are the parent's: the jar, whose manifest or pom.properties says the library's version.
 */
public final class ChangedLibrary extends ClassLoader {

    private final Predicate<String> ours;
    private final UnaryOperator<byte[]> change;

    /**
     * @param name   the class loader's name (the agent's warning says it)
     * @param parent where the library's class files are read from, and everything else is loaded from
     * @param ours   the binary names of the classes defined here
     * @param change what is done to each of their class files
     */
    public ChangedLibrary(String name, ClassLoader parent, Predicate<String> ours, UnaryOperator<byte[]> change) {
        super(name, parent);
        this.ours = ours;
        this.change = change;
    }

    /**
     * A change that renames method {@code name} with {@code descriptor} to {@code newName} where a class whose
     * internal name {@code owners} accepts declares it, and in every call of it on such a class: the library still
     * works, and has no method {@code name} any more.
     */
    public static UnaryOperator<byte[]> renaming(Predicate<String> owners, String name, String descriptor,
            String newName) {
        return bytes -> {
            ClassReader reader = new ClassReader(bytes);
            boolean declares = owners.test(reader.getClassName());
            ClassWriter writer = new ClassWriter(reader, 0);
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public MethodVisitor visitMethod(int access, String method, String desc, String signature,
                        String[] exceptions) {
                    boolean renamed = declares && method.equals(name) && desc.equals(descriptor);
                    MethodVisitor visitor = super.visitMethod(access, renamed ? newName : method, desc, signature,
                            exceptions);
                    return new MethodVisitor(Opcodes.ASM9, visitor) {
                        @Override
                        public void visitMethodInsn(int opcode, String owner, String called, String calledDesc,
                                boolean isInterface) {
                            boolean call = owners.test(owner) && called.equals(name) && calledDesc.equals(descriptor);
                            super.visitMethodInsn(opcode, owner, call ? newName : called, calledDesc, isInterface);
                        }
                    };
                }
            }, 0);
            return writer.toByteArray();
        };
    }

    @Override
    public InputStream getResourceAsStream(String name) {
        if (!name.endsWith(".class") || !ours.test(name.substring(0, name.length() - 6).replace('/', '.'))) {
            return super.getResourceAsStream(name);
        }
        byte[] bytes = changed(name);
        return bytes == null ? null : new ByteArrayInputStream(bytes);
    }

    @Override
    public URL getResource(String name) {
        return getParent().getResource(name);
    }

    private byte[] changed(String resource) {
        try (InputStream in = getParent().getResourceAsStream(resource)) {
            return in == null ? null : change.apply(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!ours.test(name)) {
            return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
            Class<?> loaded = findLoadedClass(name);
            if (loaded == null) {
                byte[] bytes = changed(name.replace('.', '/') + ".class");
                if (bytes == null) {
                    throw new ClassNotFoundException(name);
                }
                loaded = defineClass(name, bytes, 0, bytes.length);
            }
            if (resolve) {
                resolveClass(loaded);
            }
            return loaded;
        }
    }
}
