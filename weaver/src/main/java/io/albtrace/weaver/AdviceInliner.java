package io.albtrace.weaver;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import net.bytebuddy.jar.asm.AnnotationVisitor;
import net.bytebuddy.jar.asm.Attribute;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ConstantDynamic;
import net.bytebuddy.jar.asm.Handle;
import net.bytebuddy.jar.asm.Label;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import net.bytebuddy.jar.asm.TypePath;

/**
 * Inlines one advice class into one method, the way Byte Buddy's {@code Advice} does, with ASM alone:
 * <ul>
 * <li>the method's own locals move up by the slots the advice keeps for the whole call (the enter method's value,
 * each {@code @Local}), which sit right after the parameters, are set to their default first, and are added to
 * every stack map frame of the method ({@link SlotLayout} has where what is);</li>
 * <li>the enter method's code runs first; each return of the method stores the value and jumps to the exit
 * method's code, which ends with the return (or, {@code onThrowable}, the rethrow of what the method threw);</li>
 * <li>{@code suppress = Throwable.class}: whatever the advice throws is caught, reported once
 * ({@code Log.adviceFailed}) and the method goes on.</li>
 * </ul>
 * The woven method, in order:
 * <pre>
 *                 the advice's try/catch blocks registered (before the method's first label: {@link #begin})
 *                 the advice's slots set to their default
 *                 the enter advice                  (then its suppress handler; its end)
 *                 the working copies of the parameters made (with an exit advice)
 *   bodyStart:    the method's code                 (each return: the value stored, GOTO exitLabel)
 *   throwHandler: the throwable stored              (onThrowable)
 *   exitLabel:    the exit advice                   (then its suppress handler; its end)
 *                 the throwable rethrown if there is one, else the value returned
 * </pre>
 * The class file must be read with {@code EXPAND_FRAMES}. Whatever this cannot do safely (a return with more than
 * its value on the operand stack, {@code onThrowable} on a constructor, a class without stack map frames and an
 * exit advice) throws {@link Unsupported} before the class is defined, and Byte Buddy weaves it instead. A woven
 * method over the class file's limits of local variable or operand stack slots throws {@link TooLarge} (and ASM's
 * writer, past 65,535 bytes of code, its own exception, which {@link AsmWeaver} turns into one): the class is left
 * as it is.
 */
final class AdviceInliner extends MethodVisitor {

    /** Which of the advice's methods is inlined: the enter advice, before the method's code, or the exit advice. */
    enum Phase {
        ENTER, EXIT
    }

    /** The operand stack's depth where it is not known: after a jump, until the next frame or known label. */
    private static final int UNKNOWN_DEPTH = -1;
    /** The depth at the start of an exception handler: the exception. */
    private static final int HANDLER_DEPTH = 1;
    private static final String THROWABLE = "java/lang/Throwable";
    private static final String OBJECT = "java/lang/Object";
    /**
     * Operand stack slots the inliner may need beyond the advice method's own: an advice parameter is replaced by
     * more than one value at most while {@code @AllArguments} fills its array (the array, its copy, the index and a
     * wide argument: 5) or a {@code @FieldValue} is written ({@code this} under the value: 1 more than the value).
     */
    private static final int SUBSTITUTION_STACK = 6;

    // the method woven
    private final String owner;
    private final String methodName;
    private final String methodDescriptor;
    private final int classVersion;
    /** Whether the class file has stack map frames (version 50 and later), and the woven method must have them. */
    private final boolean frames;
    private final boolean isStatic;
    private final boolean isConstructor;
    private final Type[] argumentTypes;
    private final Type returnType;
    /** The fields its class declares, by name. */
    private final Map<String, AsmWeaver.Member> fields;

    // the advice
    private final AdviceClass advice;
    private final String module;
    private final boolean onThrowable;
    private final SlotLayout slots;
    /** The types of the advice's slots kept for the whole call ({@link SlotLayout#adviceSlotTypes}) as frame items. */
    private final List<Object> adviceSlotItems = new ArrayList<>();

