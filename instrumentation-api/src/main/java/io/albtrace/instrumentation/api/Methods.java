package io.albtrace.instrumentation.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The method matchers a {@link TypeInstrumentation} uses, named and meaning as Byte Buddy's {@code ElementMatchers}
 * of the same names. They work on the class file alone ({@link MethodMatcher}): types are compared by name, never
 * loaded, and no Byte Buddy class is needed to match.
 */
public final class Methods {

    private static final int ACC_STATIC = 0x0008;

    private Methods() {
    }

    /**
     * A method of this name; as the type of {@link #takesArgument(int, Named)}, a type of this binary name
     * ({@code java.util.Map}, {@code a.b.Outer$Inner}, {@code int}, {@code java.lang.String[]}).
     */
    public static Named named(String name) {
        return new Named(new HashSet<>(Arrays.asList(name)));
    }

    /** A method (or type) of any of these names. */
    public static Named namedOneOf(String... names) {
        return new Named(new HashSet<>(Arrays.asList(names)));
    }

    /** A constructor. */
    public static MethodMatcher isConstructor() {
        return named("<init>");
    }

    /** A static method. */
    public static MethodMatcher isStatic() {
        return new MethodMatcher() {
            @Override
            public boolean matches(int access, String name, String descriptor) {
                return (access & ACC_STATIC) != 0;
            }

            @Override
            public String toString() {
                return "isStatic()";
            }
        };
    }

    /** What {@code matcher} does not match. */
    public static MethodMatcher not(MethodMatcher matcher) {
        return new MethodMatcher() {
            @Override
            public boolean matches(int access, String name, String descriptor) {
                return !matcher.matches(access, name, descriptor);
            }

            @Override
            public String toString() {
                return "not(" + matcher + ")";
            }
        };
    }

    /** A method with exactly {@code count} parameters. */
    public static MethodMatcher takesArguments(int count) {
        return new MethodMatcher() {
            @Override
            public boolean matches(int access, String name, String descriptor) {
                return parameterTypes(descriptor).size() == count;
            }

            @Override
            public String toString() {
                return "takesArguments(" + count + ")";
            }
        };
    }

    /** A method whose parameters are exactly these types. */
    public static MethodMatcher takesArguments(Class<?>... types) {
        List<String> names = new ArrayList<>(types.length);
        for (Class<?> type : types) {
            names.add(type.getName());
        }
        return new MethodMatcher() {
            @Override
            public boolean matches(int access, String name, String descriptor) {
                List<String> actual = parameterTypes(descriptor);
                if (actual.size() != names.size()) {
                    return false;
                }
                for (int i = 0; i < actual.size(); i++) {
                    if (!actual.get(i).equals(binaryName(names.get(i)))) {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public String toString() {
                return "takesArguments(" + names + ")";
            }
        };
    }

    /** A method whose parameter {@code index} (from 0) is of exactly this type (its erasure). */
    public static MethodMatcher takesArgument(int index, Class<?> type) {
        return takesArgument(index, named(type.getName()));
    }

    /** A method whose parameter {@code index} (from 0) has one of {@code type}'s names. */
    public static MethodMatcher takesArgument(int index, Named type) {
        return new MethodMatcher() {
            @Override
            public boolean matches(int access, String name, String descriptor) {
                List<String> actual = parameterTypes(descriptor);
                return index < actual.size() && type.matchesType(actual.get(index));
            }

            @Override
            public String toString() {
                return "takesArgument(" + index + ", " + type + ")";
            }
        };
    }

    /** {@link Class#getName()} of an array is {@code [Ljava.lang.String;}; the matchers use {@code java.lang.String[]}. */
    private static String binaryName(String className) {
        if (!className.startsWith("[")) {
            return className;
        }
        return parameterTypes("(" + className.replace('.', '/') + ")V").get(0);
    }

    /**
     * The binary names of a method descriptor's parameter types: {@code int}, {@code java.lang.String},
     * {@code java.lang.String[][]}.
     *
     * @throws IllegalArgumentException for a malformed descriptor
     */
    static List<String> parameterTypes(String descriptor) {
        List<String> types = new ArrayList<>(4);
        int i = 1;
        int end = descriptor.indexOf(')');
        if (descriptor.isEmpty() || descriptor.charAt(0) != '(' || end < 0) {
            throw new IllegalArgumentException("not a method descriptor: " + descriptor);
        }
        while (i < end) {
            int dimensions = 0;
            while (descriptor.charAt(i) == '[') {
                dimensions++;
                i++;
            }
            String name;
            char c = descriptor.charAt(i);
            if (c == 'L') {
                int semicolon = descriptor.indexOf(';', i);
                if (semicolon < 0 || semicolon > end) {
                    throw new IllegalArgumentException("not a method descriptor: " + descriptor);
                }
                name = descriptor.substring(i + 1, semicolon).replace('/', '.');
                i = semicolon + 1;
            } else {
                name = primitive(c, descriptor);
                i++;
            }
            if (dimensions > 0) {
                StringBuilder array = new StringBuilder(name);
                for (int d = 0; d < dimensions; d++) {
                    array.append("[]");
                }
                name = array.toString();
            }
            types.add(name);
        }
        return types;
    }

    private static String primitive(char c, String descriptor) {
        switch (c) {
            case 'Z': return "boolean";
            case 'B': return "byte";
            case 'C': return "char";
            case 'S': return "short";
            case 'I': return "int";
            case 'J': return "long";
            case 'F': return "float";
            case 'D': return "double";
            default: throw new IllegalArgumentException("not a method descriptor: " + descriptor);
        }
    }

    /** Matches by name: a method's name, or, as a parameter type, a type's binary name. */
    public static final class Named extends MethodMatcher {
        private final Set<String> names;

        Named(Set<String> names) {
            this.names = names;
        }

        @Override
        public boolean matches(int access, String name, String descriptor) {
            return names.contains(name);
        }

        boolean matchesType(String binaryName) {
            return names.contains(binaryName);
        }

        @Override
        public String toString() {
            return names.size() == 1 ? "named(" + names.iterator().next() + ")" : "namedOneOf(" + names + ")";
        }
    }
}
