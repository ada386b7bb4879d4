package io.albtrace.weaver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ConstantDynamic;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * Inlines one advice class into one method, the way Byte Buddy's {@code Advice} does, with ASM alone:
 * <ul>
 * <li>the method's own locals move up by the slots the advice keeps for the whole call (the enter method's value,
 * each {@code @Local}), which sit right after the parameters, are set to their default first, and are added to
 * every stack map frame of the method;</li>
 * <li>the enter method's code runs first; each return of the method stores the value and jumps to the exit
 * method's code, which ends with the return (or, {@code onThrowable}, the rethrow of what the method threw);</li>
 * <li>{@code suppress = Throwable.class}: whatever the advice throws is caught, reported once
 * ({@code Log.adviceFailed}) and the method goes on.</li>
 * </ul>
 * The class file must be read with {@code EXPAND_FRAMES}. Whatever this cannot do safely (a return with more than
 * its value on the operand stack, {@code onThrowable} on a constructor, a class without stack map frames and an
 * exit advice) throws {@link Unsupported} before the class is defined, and Byte Buddy weaves it instead.
 */
final class AdviceInliner extends MethodVisitor {

    private static final int ENTER_PHASE = 0;
    private static final int EXIT_PHASE = 1;
    private static final int UNKNOWN = -1;
    private static final String THROWABLE = "java/lang/Throwable";
    /**
     * Operand stack slots the inliner may need beyond the advice method's own: an advice parameter is replaced by
     * more than one value at most while {@code @AllArguments} fills its array (the array, its copy, the index and a
     * wide argument: 5) or a {@code @FieldValue} is written ({@code this} under the value: 1 more than the value).
     */
    private static final int SUBSTITUTION_STACK = 6;

    private final String owner;
    private final String methodName;
    private final int classVersion;
    private final boolean frames;
    private final boolean isStatic;
    private final boolean isConstructor;
    private final Type[] argumentTypes;
    private final int[] argumentSlots;
    private final Type returnType;
    private final AdviceClass advice;
    private final String module;
    /** The owner's fields: name to {access, descriptor}. */
    private final Map<String, Object[]> fields;

    /** Slots of {@code this} and the parameters. */
    private final int firstLocal;
    /** The advice's slots kept for the whole call, after the parameters: the enter value, then each local. */
    private final List<Object> extraFrameTypes = new ArrayList<>();
    private final List<Type> extraTypes = new ArrayList<>();
    private final List<String> localNames = new ArrayList<>();
    private final int[] localSlots;
    private final int enterSlot;
    private final int extra;
    /**
     * With an exit advice, the method's code works on copies of its parameters ({@code this} excepted), made after the
     * enter advice, right after the advice's slots: the parameters' own slots keep the values the exit advice must
     * see (as at entry, after the enter advice: Byte Buddy's {@code backupArguments}), and keep their types for the
     * exit's frames whatever the method stores in them (a parameter's slot reused for another type).
     */
    private final int firstParameterSlot;
    private final int copiesStart;
    private final int copiesSize;
    /** How far the method's own locals move up: the advice's slots and the copies. */
    private final int shift;
    private final int prefixEnd;
    private final int returnSlot;
    private final int thrownSlot;
    private final int exitLocalsBase;
    private final boolean onThrowable;

    private final Label exitLabel = new Label();
    private final Label bodyStart = new Label();
    private final Label throwHandler = new Label();
    /** The operand stack's depth in slots, or {@link #UNKNOWN} after a jump until the next frame or known label. */
    private int depth;
    /**
     * The depth at labels jumped to, for code without stack map frames: the JVM gives a class it had from its
     * class-data sharing archive (the JDK's own, loaded before the agent) to retransformation without them.
     */
    private final Map<Label, Integer> labelDepths = new java.util.IdentityHashMap<>();
    private int adviceMaxStack;
    private int adviceMaxLocals;
    /** Whether the prologue (the advice's try/catch blocks, its slots set, the enter advice) is written. */
    private boolean begun;
    /** The enter and exit advice, their try/catch blocks registered by the prologue; null for none. */
    private AdviceCode enterCode;
    private AdviceCode exitCode;

