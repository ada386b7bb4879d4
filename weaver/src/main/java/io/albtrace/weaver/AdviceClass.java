package io.albtrace.weaver;

import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * An advice class as {@link AsmWeaver} reads it from its class file: its {@code @Advice.OnMethodEnter} and
 * {@code @Advice.OnMethodExit} methods and what each parameter stands for. Only the annotations and attributes the
 * agent's advice uses are understood; anything else makes the class {@link Unsupported}, and the caller falls back
 * to Byte Buddy's own {@code Advice}, which understands all of them (a module's tests fail on any class left to
 * Byte Buddy, so a new advice that needs more is noticed there). Nothing is loaded: the annotations are read as descriptors, which end the same whether Byte
 * Buddy is relocated (the agent jar) or not (module tests).
 */
final class AdviceClass {

    /** What an advice method's parameter stands for: its {@code @Advice} annotation. */
    enum Kind {
        /** {@code @Advice.Argument(index)}. */
        ARGUMENT("Argument"),
        /** {@code @Advice.This}. */
        THIS("This"),
        /** {@code @Advice.Return}: exit advice only. */
        RETURN("Return"),
        /** {@code @Advice.Enter}, the enter advice's return value: exit advice only. */
        ENTER("Enter"),
        /** {@code @Advice.Local(name)}, shared by the enter and exit advice; always writable. */
        LOCAL("Local"),
        /** {@code @Advice.FieldValue(name)}, a field the instrumented class declares. */
        FIELD_VALUE("FieldValue"),
        /** {@code @Advice.AllArguments}, an {@code Object[]} of the arguments. */
        ALL_ARGUMENTS("AllArguments"),
        /** {@code @Advice.Thrown}, what the method threw or null: exit advice only. */
        THROWN("Thrown");

        /** The annotation's simple name, {@code Advice.} omitted. */
        final String annotation;

        Kind(String annotation) {
            this.annotation = annotation;
        }

        /** The kind whose annotation this descriptor names (Byte Buddy relocated or not), or null. */
        static Kind of(String descriptor) {
            for (Kind kind : values()) {
                if (isAdvice(descriptor, kind.annotation)) {
                    return kind;
                }
            }
            return null;
        }
    }

    private static final String ADVICE = "/asm/Advice$";

    final String name;
    final byte[] bytes;
    final int version;
    final Method enter;
    final Method exit;

    private AdviceClass(String name, byte[] bytes, int version, Method enter, Method exit) {
        this.name = name;
        this.bytes = bytes;
        this.version = version;
        this.enter = enter;
        this.exit = exit;
    }

