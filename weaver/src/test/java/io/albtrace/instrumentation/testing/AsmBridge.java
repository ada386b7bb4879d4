package io.albtrace.instrumentation.testing;

import java.util.IdentityHashMap;
import java.util.Map;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ConstantDynamic;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.jar.asm.TypePath;

/**
 * Replays what a visitor of Byte Buddy's copy of ASM ({@code net.bytebuddy.jar.asm}, the weaver's) is told, call by
 * call and in the same order, to a visitor of ASM itself ({@code org.objectweb.asm}), whose {@code asm-util} and
 * {@code asm-analysis} Byte Buddy does not copy. So ASM's {@code CheckClassAdapter} can watch the weaver as it writes:
 * the order of the calls (a try/catch block registered after its labels, a label visited twice, two frames at one
 * place) is seen there and lost in the class file.
 *
 * <p>Attributes ASM does not know are not replayed, nor are module descriptors and record components (the weaver
 * copies them as they are).
 */
public final class AsmBridge extends ClassVisitor {

    private final org.objectweb.asm.ClassVisitor target;

    private AsmBridge(ClassVisitor next, org.objectweb.asm.ClassVisitor target) {
        super(Opcodes.ASM9, next);
        this.target = target;
    }

    /** A visitor that passes everything on to {@code next} and replays it to {@code target}. */
    public static ClassVisitor tee(ClassVisitor next, org.objectweb.asm.ClassVisitor target) {
        return new AsmBridge(next, target);
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName,
            String[] interfaces) {
        super.visit(version, access, name, signature, superName, interfaces);
        target.visit(version, access, name, signature, superName, interfaces);
    }

    @Override
    public void visitSource(String source, String debug) {
        super.visitSource(source, debug);
        target.visitSource(source, debug);
    }

    @Override
    public void visitNestHost(String nestHost) {
        super.visitNestHost(nestHost);
        target.visitNestHost(nestHost);
    }

    @Override
    public void visitOuterClass(String owner, String name, String descriptor) {
        super.visitOuterClass(owner, name, descriptor);
        target.visitOuterClass(owner, name, descriptor);
    }