    AdviceInliner(MethodVisitor next, String owner, int classVersion, int access, String name, String descriptor,
            AdviceClass advice, String module, Map<String, Object[]> fields) {
        super(Opcodes.ASM9, next);
        this.owner = owner;
        this.methodName = name;
        this.classVersion = classVersion;
        this.frames = classVersion >= Opcodes.V1_6;
        this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
        this.isConstructor = "<init>".equals(name);
        this.argumentTypes = Type.getArgumentTypes(descriptor);
        this.returnType = Type.getReturnType(descriptor);
        this.advice = advice;
        this.module = module;
        this.fields = fields;
        this.argumentSlots = new int[argumentTypes.length];
        int slot = isStatic ? 0 : 1;
        for (int i = 0; i < argumentTypes.length; i++) {
            argumentSlots[i] = slot;
            slot += argumentTypes[i].getSize();
        }
        this.firstLocal = slot;
        AdviceClass.Method enter = advice.enter;
        AdviceClass.Method exit = advice.exit;
        if (exit != null && !frames) {
            throw new Unsupported("a class file without stack map frames (version " + classVersion + ")");
        }
        this.onThrowable = exit != null && exit.onThrowable;
        if (onThrowable && isConstructor) {
            throw new Unsupported("onThrowable on a constructor");
        }
        if (enter != null && enter.returnType.getSort() != Type.VOID) {
            enterSlot = slot;
            addExtra(enter.returnType);
            slot += enter.returnType.getSize();
        } else {
            enterSlot = -1;
        }
        List<Integer> locals = new ArrayList<>();
        for (AdviceClass.Method method : Arrays.asList(enter, exit)) {
            if (method == null) {
                continue;
            }
            for (AdviceClass.Param param : method.params) {
                if (param.kind != AdviceClass.LOCAL) {
                    continue;
                }
                int known = localNames.indexOf(param.name);
                if (known >= 0) {
                    if (!extraTypes.get(known + (enterSlot >= 0 ? 1 : 0)).equals(param.type)) {
                        throw new Unsupported("@Local(\"" + param.name + "\") of two types");
                    }
                    continue;
                }
                localNames.add(param.name);
                locals.add(slot);
                addExtra(param.type);
                slot += param.type.getSize();
            }
        }
        this.localSlots = new int[locals.size()];
        for (int i = 0; i < localSlots.length; i++) {
            localSlots[i] = locals.get(i);
        }
        this.prefixEnd = slot;
        this.extra = prefixEnd - firstLocal;
        this.firstParameterSlot = isStatic ? 0 : 1;
        // the value returned and the throwable have slots of their own: a return inside one of the method's try
        // blocks stores its value there, where the handler's frame must not expect one of the method's locals
        this.returnSlot = prefixEnd;
        this.thrownSlot = returnSlot + (exit == null ? 0 : returnType.getSize());
        this.exitLocalsBase = thrownSlot + (onThrowable ? 1 : 0);
        this.copiesStart = exitLocalsBase;
        this.copiesSize = exit == null ? 0 : firstLocal - firstParameterSlot;
        this.shift = copiesStart - firstLocal + copiesSize;
    }

    private void addExtra(Type type) {
        extraTypes.add(type);
        extraFrameTypes.add(frameType(type));
    }

    // ---- the method's own code ----

    /**
     * Writes the prologue before the method's first instruction, label or frame, once the method's own try/catch
     * blocks went by (a class reader gives them first): every try/catch block of the advice is registered then, before
     * its labels, after the method's own (which take precedence where they overlap, being inner) and, where advice is
     * nested, after the inner advice's (which passes them on before its own first instruction). Then the advice's
     * slots are set to their default and the enter advice runs.
     */
    private void begin() {
        if (begun) {
            return;
        }
        begun = true;
        if (advice.enter != null) {
            enterCode = register(advice.enter);
        }
        if (onThrowable) {
            mv.visitTryCatchBlock(bodyStart, throwHandler, throwHandler, THROWABLE);
        }
        if (advice.exit != null) {
            exitCode = register(advice.exit);
        }
        for (int i = 0, slot = firstLocal; i < extraTypes.size(); i++) {
            Type type = extraTypes.get(i);
            pushDefault(type);
            mv.visitVarInsn(type.getOpcode(Opcodes.ISTORE), slot);
            slot += type.getSize();
        }
        if (enterCode != null) {
            inline(enterCode, ENTER_PHASE);
        }
        for (int i = 0; i < argumentTypes.length && copiesSize > 0; i++) {
            Type type = argumentTypes[i];
            mv.visitVarInsn(type.getOpcode(Opcodes.ILOAD), argumentSlots[i]);
            mv.visitVarInsn(type.getOpcode(Opcodes.ISTORE), copiesStart + argumentSlots[i] - firstParameterSlot);
        }
        if (onThrowable) {
            mv.visitLabel(bodyStart);
        }
        depth = 0;
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        begin();
        if (type != Opcodes.F_NEW) {
            throw new Unsupported("compressed stack map frames (the class was not read with EXPAND_FRAMES)");
        }
        Object[] locals = withExtras(local, numLocal);
        depth = 0;
        for (int i = 0; i < numStack; i++) {
            depth += stack[i] == Opcodes.LONG || stack[i] == Opcodes.DOUBLE ? 2 : 1;
        }
        mv.visitFrame(Opcodes.F_NEW, locals.length, locals, numStack, stack);
    }

    /** The frame's locals with the advice's slots inserted after the parameters. */
    private Object[] withExtras(Object[] local, int numLocal) {
        if (shift == 0) {
            return Arrays.copyOf(local, numLocal);
        }
        // the frame's items for this and the parameters, one TOP a slot where the frame lists none
        List<Object> parameters = new ArrayList<>(argumentTypes.length + 1);
        int slots = 0;
        int i = 0;
        while (i < numLocal && slots < firstLocal) {
            parameters.add(local[i]);
            slots += local[i] == Opcodes.LONG || local[i] == Opcodes.DOUBLE ? 2 : 1;
            i++;
        }
        if (slots > firstLocal) {
            throw new Unsupported("a frame whose locals do not line up with the parameters");
        }
        while (slots < firstLocal) {
            parameters.add(Opcodes.TOP);
            slots++;
        }
        List<Object> out = new ArrayList<>(numLocal + extraFrameTypes.size() + parameters.size() + 2);
        if (copiesSize == 0) {
            out.addAll(parameters);
            out.addAll(extraFrameTypes);
            addTop(out, copiesStart - prefixEnd);
        } else {
            if (!isStatic) {
                // this, as the frame has it (uninitialized in a constructor until its super call)
                out.add(parameters.get(0));
            }
            // the parameters' own slots hold what they held at entry; the method's values are in the copies
            for (Type type : argumentTypes) {
                out.add(frameType(type));
            }
            out.addAll(extraFrameTypes);
            // the return and throwable slots: set only on the way out
            addTop(out, copiesStart - prefixEnd);
            out.addAll(parameters.subList(firstParameterSlot, parameters.size()));
        }
        for (; i < numLocal; i++) {
            out.add(local[i]);
        }
        return out.toArray();
    }