    /**
     * Reads the advice class {@code name} from these bytes.
     *
     * @throws Unsupported when it uses what {@link AsmWeaver} does not do
     */
    static AdviceClass read(String name, byte[] bytes) {
        Reader reader = new Reader();
        new ClassReader(bytes).accept(reader, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        Method enter = null;
        Method exit = null;
        for (Method method : reader.methods) {
            if (method.problem != null) {
                throw new Unsupported("advice " + name + "." + method.name + ": " + method.problem);
            }
            if (method.isEnter) {
                if (enter != null) {
                    throw new Unsupported("advice " + name + " has two enter methods");
                }
                enter = method;
            } else {
                if (exit != null) {
                    throw new Unsupported("advice " + name + " has two exit methods");
                }
                exit = method;
            }
        }
        if (enter == null && exit == null) {
            throw new Unsupported("advice " + name + " has no @Advice.OnMethodEnter or @Advice.OnMethodExit method");
        }
        if (exit != null && enter != null) {
            for (Param param : exit.params) {
                if (param.kind == Kind.ENTER && enter.returnType.getSort() == Type.VOID) {
                    throw new Unsupported("advice " + name + ": @Advice.Enter with a void enter method");
                }
            }
        }
        return new AdviceClass(name, bytes, reader.version, enter, exit);
    }

    private static boolean isAdvice(String descriptor, String simpleName) {
        return descriptor.endsWith(ADVICE + simpleName + ";");
    }

    /** One advice method. */
    static final class Method {
        final String name;
        final String descriptor;
        final boolean isEnter;
        final Type returnType;
        final Param[] params;
        /** Slots the parameters take (the method is static). */
        final int paramSlots;
        boolean suppress;
        boolean onThrowable;
        String problem;
        /** How many try/catch blocks its code has; -1 until {@link #hasTryCatchBlocks} read them. */
        private int tryCatchBlocks = -1;

        Method(String name, String descriptor, boolean isEnter) {
            this.name = name;
            this.descriptor = descriptor;
            this.isEnter = isEnter;
            this.returnType = Type.getReturnType(descriptor);
            Type[] types = Type.getArgumentTypes(descriptor);
            this.params = new Param[types.length];
            int slot = 0;
            for (int i = 0; i < types.length; i++) {
                params[i] = new Param(types[i], slot);
                slot += types[i].getSize();
            }
            this.paramSlots = slot;
        }

        /** The parameter in advice slot {@code slot}, or null for one of the method's own locals. */
        Param paramAt(int slot) {
            for (Param param : params) {
                if (param.slot == slot) {
                    return param;
                }
            }
            return null;
        }

        /**
         * Whether its code has try/catch blocks (read from the code the first time: {@link #read} skips it); a
         * benign race, every reader finds the same.
         */
        boolean hasTryCatchBlocks(byte[] classFile) {
            int known = tryCatchBlocks;
            if (known < 0) {
                known = countTryCatchBlocks(classFile);
                tryCatchBlocks = known;
            }
            return known > 0;
        }

        private int countTryCatchBlocks(byte[] classFile) {
            int[] count = new int[1];
            new ClassReader(classFile).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String methodName, String methodDescriptor,
                        String signature, String[] exceptions) {
                    if (!methodName.equals(name) || !methodDescriptor.equals(descriptor)) {
                        return null;
                    }
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                            count[0]++;
                        }
                    };
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
            return count[0];
        }