    @Override
    public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
        return annotation(super.visitAnnotation(descriptor, visible), target.visitAnnotation(descriptor, visible));
    }

    @Override
    public AnnotationVisitor visitTypeAnnotation(int typeRef, TypePath typePath, String descriptor,
            boolean visible) {
        return annotation(super.visitTypeAnnotation(typeRef, typePath, descriptor, visible),
                target.visitTypeAnnotation(typeRef, path(typePath), descriptor, visible));
    }

    @Override
    public void visitNestMember(String nestMember) {
        super.visitNestMember(nestMember);
        target.visitNestMember(nestMember);
    }

    @Override
    public void visitPermittedSubclass(String permittedSubclass) {
        super.visitPermittedSubclass(permittedSubclass);
        target.visitPermittedSubclass(permittedSubclass);
    }

    @Override
    public void visitInnerClass(String name, String outerName, String innerName, int access) {
        super.visitInnerClass(name, outerName, innerName, access);
        target.visitInnerClass(name, outerName, innerName, access);
    }

    @Override
    public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
        FieldVisitor next = super.visitField(access, name, descriptor, signature, value);
        org.objectweb.asm.FieldVisitor replay = target.visitField(access, name, descriptor, signature, value);
        return new FieldVisitor(Opcodes.ASM9, next) {
            @Override
            public AnnotationVisitor visitAnnotation(String annotation, boolean visible) {
                return annotation(super.visitAnnotation(annotation, visible),
                        replay == null ? null : replay.visitAnnotation(annotation, visible));
            }

            @Override
            public void visitEnd() {
                super.visitEnd();
                if (replay != null) {
                    replay.visitEnd();
                }
            }
        };
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
            String[] exceptions) {
        MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
        org.objectweb.asm.MethodVisitor replay = target.visitMethod(access, name, descriptor, signature, exceptions);
        return replay == null ? next : new Method(next, replay);
    }

    @Override
    public void visitEnd() {
        super.visitEnd();
        target.visitEnd();
    }

    private static AnnotationVisitor annotation(AnnotationVisitor next, org.objectweb.asm.AnnotationVisitor replay) {
        if (replay == null) {
            return next;
        }
        return new AnnotationVisitor(Opcodes.ASM9, next) {
            @Override
            public void visit(String name, Object value) {
                super.visit(name, value);
                replay.visit(name, value instanceof Type ? type((Type) value) : value);
            }

            @Override
            public void visitEnum(String name, String descriptor, String value) {
                super.visitEnum(name, descriptor, value);
                replay.visitEnum(name, descriptor, value);
            }

            @Override
            public AnnotationVisitor visitAnnotation(String name, String descriptor) {
                return annotation(super.visitAnnotation(name, descriptor), replay.visitAnnotation(name, descriptor));
            }

            @Override
            public AnnotationVisitor visitArray(String name) {
                return annotation(super.visitArray(name), replay.visitArray(name));
            }

            @Override
            public void visitEnd() {
                super.visitEnd();
                replay.visitEnd();
            }
        };
    }

    private static org.objectweb.asm.TypePath path(TypePath path) {
        return path == null ? null : org.objectweb.asm.TypePath.fromString(path.toString());
    }

    private static org.objectweb.asm.Type type(Type type) {
        return type.getSort() == Type.METHOD ? org.objectweb.asm.Type.getMethodType(type.getDescriptor())
                : org.objectweb.asm.Type.getType(type.getDescriptor());
    }

    private static org.objectweb.asm.Handle handle(Handle handle) {
        return new org.objectweb.asm.Handle(handle.getTag(), handle.getOwner(), handle.getName(), handle.getDesc(),
                handle.isInterface());
    }

    /** A constant of an ldc instruction or a bootstrap argument, in ASM's own types. */
    private static Object constant(Object value) {
        if (value instanceof Type) {
            return type((Type) value);
        }
        if (value instanceof Handle) {
            return handle((Handle) value);
        }
        if (value instanceof ConstantDynamic) {
            ConstantDynamic dynamic = (ConstantDynamic) value;
            Object[] arguments = new Object[dynamic.getBootstrapMethodArgumentCount()];
            for (int i = 0; i < arguments.length; i++) {
                arguments[i] = constant(dynamic.getBootstrapMethodArgument(i));
            }
            return new org.objectweb.asm.ConstantDynamic(dynamic.getName(), dynamic.getDescriptor(),
                    handle(dynamic.getBootstrapMethod()), arguments);
        }
        return value;
    }

    /** One method's calls, its labels mapped one to one. */
    private static final class Method extends MethodVisitor {
        private final org.objectweb.asm.MethodVisitor replay;
        private final Map<Label, org.objectweb.asm.Label> labels = new IdentityHashMap<>();

        Method(MethodVisitor next, org.objectweb.asm.MethodVisitor replay) {
            super(Opcodes.ASM9, next);
            this.replay = replay;
        }

        private org.objectweb.asm.Label label(Label label) {
            return labels.computeIfAbsent(label, l -> new org.objectweb.asm.Label());
        }

        private org.objectweb.asm.Label[] labels(Label[] from) {
            org.objectweb.asm.Label[] to = new org.objectweb.asm.Label[from.length];
            for (int i = 0; i < from.length; i++) {
                to[i] = label(from[i]);
            }
            return to;
        }

        /** Frame items: the same Integer constants in both; a label (an uninitialized NEW) mapped. */
        private Object[] items(Object[] from) {
            if (from == null) {
                return null;
            }
            Object[] to = new Object[from.length];
            for (int i = 0; i < from.length; i++) {
                to[i] = from[i] instanceof Label ? label((Label) from[i]) : from[i];
            }
            return to;
        }

        @Override
        public void visitParameter(String name, int access) {
            super.visitParameter(name, access);
            replay.visitParameter(name, access);
        }

        @Override
        public AnnotationVisitor visitAnnotationDefault() {
            return annotation(super.visitAnnotationDefault(), replay.visitAnnotationDefault());
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            return annotation(super.visitAnnotation(descriptor, visible), replay.visitAnnotation(descriptor, visible));
        }

        @Override
        public AnnotationVisitor visitTypeAnnotation(int typeRef, TypePath typePath, String descriptor,
                boolean visible) {
            return annotation(super.visitTypeAnnotation(typeRef, typePath, descriptor, visible),
                    replay.visitTypeAnnotation(typeRef, path(typePath), descriptor, visible));
        }

        @Override
        public void visitAnnotableParameterCount(int parameterCount, boolean visible) {
            super.visitAnnotableParameterCount(parameterCount, visible);
            replay.visitAnnotableParameterCount(parameterCount, visible);
        }

        @Override
        public AnnotationVisitor visitParameterAnnotation(int parameter, String descriptor, boolean visible) {
            return annotation(super.visitParameterAnnotation(parameter, descriptor, visible),
                    replay.visitParameterAnnotation(parameter, descriptor, visible));
        }

        @Override
        public void visitCode() {
            super.visitCode();
            replay.visitCode();
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            super.visitFrame(type, numLocal, local, numStack, stack);
            replay.visitFrame(type, numLocal, items(local), numStack, items(stack));
        }

        @Override
        public void visitInsn(int opcode) {
            super.visitInsn(opcode);
            replay.visitInsn(opcode);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            super.visitIntInsn(opcode, operand);
            replay.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitVarInsn(int opcode, int varIndex) {
            super.visitVarInsn(opcode, varIndex);
            replay.visitVarInsn(opcode, varIndex);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            super.visitTypeInsn(opcode, type);
            replay.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitFieldInsn(int opcode, String owner, String name, String descriptor) {
            super.visitFieldInsn(opcode, owner, name, descriptor);
            replay.visitFieldInsn(opcode, owner, name, descriptor);
        }

        @Override
        public void visitMethodInsn(int opcode, String owner, String name, String descriptor, boolean isInterface) {
            super.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
            replay.visitMethodInsn(opcode, owner, name, descriptor, isInterface);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            super.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
            Object[] replayed = new Object[arguments.length];
            for (int i = 0; i < arguments.length; i++) {
                replayed[i] = constant(arguments[i]);
            }
            replay.visitInvokeDynamicInsn(name, descriptor, handle(bootstrap), replayed);
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            super.visitJumpInsn(opcode, label);
            replay.visitJumpInsn(opcode, label(label));
        }

        @Override
        public void visitLabel(Label label) {
            super.visitLabel(label);
            replay.visitLabel(label(label));
        }

        @Override
        public void visitLdcInsn(Object value) {
            super.visitLdcInsn(value);
            replay.visitLdcInsn(constant(value));
        }

        @Override
        public void visitIincInsn(int varIndex, int increment) {
            super.visitIincInsn(varIndex, increment);
            replay.visitIincInsn(varIndex, increment);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... cases) {
            super.visitTableSwitchInsn(min, max, dflt, cases);
            replay.visitTableSwitchInsn(min, max, label(dflt), labels(cases));
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] cases) {
            super.visitLookupSwitchInsn(dflt, keys, cases);
            replay.visitLookupSwitchInsn(label(dflt), keys, labels(cases));
        }

        @Override
        public void visitMultiANewArrayInsn(String descriptor, int numDimensions) {
            super.visitMultiANewArrayInsn(descriptor, numDimensions);
            replay.visitMultiANewArrayInsn(descriptor, numDimensions);
        }

        @Override
        public AnnotationVisitor visitInsnAnnotation(int typeRef, TypePath typePath, String descriptor,
                boolean visible) {
            return annotation(super.visitInsnAnnotation(typeRef, typePath, descriptor, visible),
                    replay.visitInsnAnnotation(typeRef, path(typePath), descriptor, visible));
        }

        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            super.visitTryCatchBlock(start, end, handler, type);
            replay.visitTryCatchBlock(label(start), label(end), label(handler), type);
        }

        @Override
        public AnnotationVisitor visitTryCatchAnnotation(int typeRef, TypePath typePath, String descriptor,
                boolean visible) {
            return annotation(super.visitTryCatchAnnotation(typeRef, typePath, descriptor, visible),
                    replay.visitTryCatchAnnotation(typeRef, path(typePath), descriptor, visible));
        }

        @Override
        public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end,
                int index) {
            super.visitLocalVariable(name, descriptor, signature, start, end, index);
            replay.visitLocalVariable(name, descriptor, signature, label(start), label(end), index);
        }

        @Override
        public AnnotationVisitor visitLocalVariableAnnotation(int typeRef, TypePath typePath, Label[] start,
                Label[] end, int[] index, String descriptor, boolean visible) {
            return annotation(super.visitLocalVariableAnnotation(typeRef, typePath, start, end, index, descriptor,
                    visible), replay.visitLocalVariableAnnotation(typeRef, path(typePath), labels(start), labels(end),
                    index, descriptor, visible));
        }

        @Override
        public void visitLineNumber(int line, Label start) {
            super.visitLineNumber(line, start);
            replay.visitLineNumber(line, label(start));
        }

        @Override
        public void visitMaxs(int maxStack, int maxLocals) {
            super.visitMaxs(maxStack, maxLocals);
            replay.visitMaxs(maxStack, maxLocals);
        }

        @Override
        public void visitEnd() {
            super.visitEnd();
            replay.visitEnd();
        }
    }
}
