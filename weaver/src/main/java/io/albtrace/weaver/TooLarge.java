package io.albtrace.weaver;

import net.bytebuddy.jar.asm.ClassTooLargeException;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodTooLargeException;

/**
 * A weave whose class file the JVM would refuse: a method over the class file's limits (65,535 bytes of code, of
 * local variable slots, of operand stack slots) or a constant pool over 65,535 entries, once the advice is added.
 * The class is then left as it is, with one warning ({@link Installer#weave}): Byte Buddy's {@code Advice} adds as
 * much code, so it is no fallback here, and a class with some of a module's methods woven and others not could
 * leave a context open that the other methods would close.
 */
final class TooLarge extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** The most a class file allows of a method's code bytes, local variable slots and stack slots (u2 counts). */
    static final int CLASS_FILE_LIMIT = 65_535;

    /** {@code what} names the class or method and says what is over which limit. */
    TooLarge(String what) {
        super(what, null, false, false);
    }

    /**
     * The method {@code method} (name and descriptor) of {@code owner} (an internal or binary name), woven, would need
     * {@code needed} of {@code what}.
     */
    static TooLarge method(String owner, String method, int needed, String what) {
        return new TooLarge(owner.replace('/', '.') + "." + method + " would need " + needed + " " + what
                + " once instrumented, more than the " + CLASS_FILE_LIMIT + " a method may have");
    }

    /**
     * The class file {@code writer} holds, or, where ASM finds it over a limit, a {@link TooLarge} that says which.
     */
    static byte[] classFile(ClassWriter writer, String binaryName) {
        try {
            return writer.toByteArray();
        } catch (MethodTooLargeException e) {
            throw method(binaryName, e.getMethodName() + e.getDescriptor(), e.getCodeSize(), "bytes of code");
        } catch (ClassTooLargeException e) {
            throw new TooLarge(binaryName + " would need " + e.getConstantPoolCount()
                    + " constant pool entries once instrumented, more than the " + CLASS_FILE_LIMIT
                    + " a class may have");
        }
    }
}