    /** Where each return of the method jumps to: the exit advice. */
    private final Label exitLabel = new Label();
    /** The method's own code, which the {@code onThrowable} handler covers, starts here. */
    private final Label bodyStart = new Label();
    private final Label throwHandler = new Label();
    /** The operand stack's depth in slots, or {@link #UNKNOWN_DEPTH}. */
    private int depth;
    /**
     * The depth at labels jumped to, for code without stack map frames: the JVM gives a class it had from its
     * class-data sharing archive (the JDK's own, loaded before the agent) to retransformation without them.
     */
    private final Map<Label, Integer> labelDepths = new IdentityHashMap<>();
    /** The largest operand stack the advice's code needs. */
    private int adviceMaxStack;
    /** The first slot past the advice's own locals, in either phase ({@link SlotLayout}). */
    private int adviceLocalsEnd;
    /** Whether the prologue (the advice's try/catch blocks, its slots set, the enter advice) is written. */
    private boolean begun;
    /** The enter and exit advice, their try/catch blocks registered by the prologue; null for none. */
    private AdviceCode enterCode;
    private AdviceCode exitCode;

    AdviceInliner(MethodVisitor next, String owner, int classVersion, int access, String name, String descriptor,
            AdviceClass advice, String module, Map<String, AsmWeaver.Member> fields) {
        super(Opcodes.ASM9, next);
        this.owner = owner;
        this.methodName = name;
        this.methodDescriptor = descriptor;
        this.classVersion = classVersion;
        this.frames = classVersion >= Opcodes.V1_6;
        this.isStatic = (access & Opcodes.ACC_STATIC) != 0;
        this.isConstructor = "<init>".equals(name);
        this.argumentTypes = Type.getArgumentTypes(descriptor);
        this.returnType = Type.getReturnType(descriptor);
        this.advice = advice;
        this.module = module;
        this.fields = fields;
        if (advice.exit != null && !frames) {
            throw new Unsupported("a class file without stack map frames (version " + classVersion + ")");
        }
        this.onThrowable = advice.exit != null && advice.exit.onThrowable;
        if (onThrowable && isConstructor) {
            throw new Unsupported("onThrowable on a constructor");
        }
        this.slots = new SlotLayout(isStatic, argumentTypes, returnType, advice, onThrowable);
        for (Type type : slots.adviceSlotTypes) {
            adviceSlotItems.add(frameType(type));
        }
    }