    private static void addTop(List<Object> items, int slots) {
        for (int i = 0; i < slots; i++) {
            items.add(Opcodes.TOP);
        }
    }

    private int remap(int slot) {
        if (slot < firstParameterSlot || slot < firstLocal && copiesSize == 0) {
            return slot;
        }
        return slot < firstLocal ? copiesStart + slot - firstParameterSlot : slot + shift;
    }

    @Override
    public void visitVarInsn(int opcode, int var) {
        begin();
        if (opcode == Opcodes.RET) {
            throw new Unsupported("jsr/ret");
        }
        step(StackEffect.ofVar(opcode));
        mv.visitVarInsn(opcode, remap(var));
    }

    @Override
    public void visitIincInsn(int var, int increment) {
        begin();
        mv.visitIincInsn(remap(var), increment);
    }

    @Override
    public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end,
            int index) {
        begin();
        mv.visitLocalVariable(name, descriptor, signature, start, end, remap(index));
    }

    @Override
    public net.bytebuddy.jar.asm.AnnotationVisitor visitLocalVariableAnnotation(int typeRef,
            net.bytebuddy.jar.asm.TypePath typePath, Label[] start, Label[] end, int[] index, String descriptor,
            boolean visible) {
        int[] moved = new int[index.length];
        for (int i = 0; i < index.length; i++) {
            moved[i] = remap(index[i]);
        }
        return mv.visitLocalVariableAnnotation(typeRef, typePath, start, end, moved, descriptor, visible);
    }

    @Override
    public void visitInsn(int opcode) {
        begin();
        if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN && advice.exit != null) {
            if (depth != returnType.getSize()) {
                throw new Unsupported("a return in " + methodName + " with "
                        + (depth == UNKNOWN ? "an unknown" : String.valueOf(depth))
                        + " slot(s) on the operand stack");
            }
            if (returnType.getSort() != Type.VOID) {
                mv.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), returnSlot);
            }
            if (onThrowable) {
                mv.visitInsn(Opcodes.ACONST_NULL);
                mv.visitVarInsn(Opcodes.ASTORE, thrownSlot);
            }
            mv.visitJumpInsn(Opcodes.GOTO, exitLabel);
            depth = UNKNOWN;
            return;
        }
        step(StackEffect.ofInsn(opcode));
        mv.visitInsn(opcode);
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
        begin();
        step(opcode == Opcodes.NEWARRAY ? 0 : 1);
        mv.visitIntInsn(opcode, operand);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
        begin();
        step(opcode == Opcodes.NEW ? 1 : 0);
        mv.visitTypeInsn(opcode, type);
    }

    @Override
    public void visitFieldInsn(int opcode, String fieldOwner, String name, String descriptor) {
        begin();
        int size = Type.getType(descriptor).getSize();
        switch (opcode) {
            case Opcodes.GETSTATIC: step(size); break;
            case Opcodes.PUTSTATIC: step(-size); break;
            case Opcodes.GETFIELD: step(size - 1); break;
            default: step(-size - 1); break;
        }
        mv.visitFieldInsn(opcode, fieldOwner, name, descriptor);
    }

    @Override
    public void visitMethodInsn(int opcode, String methodOwner, String name, String descriptor, boolean isInterface) {
        begin();
        int sizes = Type.getArgumentsAndReturnSizes(descriptor);
        step((sizes & 0x3) - (sizes >> 2) + (opcode == Opcodes.INVOKESTATIC ? 1 : 0));
        mv.visitMethodInsn(opcode, methodOwner, name, descriptor, isInterface);
    }

    @Override
    public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
        begin();
        int sizes = Type.getArgumentsAndReturnSizes(descriptor);
        step((sizes & 0x3) - (sizes >> 2) + 1);
        mv.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
    }

    @Override
    public void visitJumpInsn(int opcode, Label label) {
        begin();
        if (opcode == Opcodes.JSR) {
            throw new Unsupported("jsr/ret");
        }
        if (opcode == Opcodes.GOTO) {
            jumpsTo(label);
            depth = UNKNOWN;
        } else {
            step(opcode >= Opcodes.IF_ICMPEQ && opcode <= Opcodes.IF_ACMPNE ? -2 : -1);
            jumpsTo(label);
        }
        mv.visitJumpInsn(opcode, label);
    }

    private void jumpsTo(Label label) {
        if (depth != UNKNOWN) {
            labelDepths.putIfAbsent(label, depth);
        }
    }

    @Override
    public void visitLabel(Label label) {
        begin();
        if (depth == UNKNOWN) {
            Integer known = labelDepths.get(label);
            if (known != null) {
                depth = known;
            }
        }
        mv.visitLabel(label);
    }

    @Override
    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
        labelDepths.put(handler, 1);
        mv.visitTryCatchBlock(start, end, handler, type);
    }

    @Override
    public void visitLdcInsn(Object value) {
        begin();
        boolean wide = value instanceof Long || value instanceof Double
                || value instanceof ConstantDynamic && ((ConstantDynamic) value).getSize() == 2;
        step(wide ? 2 : 1);
        mv.visitLdcInsn(value);
    }

    @Override
    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
        begin();
        switchesTo(dflt, labels);
        mv.visitTableSwitchInsn(min, max, dflt, labels);
    }

    @Override
    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
        begin();
        switchesTo(dflt, labels);
        mv.visitLookupSwitchInsn(dflt, keys, labels);
    }

    private void switchesTo(Label dflt, Label[] labels) {
        step(-1);
        jumpsTo(dflt);
        for (Label label : labels) {
            jumpsTo(label);
        }
        depth = UNKNOWN;
    }

    @Override
    public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
        begin();
        step(1 - dimensions);
        mv.visitMultiANewArrayInsn(descriptor, dimensions);
    }

    private void step(int effect) {
        if (effect == StackEffect.ENDS) {
            depth = UNKNOWN;
        } else if (depth != UNKNOWN) {
            depth += effect;
        }
    }

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        begin();
        int locals = maxLocals + shift;
        if (advice.exit != null) {
            if (onThrowable) {
                mv.visitLabel(throwHandler);
                frame(EXIT_PHASE, false, THROWABLE);
                mv.visitVarInsn(Opcodes.ASTORE, thrownSlot);
                if (returnType.getSort() != Type.VOID) {
                    pushDefault(returnType);
                    mv.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), returnSlot);
                }
            }
            // written even where nothing jumps here (a method that only throws): its try/catch blocks are registered
            mv.visitLabel(exitLabel);
            frame(EXIT_PHASE, true, null);
            inline(exitCode, EXIT_PHASE);
            if (onThrowable) {
                Label normal = new Label();
                mv.visitVarInsn(Opcodes.ALOAD, thrownSlot);
                mv.visitJumpInsn(Opcodes.IFNULL, normal);
                mv.visitVarInsn(Opcodes.ALOAD, thrownSlot);
                mv.visitInsn(Opcodes.ATHROW);
                mv.visitLabel(normal);
                frame(EXIT_PHASE, true, null);
            }
            if (returnType.getSort() != Type.VOID) {
                mv.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), returnSlot);
            }
            mv.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
            locals = Math.max(locals, exitLocalsBase + 1);
        }
        locals = Math.max(locals, prefixEnd + adviceMaxLocals);
        mv.visitMaxs(Math.max(maxStack, adviceMaxStack + SUBSTITUTION_STACK),
                Math.max(locals, exitLocalsBase + adviceMaxLocals));
    }

    // ---- the advice's code ----

    /**
     * A stack map frame at the advice's boundaries: the parameters and the advice's slots, and for the exit phase the
     * return value and the throwable (when {@code exitSlots}), with one item on the stack or none.
     */
    private void frame(int phase, boolean exitSlots, Object stackItem) {
        if (!frames) {
            return;
        }
        List<Object> locals = prefix(phase);
        if (exitSlots) {
            addExitSlots(locals);
        }
        Object[] stack = stackItem == null ? new Object[0] : new Object[] {stackItem};
        mv.visitFrame(Opcodes.F_NEW, locals.size(), locals.toArray(), stack.length, stack);
    }

    private void addExitSlots(List<Object> locals) {
        if (returnType.getSort() != Type.VOID) {
            locals.add(frameType(returnType));
        }
        if (onThrowable) {
            locals.add(THROWABLE);
        }
    }

    /** {@code this}, the parameters and the advice's slots, as frame items. */
    private List<Object> prefix(int phase) {
        List<Object> locals = new ArrayList<>(argumentTypes.length + extraFrameTypes.size() + 3);
        if (!isStatic) {
            locals.add(isConstructor && phase == ENTER_PHASE ? Opcodes.UNINITIALIZED_THIS : owner);
        }
        for (Type type : argumentTypes) {
            locals.add(frameType(type));
        }
        locals.addAll(extraFrameTypes);
        return locals;
    }

    /** One advice method to inline: the labels around its code and its own try/catch blocks, registered early. */
    private static final class AdviceCode {
        final AdviceClass.Method method;
        final Label start = new Label();
        final Label handler = new Label();
        final Label end = new Label();
        /** The advice method's own try/catch blocks, in order: their start, end and handler labels. */
        final List<Label[]> tryCatchBlocks;

        AdviceCode(AdviceClass.Method method, List<Label[]> tryCatchBlocks) {
            this.method = method;
            this.tryCatchBlocks = tryCatchBlocks;
        }
    }

    /**
     * Registers an advice method's try/catch blocks, before any of their labels: its own (read from its code now,
     * with labels that the copy of its code later maps its own to) and then, with {@code suppress}, the one around
     * all of it.
     */
    private AdviceCode register(AdviceClass.Method method) {
        List<Label[]> blocks = new ArrayList<>(0);
        if (method.hasTryCatchBlocks(advice.bytes)) {
            new ClassReader(advice.bytes).accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                        String[] exceptions) {
                    if (!name.equals(method.name) || !descriptor.equals(method.descriptor)) {
                        return null;
                    }
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                            blocks.add(new Label[] {start, end, handler});
                            AdviceInliner.this.mv.visitTryCatchBlock(start, end, handler, type);
                        }
                    };
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        }
        AdviceCode code = new AdviceCode(method, blocks);
        if (method.suppress) {
            mv.visitTryCatchBlock(code.start, code.handler, code.handler, THROWABLE);
        }
        return code;
    }

    private void inline(AdviceCode code, int phase) {
        AdviceClass.Method method = code.method;
        mv.visitLabel(code.start);
        Copier copier = new Copier(code, phase);
        new ClassReader(advice.bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                return name.equals(method.name) && descriptor.equals(method.descriptor) ? copier : null;
            }
        }, ClassReader.EXPAND_FRAMES | ClassReader.SKIP_DEBUG);
        if (!copier.copied) {
            throw new Unsupported("advice method " + method.name + " not found in " + advice.name);
        }
        if (method.suppress) {
            mv.visitLabel(code.handler);
            frame(phase, phase == EXIT_PHASE, THROWABLE);
            mv.visitLdcInsn(module);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "io/albtrace/core/Log", "adviceFailed",
                    "(Ljava/lang/Throwable;Ljava/lang/String;)V", false);
        }
        mv.visitLabel(code.end);
        frame(phase, phase == EXIT_PHASE, null);
        // the method's own first instruction may carry a frame of its own: not at the same offset as this one
        mv.visitInsn(Opcodes.NOP);
        adviceMaxStack = Math.max(adviceMaxStack, copier.maxStack);
        int base = phase == ENTER_PHASE ? prefixEnd : exitLocalsBase;
        adviceMaxLocals = Math.max(adviceMaxLocals, base - prefixEnd + copier.maxLocals - method.paramSlots);
    }

    private static Object frameType(Type type) {
        switch (type.getSort()) {
            case Type.BOOLEAN:
            case Type.BYTE:
            case Type.CHAR:
            case Type.SHORT:
            case Type.INT:
                return Opcodes.INTEGER;
            case Type.FLOAT:
                return Opcodes.FLOAT;
            case Type.LONG:
                return Opcodes.LONG;
            case Type.DOUBLE:
                return Opcodes.DOUBLE;
            default:
                return type.getInternalName();
        }
    }

    private void pushDefault(Type type) {
        switch (type.getSort()) {
            case Type.VOID:
                return;
            case Type.LONG:
                mv.visitInsn(Opcodes.LCONST_0);
                return;
            case Type.FLOAT:
                mv.visitInsn(Opcodes.FCONST_0);
                return;
            case Type.DOUBLE:
                mv.visitInsn(Opcodes.DCONST_0);
                return;
            case Type.OBJECT:
            case Type.ARRAY:
                mv.visitInsn(Opcodes.ACONST_NULL);
                return;
            default:
                mv.visitInsn(Opcodes.ICONST_0);
        }
    }

    /** Casts what is on the stack, of type {@code from}, to {@code to} where the two differ. */
    private void cast(Type from, Type to) {
        if (from.equals(to)) {
            return;
        }
        boolean fromReference = from.getSort() >= Type.ARRAY;
        boolean toReference = to.getSort() >= Type.ARRAY;
        if (!fromReference || !toReference) {
            if (frameType(from).equals(frameType(to)) && !fromReference && !toReference) {
                return;
            }
            throw new Unsupported("a value of type " + from + " given as " + to);
        }
        if (!"java/lang/Object".equals(to.getInternalName())) {
            mv.visitTypeInsn(Opcodes.CHECKCAST, to.getInternalName());
        }
    }

    /** Copies one advice method's code into the method, its parameters replaced by what they stand for. */
    private final class Copier extends MethodVisitor {
        private final AdviceClass.Method method;
        private final int phase;
        private final Label end;
        private final int localsBase;
        private final List<Label[]> registered;
        /** This copy's labels of the advice's try/catch blocks, to the labels registered for them. */
        private final Map<Label, Label> labels = new java.util.IdentityHashMap<>();
        private int tryCatchBlocks;
        int maxStack;
        int maxLocals;
        boolean copied;

        Copier(AdviceCode code, int phase) {
            super(Opcodes.ASM9, AdviceInliner.this.mv);
            this.method = code.method;
            this.phase = phase;
            this.end = code.end;
            this.registered = code.tryCatchBlocks;
            this.localsBase = phase == ENTER_PHASE ? prefixEnd : exitLocalsBase;
        }

        /** The block was registered already ({@link #register}): this copy's labels stand for those. */
        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            if (tryCatchBlocks >= registered.size()) {
                throw new Unsupported("advice " + advice.name + ": try/catch blocks changed between two reads");
            }
            Label[] block = registered.get(tryCatchBlocks++);
            labels.put(start, block[0]);
            labels.put(end, block[1]);
            labels.put(handler, block[2]);
        }

        private Label label(Label label) {
            Label registeredLabel = labels.get(label);
            return registeredLabel == null ? label : registeredLabel;
        }

        private Label[] labels(Label[] from) {
            Label[] to = new Label[from.length];
            for (int i = 0; i < from.length; i++) {
                to[i] = label(from[i]);
            }
            return to;
        }

        private Object[] frameItems(Object[] items, int count) {
            Object[] mapped = new Object[count];
            for (int i = 0; i < count; i++) {
                mapped[i] = items[i] instanceof Label ? label((Label) items[i]) : items[i];
            }
            return mapped;
        }

        @Override
        public void visitLabel(Label label) {
            mv.visitLabel(label(label));
        }

        @Override
        public void visitJumpInsn(int opcode, Label label) {
            mv.visitJumpInsn(opcode, label(label));
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, Label dflt, Label... cases) {
            mv.visitTableSwitchInsn(min, max, label(dflt), labels(cases));
        }

        @Override
        public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] cases) {
            mv.visitLookupSwitchInsn(label(dflt), keys, labels(cases));
        }

        @Override
        public void visitCode() {
            copied = true;
        }

        @Override
        public void visitParameter(String name, int access) {
        }

        @Override
        public net.bytebuddy.jar.asm.AnnotationVisitor visitAnnotationDefault() {
            return null;
        }

        @Override
        public net.bytebuddy.jar.asm.AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            return null;
        }

        @Override
        public net.bytebuddy.jar.asm.AnnotationVisitor visitTypeAnnotation(int typeRef,
                net.bytebuddy.jar.asm.TypePath typePath, String descriptor, boolean visible) {
            return null;
        }

        @Override
        public void visitAnnotableParameterCount(int parameterCount, boolean visible) {
        }

        @Override
        public net.bytebuddy.jar.asm.AnnotationVisitor visitParameterAnnotation(int parameter, String descriptor,
                boolean visible) {
            return null;
        }

        @Override
        public void visitAttribute(net.bytebuddy.jar.asm.Attribute attribute) {
        }

        @Override
        public net.bytebuddy.jar.asm.AnnotationVisitor visitInsnAnnotation(int typeRef,
                net.bytebuddy.jar.asm.TypePath typePath, String descriptor, boolean visible) {
            return null;
        }

        @Override
        public net.bytebuddy.jar.asm.AnnotationVisitor visitTryCatchAnnotation(int typeRef,
                net.bytebuddy.jar.asm.TypePath typePath, String descriptor, boolean visible) {
            return null;
        }

        @Override
        public void visitLineNumber(int line, Label start) {
        }

        @Override
        public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end,
                int index) {
        }

        @Override
        public net.bytebuddy.jar.asm.AnnotationVisitor visitLocalVariableAnnotation(int typeRef,
                net.bytebuddy.jar.asm.TypePath typePath, Label[] start, Label[] end, int[] index, String descriptor,
                boolean visible) {
            return null;
        }

        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            if (!frames) {
                return;
            }
            if (type != Opcodes.F_NEW) {
                throw new Unsupported("compressed frames in advice " + advice.name);
            }
            List<Object> locals = prefix(phase);
            if (phase == EXIT_PHASE) {
                addExitSlots(locals);
            }
            int slots = 0;
            for (int i = 0; i < numLocal; i++) {
                if (slots >= method.paramSlots) {
                    locals.add(local[i] instanceof Label ? label((Label) local[i]) : local[i]);
                }
                slots += local[i] == Opcodes.LONG || local[i] == Opcodes.DOUBLE ? 2 : 1;
            }
            mv.visitFrame(Opcodes.F_NEW, locals.size(), locals.toArray(), numStack, frameItems(stack, numStack));
        }

        @Override
        public void visitInsn(int opcode) {
            if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN) {
                if (opcode != Opcodes.RETURN) {
                    if (phase == ENTER_PHASE) {
                        mv.visitVarInsn(method.returnType.getOpcode(Opcodes.ISTORE), enterSlot);
                    } else {
                        mv.visitInsn(method.returnType.getSize() == 2 ? Opcodes.POP2 : Opcodes.POP);
                    }
                }
                mv.visitJumpInsn(Opcodes.GOTO, end);
                return;
            }
            mv.visitInsn(opcode);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            if (var >= method.paramSlots) {
                mv.visitVarInsn(opcode, var - method.paramSlots + localsBase);
                return;
            }
            AdviceClass.Param param = method.paramAt(var);
            if (param == null) {
                throw new Unsupported("advice " + advice.name + " uses half of a wide parameter");
            }
            if (opcode >= Opcodes.ISTORE && opcode <= Opcodes.ASTORE) {
                store(param);
            } else {
                load(param);
            }
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            if (var < method.paramSlots) {
                throw new Unsupported("advice " + advice.name + " increments a parameter");
            }
            mv.visitIincInsn(var - method.paramSlots + localsBase, increment);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
            if (classVersion < Opcodes.V1_7) {
                throw new Unsupported("invokedynamic in advice for a class file of version " + classVersion);
            }
            mv.visitInvokeDynamicInsn(name, descriptor, bootstrap, arguments);
        }

        @Override
        public void visitLdcInsn(Object value) {
            if (value instanceof Handle || value instanceof ConstantDynamic
                    || value instanceof Type && ((Type) value).getSort() == Type.METHOD) {
                if (classVersion < (value instanceof ConstantDynamic ? Opcodes.V11 : Opcodes.V1_7)) {
                    throw new Unsupported("a constant of version " + classVersion + " cannot hold: " + value);
                }
            } else if (value instanceof Type && classVersion < Opcodes.V1_5) {
                throw new Unsupported("a class constant in a class file of version " + classVersion);
            }
            mv.visitLdcInsn(value);
        }

        @Override
        public void visitMaxs(int stack, int locals) {
            maxStack = stack;
            maxLocals = locals;
        }

        @Override
        public void visitEnd() {
        }

        private void load(AdviceClass.Param param) {
            switch (param.kind) {
                case AdviceClass.ARGUMENT: {
                    Type type = argument(param.index);
                    mv.visitVarInsn(type.getOpcode(Opcodes.ILOAD), argumentSlots[param.index]);
                    cast(type, param.type);
                    return;
                }
                case AdviceClass.THIS:
                    if (isStatic || isConstructor && phase == ENTER_PHASE) {
                        throw new Unsupported("@This in a static method or before a constructor");
                    }
                    mv.visitVarInsn(Opcodes.ALOAD, 0);
                    cast(Type.getObjectType(owner), param.type);
                    return;
                case AdviceClass.RETURN:
                    if (returnType.getSort() == Type.VOID) {
                        throw new Unsupported("@Return of a void method");
                    }
                    mv.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), returnSlot);
                    cast(returnType, param.type);
                    return;
                case AdviceClass.ENTER:
                    mv.visitVarInsn(advice.enter.returnType.getOpcode(Opcodes.ILOAD), enterSlot);
                    cast(advice.enter.returnType, param.type);
                    return;
                case AdviceClass.LOCAL:
                    mv.visitVarInsn(param.type.getOpcode(Opcodes.ILOAD), localSlots[localNames.indexOf(param.name)]);
                    return;
                case AdviceClass.FIELD: {
                    Object[] field = field(param.name);
                    Type type = Type.getType((String) field[1]);
                    if (((Integer) field[0] & Opcodes.ACC_STATIC) != 0) {
                        mv.visitFieldInsn(Opcodes.GETSTATIC, owner, param.name, (String) field[1]);
                    } else {
                        mv.visitVarInsn(Opcodes.ALOAD, 0);
                        mv.visitFieldInsn(Opcodes.GETFIELD, owner, param.name, (String) field[1]);
                    }
                    cast(type, param.type);
                    return;
                }
                case AdviceClass.THROWN:
                    // what the method threw, or null when it returned (always null without onThrowable)
                    if (phase != EXIT_PHASE) {
                        throw new Unsupported("@Thrown outside an exit advice");
                    }
                    if (onThrowable) {
                        mv.visitVarInsn(Opcodes.ALOAD, thrownSlot);
                    } else {
                        mv.visitInsn(Opcodes.ACONST_NULL);
                    }
                    cast(Type.getObjectType(THROWABLE), param.type);
                    return;
                case AdviceClass.ALL_ARGUMENTS:
                    if (!"[Ljava/lang/Object;".equals(param.type.getDescriptor())) {
                        throw new Unsupported("@AllArguments not of type Object[]");
                    }
                    pushInt(argumentTypes.length);
                    mv.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
                    for (int i = 0; i < argumentTypes.length; i++) {
                        mv.visitInsn(Opcodes.DUP);
                        pushInt(i);
                        mv.visitVarInsn(argumentTypes[i].getOpcode(Opcodes.ILOAD), argumentSlots[i]);
                        box(argumentTypes[i]);
                        mv.visitInsn(Opcodes.AASTORE);
                    }
                    return;
                default:
                    throw new Unsupported("parameter kind " + param.kind);
            }
        }

        private void store(AdviceClass.Param param) {
            if (param.readOnly) {
                throw new Unsupported("advice " + advice.name + " writes a read-only parameter");
            }
            switch (param.kind) {
                case AdviceClass.ARGUMENT: {
                    Type type = argument(param.index);
                    cast(param.type, type);
                    mv.visitVarInsn(type.getOpcode(Opcodes.ISTORE), argumentSlots[param.index]);
                    return;
                }
                case AdviceClass.RETURN:
                    if (phase != EXIT_PHASE || returnType.getSort() == Type.VOID) {
                        throw new Unsupported("@Return written outside an exit, or of a void method");
                    }
                    cast(param.type, returnType);
                    mv.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), returnSlot);
                    return;
                case AdviceClass.LOCAL:
                    mv.visitVarInsn(param.type.getOpcode(Opcodes.ISTORE), localSlots[localNames.indexOf(param.name)]);
                    return;
                case AdviceClass.FIELD: {
                    Object[] field = field(param.name);
                    Type type = Type.getType((String) field[1]);
                    if (type.getSize() != 1 || param.type.getSize() != 1) {
                        throw new Unsupported("a wide @FieldValue written");
                    }
                    cast(param.type, type);
                    if (((Integer) field[0] & Opcodes.ACC_STATIC) != 0) {
                        mv.visitFieldInsn(Opcodes.PUTSTATIC, owner, param.name, (String) field[1]);
                    } else {
                        if (isConstructor && phase == ENTER_PHASE) {
                            throw new Unsupported("a field written before the constructor ran");
                        }
                        mv.visitVarInsn(Opcodes.ALOAD, 0);
                        mv.visitInsn(Opcodes.SWAP);
                        mv.visitFieldInsn(Opcodes.PUTFIELD, owner, param.name, (String) field[1]);
                    }
                    return;
                }
                default:
                    throw new Unsupported("a write to parameter kind " + param.kind);
            }
        }

        private Type argument(int index) {
            if (index >= argumentTypes.length) {
                throw new Unsupported("@Argument(" + index + ") of a method with " + argumentTypes.length);
            }
            return argumentTypes[index];
        }

        private Object[] field(String name) {
            Object[] field = fields.get(name);
            if (field == null) {
                // Byte Buddy looks up the class hierarchy; the class file alone knows only its own fields
                throw new Unsupported("field " + name + " is not declared by " + owner);
            }
            if (isStatic && ((Integer) field[0] & Opcodes.ACC_STATIC) == 0) {
                throw new Unsupported("instance field " + name + " in a static method");
            }
            return field;
        }

        private void pushInt(int value) {
            if (value <= 5) {
                mv.visitInsn(Opcodes.ICONST_0 + value);
            } else {
                mv.visitIntInsn(Opcodes.BIPUSH, value);
            }
        }

        private void box(Type type) {
            String boxed;
            switch (type.getSort()) {
                case Type.BOOLEAN: boxed = "java/lang/Boolean"; break;
                case Type.BYTE: boxed = "java/lang/Byte"; break;
                case Type.CHAR: boxed = "java/lang/Character"; break;
                case Type.SHORT: boxed = "java/lang/Short"; break;
                case Type.INT: boxed = "java/lang/Integer"; break;
                case Type.LONG: boxed = "java/lang/Long"; break;
                case Type.FLOAT: boxed = "java/lang/Float"; break;
                case Type.DOUBLE: boxed = "java/lang/Double"; break;
                default: return;
            }
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, boxed, "valueOf",
                    "(" + type.getDescriptor() + ")L" + boxed + ";", false);
        }
    }

    /** Stack effects, in slots, of the instructions without operands and of the local variable instructions. */
    static final class StackEffect {
        /** An instruction after which the code does not go on (the next one needs a frame). */
        static final int ENDS = Integer.MIN_VALUE;

        private static final int[] INSN = new int[Opcodes.MONITOREXIT + 1];

        static {
            Arrays.fill(INSN, 0);
            INSN[Opcodes.ACONST_NULL] = 1;
            for (int op = Opcodes.ICONST_M1; op <= Opcodes.ICONST_5; op++) {
                INSN[op] = 1;
            }
            INSN[Opcodes.LCONST_0] = 2;
            INSN[Opcodes.LCONST_1] = 2;
            INSN[Opcodes.FCONST_0] = 1;
            INSN[Opcodes.FCONST_1] = 1;
            INSN[Opcodes.FCONST_2] = 1;
            INSN[Opcodes.DCONST_0] = 2;
            INSN[Opcodes.DCONST_1] = 2;
            INSN[Opcodes.IALOAD] = -1;
            INSN[Opcodes.LALOAD] = 0;
            INSN[Opcodes.FALOAD] = -1;
            INSN[Opcodes.DALOAD] = 0;
            INSN[Opcodes.AALOAD] = -1;
            INSN[Opcodes.BALOAD] = -1;
            INSN[Opcodes.CALOAD] = -1;
            INSN[Opcodes.SALOAD] = -1;
            INSN[Opcodes.IASTORE] = -3;
            INSN[Opcodes.LASTORE] = -4;
            INSN[Opcodes.FASTORE] = -3;
            INSN[Opcodes.DASTORE] = -4;
            INSN[Opcodes.AASTORE] = -3;
            INSN[Opcodes.BASTORE] = -3;
            INSN[Opcodes.CASTORE] = -3;
            INSN[Opcodes.SASTORE] = -3;
            INSN[Opcodes.POP] = -1;
            INSN[Opcodes.POP2] = -2;
            INSN[Opcodes.DUP] = 1;
            INSN[Opcodes.DUP_X1] = 1;
            INSN[Opcodes.DUP_X2] = 1;
            INSN[Opcodes.DUP2] = 2;
            INSN[Opcodes.DUP2_X1] = 2;
            INSN[Opcodes.DUP2_X2] = 2;
            INSN[Opcodes.SWAP] = 0;
            for (int op = Opcodes.IADD; op <= Opcodes.DREM; op++) {
                // IADD, LADD, FADD, DADD, then ISUB... in that order: int and float -1, long and double -2
                INSN[op] = (op - Opcodes.IADD) % 2 == 0 ? -1 : -2;
            }
            for (int op = Opcodes.INEG; op <= Opcodes.DNEG; op++) {
                INSN[op] = 0;
            }
            INSN[Opcodes.ISHL] = -1;
            INSN[Opcodes.LSHL] = -1;
            INSN[Opcodes.ISHR] = -1;
            INSN[Opcodes.LSHR] = -1;
            INSN[Opcodes.IUSHR] = -1;
            INSN[Opcodes.LUSHR] = -1;
            INSN[Opcodes.IAND] = -1;
            INSN[Opcodes.LAND] = -2;
            INSN[Opcodes.IOR] = -1;
            INSN[Opcodes.LOR] = -2;
            INSN[Opcodes.IXOR] = -1;
            INSN[Opcodes.LXOR] = -2;
            INSN[Opcodes.I2L] = 1;
            INSN[Opcodes.I2F] = 0;
            INSN[Opcodes.I2D] = 1;
            INSN[Opcodes.L2I] = -1;
            INSN[Opcodes.L2F] = -1;
            INSN[Opcodes.L2D] = 0;
            INSN[Opcodes.F2I] = 0;
            INSN[Opcodes.F2L] = 1;
            INSN[Opcodes.F2D] = 1;
            INSN[Opcodes.D2I] = -1;
            INSN[Opcodes.D2L] = 0;
            INSN[Opcodes.D2F] = -1;
            INSN[Opcodes.I2B] = 0;
            INSN[Opcodes.I2C] = 0;
            INSN[Opcodes.I2S] = 0;
            INSN[Opcodes.LCMP] = -3;
            INSN[Opcodes.FCMPL] = -1;
            INSN[Opcodes.FCMPG] = -1;
            INSN[Opcodes.DCMPL] = -3;
            INSN[Opcodes.DCMPG] = -3;
            for (int op = Opcodes.IRETURN; op <= Opcodes.RETURN; op++) {
                INSN[op] = ENDS;
            }
            INSN[Opcodes.ARRAYLENGTH] = 0;
            INSN[Opcodes.ATHROW] = ENDS;
            INSN[Opcodes.MONITORENTER] = -1;
            INSN[Opcodes.MONITOREXIT] = -1;
        }

        private StackEffect() {
        }

        static int ofInsn(int opcode) {
            return INSN[opcode];
        }

        static int ofVar(int opcode) {
            switch (opcode) {
                case Opcodes.LLOAD:
                case Opcodes.DLOAD:
                    return 2;
                case Opcodes.ILOAD:
                case Opcodes.FLOAD:
                case Opcodes.ALOAD:
                    return 1;
                case Opcodes.LSTORE:
                case Opcodes.DSTORE:
                    return -2;
                default:
                    return -1;
            }
        }
    }
}