        void fail(String why) {
            if (problem == null) {
                problem = why;
            }
        }
    }

    /** One parameter of an advice method, and what it stands for. */
    static final class Param {
        final Type type;
        final int slot;
        /** Null until its annotation is read: a parameter without one is refused. */
        Kind kind;
        int index = -1;
        String name = "";
        boolean readOnly = true;
        boolean dynamic;

        Param(Type type, int slot) {
            this.type = type;
            this.slot = slot;
        }
    }

    /** The advice methods of a class file: its static methods with {@code @OnMethodEnter} or {@code @OnMethodExit}. */
    private static final class Reader extends ClassVisitor {
        final List<Method> methods = new ArrayList<>(2);
        int version;

        Reader() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                String[] interfaces) {
            this.version = AsmWeaver.majorVersion(version);
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                String[] exceptions) {
            return (access & Opcodes.ACC_STATIC) == 0 ? null : new MethodReader(name, descriptor, methods);
        }
    }

    /** One static method: an advice method once its annotation is seen, and then what its parameters stand for. */
    private static final class MethodReader extends MethodVisitor {
        private final String name;
        private final String descriptor;
        private final List<Method> methods;
        /** Null until the method's advice annotation is seen (and for a method without one). */
        private Method method;

        MethodReader(String name, String descriptor, List<Method> methods) {
            super(Opcodes.ASM9);
            this.name = name;
            this.descriptor = descriptor;
            this.methods = methods;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
            boolean enter = isAdvice(annotation, "OnMethodEnter");
            if (!enter && !isAdvice(annotation, "OnMethodExit")) {
                return null;
            }
            method = new Method(name, descriptor, enter);
            methods.add(method);
            return new AdviceAttributes(method);
        }

        @Override
        public AnnotationVisitor visitParameterAnnotation(int parameter, String annotation, boolean visible) {
            if (method == null || parameter >= method.params.length) {
                return null;
            }
            Param param = method.params[parameter];
            param.kind = Kind.of(annotation);
            if (param.kind == null) {
                method.fail("parameter annotation " + annotation);
                return null;
            }
            // a local is there to be written: Byte Buddy's @Local has no readOnly
            param.readOnly = param.kind != Kind.LOCAL;
            return new ParamAttributes(method, param);
        }

        @Override
        public void visitEnd() {
            if (method == null) {
                return;
            }
            for (Param param : method.params) {
                String problem = problemOf(param);
                if (problem != null) {
                    method.fail(problem);
                }
            }
            if (!method.isEnter && method.onThrowable && !method.suppress) {
                method.fail("onThrowable without suppress");
            }
        }

        /** What is wrong with a parameter as its annotation left it, or null. */
        private String problemOf(Param param) {
            if (param.kind == null) {
                return "a parameter without an advice annotation";
            } else if (param.kind == Kind.ARGUMENT && param.index < 0) {
                return "@Argument without an index";
            } else if ((param.kind == Kind.LOCAL || param.kind == Kind.FIELD_VALUE) && param.name.isEmpty()) {
                return "@Local or @FieldValue without a name";
            } else if (method.isEnter
                    && (param.kind == Kind.RETURN || param.kind == Kind.ENTER || param.kind == Kind.THROWN)) {
                return "@Return, @Enter or @Thrown in an enter method";
            } else if (!param.readOnly && (param.kind == Kind.THIS || param.kind == Kind.ENTER
                    || param.kind == Kind.ALL_ARGUMENTS || param.kind == Kind.THROWN)) {
                return "a writable @This, @Enter, @AllArguments or @Thrown";
            }
            return null;
        }
    }

    /** The attributes of {@code @OnMethodEnter} or {@code @OnMethodExit}. */
    private static final class AdviceAttributes extends AnnotationVisitor {
        private final Method method;

        AdviceAttributes(Method method) {
            super(Opcodes.ASM9);
            this.method = method;
        }

        @Override
        public void visit(String attribute, Object value) {
            if ("suppress".equals(attribute)) {
                method.suppress = isThrowable(value);
                if (!method.suppress && !isNoException(value)) {
                    method.fail("suppress = " + value + " (only Throwable is supported)");
                }
            } else if ("onThrowable".equals(attribute)) {
                method.onThrowable = isThrowable(value);
                if (!method.onThrowable && !isNoException(value)) {
                    method.fail("onThrowable = " + value + " (only Throwable is supported)");
                }
            } else if ("inline".equals(attribute) && Boolean.FALSE.equals(value)) {
                method.fail("inline = false");
            } else if ("skipOn".equals(attribute) || "repeatOn".equals(attribute)) {
                if (!isVoid(value)) {
                    method.fail(attribute);
                }
            } else if (!"prependLineNumber".equals(attribute) && !"backupArguments".equals(attribute)) {
                method.fail("attribute " + attribute);
            }
        }
    }

    /** The attributes of a parameter's advice annotation: its index or name, readOnly, typing. */
    private static final class ParamAttributes extends AnnotationVisitor {
        private final Method method;
        private final Param param;

        ParamAttributes(Method method, Param param) {
            super(Opcodes.ASM9);
            this.method = method;
            this.param = param;
        }

        @Override
        public void visit(String attribute, Object value) {
            if ("value".equals(attribute) && value instanceof Integer) {
                param.index = (Integer) value;
            } else if ("value".equals(attribute) && value instanceof String) {
                param.name = (String) value;
            } else if ("readOnly".equals(attribute) && param.kind != Kind.LOCAL) {
                param.readOnly = (Boolean) value;
            } else if (!"optional".equals(attribute) || !Boolean.FALSE.equals(value)) {
                method.fail("parameter attribute " + attribute + " = " + value);
            }
        }

        @Override
        public void visitEnum(String attribute, String descriptor, String value) {
            if ("typing".equals(attribute)) {
                param.dynamic = "DYNAMIC".equals(value);
            } else {
                method.fail("parameter attribute " + attribute + " = " + value);
            }
        }
    }

    private static boolean isThrowable(Object value) {
        return value instanceof Type && "java/lang/Throwable".equals(((Type) value).getInternalName());
    }

    /** Byte Buddy's default for suppress and onThrowable, {@code Advice.NoExceptionHandler} (any relocation). */
    private static boolean isNoException(Object value) {
        return value instanceof Type && ((Type) value).getInternalName().endsWith("/asm/Advice$NoExceptionHandler");
    }

    private static boolean isVoid(Object value) {
        return value instanceof Type && ((Type) value).getSort() == Type.VOID
                || value instanceof Type && "java/lang/Void".equals(((Type) value).getInternalName());
    }
}
