package io.albtrace.instrumentation.api;

/**
 * Selects methods and constructors of the class being changed by what its class file says of them: access flags,
 * name and descriptor. Nothing is loaded or resolved to decide, so matching costs a few string comparisons. Made by
 * the factories of {@link Methods}, which read like Byte Buddy's {@code ElementMatchers} and mean the same.
 */
public abstract class MethodMatcher {

    /** For a matcher {@link Methods} has no factory for; it sees only what {@link #matches} is given. */
    protected MethodMatcher() {
    }

    /**
     * Whether the method matches.
     *
     * @param access     the method's access flags, as in the class file
     * @param name       its name; {@code <init>} for a constructor
     * @param descriptor its descriptor, e.g. {@code (Ljava/lang/String;I)V}
     */
    public abstract boolean matches(int access, String name, String descriptor);

    /** Matches what this and {@code other} both match. */
    public final MethodMatcher and(MethodMatcher other) {
        MethodMatcher self = this;
        return new MethodMatcher() {
            @Override
            public boolean matches(int access, String name, String descriptor) {
                return self.matches(access, name, descriptor) && other.matches(access, name, descriptor);
            }

            @Override
            public String toString() {
                return "(" + self + " and " + other + ")";
            }
        };
    }

    /** Matches what this or {@code other} matches. */
    public final MethodMatcher or(MethodMatcher other) {
        MethodMatcher self = this;
        return new MethodMatcher() {
            @Override
            public boolean matches(int access, String name, String descriptor) {
                return self.matches(access, name, descriptor) || other.matches(access, name, descriptor);
            }

            @Override
            public String toString() {
                return "(" + self + " or " + other + ")";
            }
        };
    }
}