    // ---- the prologue: before the method's own code ----

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
        registerTryCatchBlocks();
        setAdviceSlotsToDefault();
        if (enterCode != null) {
            inline(enterCode, Phase.ENTER);
        }
        copyParameters();
        if (onThrowable) {
            mv.visitLabel(bodyStart);
        }
        depth = 0;
    }

    /** The enter advice's, the {@code onThrowable} handler's around the method's code, the exit advice's. */
    private void registerTryCatchBlocks() {
        if (advice.enter != null) {
            enterCode = register(advice.enter);
        }
        if (onThrowable) {
            mv.visitTryCatchBlock(bodyStart, throwHandler, throwHandler, THROWABLE);
        }
        if (advice.exit != null) {
            exitCode = register(advice.exit);
        }
    }

    private void setAdviceSlotsToDefault() {
        int slot = slots.parametersEnd;
        for (Type type : slots.adviceSlotTypes) {
            pushDefault(type);
            mv.visitVarInsn(type.getOpcode(Opcodes.ISTORE), slot);
            slot += type.getSize();
        }
    }

    /** The working copies of the parameters, which the method's code uses from here on ({@link SlotLayout}). */
    private void copyParameters() {
        if (!slots.copiesParameters()) {
            return;
        }
        for (int i = 0; i < argumentTypes.length; i++) {
            Type type = argumentTypes[i];
            mv.visitVarInsn(type.getOpcode(Opcodes.ILOAD), slots.argumentSlots[i]);
            mv.visitVarInsn(type.getOpcode(Opcodes.ISTORE), slots.copyOf(slots.argumentSlots[i]));
        }
    }

    // ---- the method's own code: its locals moved, its frames widened, its returns sent to the exit advice ----

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
        begin();
        if (type != Opcodes.F_NEW) {
            throw new Unsupported("compressed stack map frames (the class was not read with EXPAND_FRAMES)");
        }
        Object[] locals = wovenFrameLocals(local, numLocal);
        depth = 0;
        for (int i = 0; i < numStack; i++) {
            depth += frameSlots(stack[i]);
        }
        mv.visitFrame(Opcodes.F_NEW, locals.length, locals, numStack, stack);
    }

    /** A frame's locals as {@link SlotLayout} has them: the advice's slots after the parameters, and so on. */
    private Object[] wovenFrameLocals(Object[] local, int numLocal) {
        if (slots.shift == 0) {
            return Arrays.copyOf(local, numLocal);
        }
        int parameterItems = parameterItems(local, numLocal);
        List<Object> parameters = parameterFrameItems(local, parameterItems);
        List<Object> out = new ArrayList<>(numLocal + adviceSlotItems.size() + parameters.size());
        if (!slots.copiesParameters()) {
            out.addAll(parameters);
            out.addAll(adviceSlotItems);
            addTop(out, slots.copies - slots.adviceSlotsEnd);
        } else {
            if (!isStatic) {
                // this, as the frame has it (uninitialized in a constructor until its super call)
                out.add(parameters.get(0));
            }
            // the parameters' own slots hold what they held at entry; the method's values are in the copies
            for (Type type : argumentTypes) {
                out.add(frameType(type));
            }
            out.addAll(adviceSlotItems);
            // the return and throwable slots: set only on the way out
            addTop(out, slots.copies - slots.adviceSlotsEnd);
            out.addAll(parameters.subList(slots.firstParameter, parameters.size()));
        }
        out.addAll(Arrays.asList(local).subList(parameterItems, numLocal));
        return out.toArray();
    }

    /** How many of a frame's items stand for {@code this} and the parameters. */
    private int parameterItems(Object[] local, int numLocal) {
        int slot = 0;
        int items = 0;
        while (items < numLocal && slot < slots.parametersEnd) {
            slot += frameSlots(local[items]);
            items++;
        }
        if (slot > slots.parametersEnd) {
            throw new Unsupported("a frame whose locals do not line up with the parameters");
        }
        return items;
    }

    /** The frame's items for {@code this} and the parameters, one TOP a slot where the frame lists none. */
    private List<Object> parameterFrameItems(Object[] local, int parameterItems) {
        List<Object> items = new ArrayList<>(argumentTypes.length + 1); // and this
        int slot = 0;
        for (int i = 0; i < parameterItems; i++) {
            items.add(local[i]);
            slot += frameSlots(local[i]);
        }
        addTop(items, slots.parametersEnd - slot);
        return items;
    }

    @Override
    public void visitVarInsn(int opcode, int var) {
        begin();
        if (opcode == Opcodes.RET) {
            throw new Unsupported("jsr/ret");
        }
        step(StackEffect.ofVar(opcode));
        mv.visitVarInsn(opcode, slots.remap(var));
    }

    @Override
    public void visitIincInsn(int var, int increment) {
        begin();
        mv.visitIincInsn(slots.remap(var), increment);
    }

    @Override
    public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end,
            int index) {
        begin();
        mv.visitLocalVariable(name, descriptor, signature, start, end, slots.remap(index));
    }

    @Override
    public AnnotationVisitor visitLocalVariableAnnotation(int typeRef, TypePath typePath, Label[] start, Label[] end,
            int[] index, String descriptor, boolean visible) {
        int[] moved = new int[index.length];
        for (int i = 0; i < index.length; i++) {
            moved[i] = slots.remap(index[i]);
        }
        return mv.visitLocalVariableAnnotation(typeRef, typePath, start, end, moved, descriptor, visible);
    }

    @Override
    public void visitInsn(int opcode) {
        begin();
        if (opcode >= Opcodes.IRETURN && opcode <= Opcodes.RETURN && advice.exit != null) {
            returnToExit();
            return;
        }
        step(StackEffect.ofInsn(opcode));
        mv.visitInsn(opcode);
    }

    /** A return of the method: its value stored, no throwable, on to the exit advice. */
    private void returnToExit() {
        if (depth != returnType.getSize()) {
            throw new Unsupported("a return in " + methodName + " with "
                    + (depth == UNKNOWN_DEPTH ? "an unknown" : String.valueOf(depth))
                    + " slot(s) on the operand stack");
        }
        if (returnType.getSort() != Type.VOID) {
            mv.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), slots.returnValue);
        }
        if (onThrowable) {
            mv.visitInsn(Opcodes.ACONST_NULL);
            mv.visitVarInsn(Opcodes.ASTORE, slots.thrown);
        }
        mv.visitJumpInsn(Opcodes.GOTO, exitLabel);
        depth = UNKNOWN_DEPTH;
    }

    @Override
    public void visitIntInsn(int opcode, int operand) {
        begin();
        // BIPUSH and SIPUSH push an int; NEWARRAY replaces the length with the array
        step(opcode == Opcodes.NEWARRAY ? 0 : 1);
        mv.visitIntInsn(opcode, operand);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
        begin();
        // NEW pushes; ANEWARRAY, CHECKCAST and INSTANCEOF replace what is on top
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
        step(StackEffect.ofCall(opcode, descriptor));
        mv.visitMethodInsn(opcode, methodOwner, name, descriptor, isInterface);
    }

    @Override
    public void visitInvokeDynamicInsn(String name, String descriptor, Handle bootstrap, Object... arguments) {
        begin();
        step(StackEffect.ofCall(Opcodes.INVOKEDYNAMIC, descriptor));
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
            depth = UNKNOWN_DEPTH;
        } else {
            // IF_ICMPxx and IF_ACMPxx compare two values, the other IFs one
            step(opcode >= Opcodes.IF_ICMPEQ && opcode <= Opcodes.IF_ACMPNE ? -2 : -1);
            jumpsTo(label);
        }
        mv.visitJumpInsn(opcode, label);
    }

    private void jumpsTo(Label label) {
        if (depth != UNKNOWN_DEPTH) {
            labelDepths.putIfAbsent(label, depth);
        }
    }

    @Override
    public void visitLabel(Label label) {
        begin();
        if (depth == UNKNOWN_DEPTH) {
            Integer known = labelDepths.get(label);
            if (known != null) {
                depth = known;
            }
        }
        mv.visitLabel(label);
    }

    @Override
    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
        labelDepths.put(handler, HANDLER_DEPTH);
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
        depth = UNKNOWN_DEPTH;
    }

    @Override
    public void visitMultiANewArrayInsn(String descriptor, int dimensions) {
        begin();
        step(1 - dimensions);
        mv.visitMultiANewArrayInsn(descriptor, dimensions);
    }

    private void step(int effect) {
        if (effect == StackEffect.ENDS) {
            depth = UNKNOWN_DEPTH;
        } else if (depth != UNKNOWN_DEPTH) {
            depth += effect;
        }
    }

    // ---- the epilogue: the exit advice, after the method's own code ----

    @Override
    public void visitMaxs(int maxStack, int maxLocals) {
        begin();
        if (advice.exit != null) {
            writeExit();
        }
        // the method's own locals, moved up, and the advice's own (in each phase past every slot its frames list)
        int locals = Math.max(maxLocals + slots.shift, adviceLocalsEnd);
        int stack = Math.max(maxStack, adviceMaxStack + SUBSTITUTION_STACK);
        // ASM writes both as they are, cut to 16 bits: a class the JVM would refuse to load
        if (locals > TooLarge.CLASS_FILE_LIMIT) {
            throw TooLarge.method(owner, methodName + methodDescriptor, locals, "local variable slots");
        }
        if (stack > TooLarge.CLASS_FILE_LIMIT) {
            throw TooLarge.method(owner, methodName + methodDescriptor, stack, "operand stack slots");
        }
        mv.visitMaxs(stack, locals);
    }

    /**
     * The {@code onThrowable} handler (the throwable stored, the return value's slot set to its default), then where
     * every return jumps: the exit advice, the rethrow of the throwable if there is one, the return.
     */
    private void writeExit() {
        if (onThrowable) {
            mv.visitLabel(throwHandler);
            frame(Phase.EXIT, false, THROWABLE);
            mv.visitVarInsn(Opcodes.ASTORE, slots.thrown);
            if (returnType.getSort() != Type.VOID) {
                pushDefault(returnType);
                mv.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), slots.returnValue);
            }
        }
        // written even where nothing jumps here (a method that only throws): its try/catch blocks are registered
        mv.visitLabel(exitLabel);
        frame(Phase.EXIT, true, null);
        inline(exitCode, Phase.EXIT);
        if (onThrowable) {
            Label normal = new Label();
            mv.visitVarInsn(Opcodes.ALOAD, slots.thrown);
            mv.visitJumpInsn(Opcodes.IFNULL, normal);
            mv.visitVarInsn(Opcodes.ALOAD, slots.thrown);
            mv.visitInsn(Opcodes.ATHROW);
            mv.visitLabel(normal);
            frame(Phase.EXIT, true, null);
        }
        if (returnType.getSort() != Type.VOID) {
            mv.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), slots.returnValue);
        }
        mv.visitInsn(returnType.getOpcode(Opcodes.IRETURN));
    }

    // ---- the advice's code ----

    /**
     * A stack map frame at the advice's boundaries: the parameters and the advice's slots, and for the exit phase the
     * return value and the throwable (when {@code exitSlots}), with one item on the stack or none.
     */
    private void frame(Phase phase, boolean exitSlots, Object stackItem) {
        if (!frames) {
            return;
        }
        List<Object> locals = adviceFrameLocals(phase);
        if (exitSlots) {
            addExitSlots(locals);
        }
        Object[] stack = stackItem == null ? new Object[0] : new Object[] {stackItem};
        mv.visitFrame(Opcodes.F_NEW, locals.size(), locals.toArray(), stack.length, stack);
    }

    /** The frame items of the return value's and the throwable's slots. */
    private void addExitSlots(List<Object> locals) {
        if (returnType.getSort() != Type.VOID) {
            locals.add(frameType(returnType));
        }
        if (onThrowable) {
            locals.add(THROWABLE);
        }
    }

    /** {@code this}, the parameters and the advice's slots, as frame items: what the advice's frames start with. */
    private List<Object> adviceFrameLocals(Phase phase) {
        // room for this, the parameters, the advice's slots, the return value and the throwable
        List<Object> locals = new ArrayList<>(argumentTypes.length + adviceSlotItems.size() + 3);
        if (!isStatic) {
            locals.add(isConstructor && phase == Phase.ENTER ? Opcodes.UNINITIALIZED_THIS : owner);
        }
        for (Type type : argumentTypes) {
            locals.add(frameType(type));
        }
        locals.addAll(adviceSlotItems);
        return locals;
    }

    /** One advice method to inline: the labels around its code and its own try/catch blocks, registered early. */
    private static final class AdviceCode {
        final AdviceClass.Method method;
        final Label start = new Label();
        /** The {@code suppress} handler, right after the advice's code. */
        final Label handler = new Label();
        final Label end = new Label();
        /**
         * The labels of the advice method's own try/catch blocks as registered: start, end and handler of each, in
         * the order a read of its code meets them.
         */
        final List<Label> tryCatchLabels;

        AdviceCode(AdviceClass.Method method, List<Label> tryCatchLabels) {
            this.method = method;
            this.tryCatchLabels = tryCatchLabels;
        }
    }

    /**
     * Registers an advice method's try/catch blocks, before any of their labels: its own (read from its code now,
     * with labels that the copy of its code later maps its own to) and then, with {@code suppress}, the one around
     * all of it.
     */
    private AdviceCode register(AdviceClass.Method method) {
        List<Label> blocks = new ArrayList<>(0);
        if (method.hasTryCatchBlocks(advice.bytes)) {
            readMethod(method, new MethodVisitor(Opcodes.ASM9) {
                @Override
                public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
                    blocks.addAll(Arrays.asList(start, end, handler));
                    AdviceInliner.this.mv.visitTryCatchBlock(start, end, handler, type);
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        }
        AdviceCode code = new AdviceCode(method, blocks);
        if (method.suppress) {
            mv.visitTryCatchBlock(code.start, code.handler, code.handler, THROWABLE);
        }
        return code;
    }

    /** Reads one advice method's code from the advice's class file into {@code visitor}. */
    private void readMethod(AdviceClass.Method method, MethodVisitor visitor, int readerFlags) {
        new ClassReader(advice.bytes).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                return name.equals(method.name) && descriptor.equals(method.descriptor) ? visitor : null;
            }
        }, readerFlags);
    }

    /**
     * Inlines one advice method: its code (its returns jump to its end), then with {@code suppress} its handler,
     * which reports what it threw, then its end, where the method goes on.
     */
    private void inline(AdviceCode code, Phase phase) {
        AdviceClass.Method method = code.method;
        mv.visitLabel(code.start);
        Copier copier = new Copier(code, phase);
        readMethod(method, copier, ClassReader.EXPAND_FRAMES | ClassReader.SKIP_DEBUG);
        if (!copier.copied) {
            throw new Unsupported("advice method " + method.name + " not found in " + advice.name);
        }
        if (method.suppress) {
            mv.visitLabel(code.handler);
            frame(phase, phase == Phase.EXIT, THROWABLE);
            mv.visitLdcInsn(module);
            mv.visitMethodInsn(Opcodes.INVOKESTATIC, "io/albtrace/core/Log", "adviceFailed",
                    "(Ljava/lang/Throwable;Ljava/lang/String;)V", false);
        }
        mv.visitLabel(code.end);
        frame(phase, phase == Phase.EXIT, null);
        // the method's own first instruction may carry a frame of its own: not at the same offset as this one
        mv.visitInsn(Opcodes.NOP);
        adviceMaxStack = Math.max(adviceMaxStack, copier.maxStack);
        adviceLocalsEnd = Math.max(adviceLocalsEnd, copier.localsBase + copier.maxLocals - method.paramSlots);
    }

    // ---- values and types ----

    /** The slots a frame item takes. */
    private static int frameSlots(Object item) {
        return item == Opcodes.LONG || item == Opcodes.DOUBLE ? 2 : 1;
    }

    private static void addTop(List<Object> items, int slots) {
        for (int i = 0; i < slots; i++) {
            items.add(Opcodes.TOP);
        }
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
        if (!OBJECT.equals(to.getInternalName())) {
            mv.visitTypeInsn(Opcodes.CHECKCAST, to.getInternalName());
        }
    }

    /**
     * Copies one advice method's code into the method: its parameters replaced by what they stand for, its own
     * locals moved to where its phase's advice locals start ({@link SlotLayout}), each return a jump to its end, its
     * frames widened with the method's parameters and the advice's slots; debug information and annotations dropped.
     */
    private final class Copier extends MethodVisitor {
        private final AdviceClass.Method method;
        private final Phase phase;
        private final Label end;
        /** Where the advice method's own locals (past its parameters) go. */
        final int localsBase;
        /** {@link AdviceCode#tryCatchLabels}; the next one this copy meets. */
        private final List<Label> registered;
        private int nextRegistered;
        /** This copy's labels of the advice's try/catch blocks, to the labels registered for them. */
        private final Map<Label, Label> labels = new IdentityHashMap<>();
        /** The advice method's own max_stack and max_locals. */
        int maxStack;
        int maxLocals;
        /** Whether the advice method was found (and its code copied). */
        boolean copied;

        Copier(AdviceCode code, Phase phase) {
            super(Opcodes.ASM9, AdviceInliner.this.mv);
            this.method = code.method;
            this.phase = phase;
            this.end = code.end;
            this.registered = code.tryCatchLabels;
            this.localsBase = phase == Phase.ENTER ? slots.adviceSlotsEnd : slots.exitAdviceLocals;
        }

        // ---- labels: the try/catch blocks' were registered before ----

        /** The block was registered already ({@link #register}): this copy's labels stand for those. */
        @Override
        public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
            if (nextRegistered >= registered.size()) {
                throw new Unsupported("advice " + advice.name + ": try/catch blocks changed between two reads");
            }
            for (Label label : new Label[] {start, end, handler}) {
                labels.put(label, registered.get(nextRegistered++));
            }
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

        /** Frame items with this copy's labels (of uninitialized values) mapped. */
        private Object frameItem(Object item) {
            return item instanceof Label ? label((Label) item) : item;
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

        // ---- what is not copied ----

        @Override
        public void visitCode() {
            copied = true;
        }

        @Override
        public void visitParameter(String name, int access) {
        }

        @Override
        public AnnotationVisitor visitAnnotationDefault() {
            return null;
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            return null;
        }

        @Override
        public AnnotationVisitor visitTypeAnnotation(int typeRef, TypePath typePath, String descriptor,
                boolean visible) {
            return null;
        }

        @Override
        public void visitAnnotableParameterCount(int parameterCount, boolean visible) {
        }

        @Override
        public AnnotationVisitor visitParameterAnnotation(int parameter, String descriptor, boolean visible) {
            return null;
        }

        @Override
        public void visitAttribute(Attribute attribute) {
        }

        @Override
        public AnnotationVisitor visitInsnAnnotation(int typeRef, TypePath typePath, String descriptor,
                boolean visible) {
            return null;
        }

        @Override
        public AnnotationVisitor visitTryCatchAnnotation(int typeRef, TypePath typePath, String descriptor,
                boolean visible) {
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
        public AnnotationVisitor visitLocalVariableAnnotation(int typeRef, TypePath typePath, Label[] start,
                Label[] end, int[] index, String descriptor, boolean visible) {
            return null;
        }

        @Override
        public void visitMaxs(int stack, int locals) {
            maxStack = stack;
            maxLocals = locals;
        }

        @Override
        public void visitEnd() {
        }

        // ---- frames, returns, locals ----

        /** The advice's frame: its parameters' items replaced by the woven method's frame prefix. */
        @Override
        public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] stack) {
            if (!frames) {
                return;
            }
            if (type != Opcodes.F_NEW) {
                throw new Unsupported("compressed frames in advice " + advice.name);
            }
            List<Object> locals = adviceFrameLocals(phase);
            if (phase == Phase.EXIT) {
                addExitSlots(locals);
            }
            int slot = 0;
            for (int i = 0; i < numLocal; i++) {
                if (slot >= method.paramSlots) {
                    locals.add(frameItem(local[i]));
                }
                slot += frameSlots(local[i]);
            }
            Object[] stackItems = new Object[numStack];
            for (int i = 0; i < numStack; i++) {
                stackItems[i] = frameItem(stack[i]);
            }
            mv.visitFrame(Opcodes.F_NEW, locals.size(), locals.toArray(), numStack, stackItems);
        }

        /** A return of the advice: the enter advice's value kept, the exit advice's dropped; on to the end. */
        @Override
        public void visitInsn(int opcode) {
            if (opcode < Opcodes.IRETURN || opcode > Opcodes.RETURN) {
                mv.visitInsn(opcode);
                return;
            }
            if (opcode != Opcodes.RETURN) {
                if (phase == Phase.ENTER) {
                    mv.visitVarInsn(method.returnType.getOpcode(Opcodes.ISTORE), slots.enterValue);
                } else {
                    mv.visitInsn(method.returnType.getSize() == 2 ? Opcodes.POP2 : Opcodes.POP);
                }
            }
            mv.visitJumpInsn(Opcodes.GOTO, end);
        }

        @Override
        public void visitVarInsn(int opcode, int var) {
            if (var >= method.paramSlots) {
                mv.visitVarInsn(opcode, adviceLocal(var));
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
            mv.visitIincInsn(adviceLocal(var), increment);
        }

        /** The woven slot of one of the advice method's own locals. */
        private int adviceLocal(int var) {
            return var - method.paramSlots + localsBase;
        }

        // ---- instructions the class file's version may not allow ----

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

        // ---- the advice's parameters: what each stands for ----

        /** Pushes what {@code param} stands for, as its type. */
        private void load(AdviceClass.Param param) {
            switch (param.kind) {
                case ARGUMENT:
                    loadArgument(param);
                    return;
                case THIS:
                    if (isStatic || isConstructor && phase == Phase.ENTER) {
                        throw new Unsupported("@This in a static method or before a constructor");
                    }
                    mv.visitVarInsn(Opcodes.ALOAD, 0);
                    cast(Type.getObjectType(owner), param.type);
                    return;
                case RETURN:
                    if (returnType.getSort() == Type.VOID) {
                        throw new Unsupported("@Return of a void method");
                    }
                    mv.visitVarInsn(returnType.getOpcode(Opcodes.ILOAD), slots.returnValue);
                    cast(returnType, param.type);
                    return;
                case ENTER:
                    mv.visitVarInsn(advice.enter.returnType.getOpcode(Opcodes.ILOAD), slots.enterValue);
                    cast(advice.enter.returnType, param.type);
                    return;
                case LOCAL:
                    mv.visitVarInsn(param.type.getOpcode(Opcodes.ILOAD), slots.local(param.name));
                    return;
                case FIELD_VALUE:
                    loadField(param);
                    return;
                case ALL_ARGUMENTS:
                    loadAllArguments(param);
                    return;
                case THROWN:
                    // what the method threw, or null when it returned (always null without onThrowable)
                    if (phase != Phase.EXIT) {
                        throw new Unsupported("@Thrown outside an exit advice");
                    }
                    if (onThrowable) {
                        mv.visitVarInsn(Opcodes.ALOAD, slots.thrown);
                    } else {
                        mv.visitInsn(Opcodes.ACONST_NULL);
                    }
                    cast(Type.getObjectType(THROWABLE), param.type);
                    return;
                default:
                    throw new Unsupported("parameter kind " + param.kind);
            }
        }

        private void loadArgument(AdviceClass.Param param) {
            Type type = argument(param.index);
            mv.visitVarInsn(type.getOpcode(Opcodes.ILOAD), slots.argumentSlots[param.index]);
            cast(type, param.type);
        }

        private void loadField(AdviceClass.Param param) {
            AsmWeaver.Member field = field(param.name);
            if (field.isStatic()) {
                mv.visitFieldInsn(Opcodes.GETSTATIC, owner, param.name, field.descriptor);
            } else {
                mv.visitVarInsn(Opcodes.ALOAD, 0);
                mv.visitFieldInsn(Opcodes.GETFIELD, owner, param.name, field.descriptor);
            }
            cast(Type.getType(field.descriptor), param.type);
        }

        /** A new {@code Object[]} of the arguments, primitives boxed. */
        private void loadAllArguments(AdviceClass.Param param) {
            if (!"[Ljava/lang/Object;".equals(param.type.getDescriptor())) {
                throw new Unsupported("@AllArguments not of type Object[]");
            }
            pushInt(argumentTypes.length);
            mv.visitTypeInsn(Opcodes.ANEWARRAY, OBJECT);
            for (int i = 0; i < argumentTypes.length; i++) {
                mv.visitInsn(Opcodes.DUP);
                pushInt(i);
                mv.visitVarInsn(argumentTypes[i].getOpcode(Opcodes.ILOAD), slots.argumentSlots[i]);
                box(argumentTypes[i]);
                mv.visitInsn(Opcodes.AASTORE);
            }
        }

        /** Stores the value on the stack, of {@code param}'s type, where {@code param} stands for. */
        private void store(AdviceClass.Param param) {
            if (param.readOnly) {
                throw new Unsupported("advice " + advice.name + " writes a read-only parameter");
            }
            switch (param.kind) {
                case ARGUMENT: {
                    Type type = argument(param.index);
                    cast(param.type, type);
                    mv.visitVarInsn(type.getOpcode(Opcodes.ISTORE), slots.argumentSlots[param.index]);
                    return;
                }
                case RETURN:
                    if (phase != Phase.EXIT || returnType.getSort() == Type.VOID) {
                        throw new Unsupported("@Return written outside an exit, or of a void method");
                    }
                    cast(param.type, returnType);
                    mv.visitVarInsn(returnType.getOpcode(Opcodes.ISTORE), slots.returnValue);
                    return;
                case LOCAL:
                    mv.visitVarInsn(param.type.getOpcode(Opcodes.ISTORE), slots.local(param.name));
                    return;
                case FIELD_VALUE:
                    storeField(param);
                    return;
                default:
                    throw new Unsupported("a write to parameter kind " + param.kind);
            }
        }

        private void storeField(AdviceClass.Param param) {
            AsmWeaver.Member field = field(param.name);
            Type type = Type.getType(field.descriptor);
            if (type.getSize() != 1 || param.type.getSize() != 1) {
                throw new Unsupported("a wide @FieldValue written");
            }
            cast(param.type, type);
            if (field.isStatic()) {
                mv.visitFieldInsn(Opcodes.PUTSTATIC, owner, param.name, field.descriptor);
                return;
            }
            if (isConstructor && phase == Phase.ENTER) {
                throw new Unsupported("a field written before the constructor ran");
            }
            // this under the value, as PUTFIELD wants them
            mv.visitVarInsn(Opcodes.ALOAD, 0);
            mv.visitInsn(Opcodes.SWAP);
            mv.visitFieldInsn(Opcodes.PUTFIELD, owner, param.name, field.descriptor);
        }

        private Type argument(int index) {
            if (index >= argumentTypes.length) {
                throw new Unsupported("@Argument(" + index + ") of a method with " + argumentTypes.length);
            }
            return argumentTypes[index];
        }

        private AsmWeaver.Member field(String name) {
            AsmWeaver.Member field = fields.get(name);
            if (field == null) {
                // Byte Buddy looks up the class hierarchy; the class file alone knows only its own fields
                throw new Unsupported("field " + name + " is not declared by " + owner);
            }
            if (isStatic && !field.isStatic()) {
                throw new Unsupported("instance field " + name + " in a static method");
            }
            return field;
        }

        /** Pushes a count or index of the arguments (a method has at most 255). */
        private void pushInt(int value) {
            if (value <= 5) {
                // ICONST_0 to ICONST_5 are consecutive opcodes
                mv.visitInsn(Opcodes.ICONST_0 + value);
            } else if (value <= Byte.MAX_VALUE) {
                mv.visitIntInsn(Opcodes.BIPUSH, value);
            } else {
                mv.visitIntInsn(Opcodes.SIPUSH, value);
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
}
