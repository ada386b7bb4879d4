package io.albtrace.weaver;

/**
 * What {@link AsmWeaver} cannot apply: an advice it does not understand, or a method whose code it cannot change
 * safely. The class is then woven by Byte Buddy's {@code Advice} instead ({@link ByteBuddyWeaver}).
 */
final class Unsupported extends RuntimeException {

    private static final long serialVersionUID = 1L;

    Unsupported(String message) {
        super(message, null, false, false);
    }
}
