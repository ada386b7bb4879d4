package io.albtrace.weaver;

import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;

/**
 * For {@link AdviceInliner}'s count of the operand stack's depth: stack effects, in slots, of the instructions
 * without operands, of the local variable instructions and of method calls.
 */
final class StackEffect {
    /** An instruction after which the code does not go on (the next one needs a frame). */
    static final int ENDS = Integer.MIN_VALUE;

    private static final int[] INSN = new int[Opcodes.MONITOREXIT + 1];

    static {
        // what is not set here leaves the depth as it is (NOP, SWAP, the negations ...)
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

    /** An instruction without operands: the depth's change, or {@link #ENDS}. */
    static int ofInsn(int opcode) {
        return INSN[opcode];
    }

    /**
     * A method call's: its arguments (and the receiver, unless {@code INVOKESTATIC} or {@code INVOKEDYNAMIC}) off, its
     * return value on.
     */
    static int ofCall(int opcode, String descriptor) {
        int sizes = Type.getArgumentsAndReturnSizes(descriptor);
        // ASM packs both: the arguments' size, the receiver counted, above 2 bits; the return value's size in them
        int argumentsWithReceiver = sizes >> 2;
        int returned = sizes & 0x3;
        boolean noReceiver = opcode == Opcodes.INVOKESTATIC || opcode == Opcodes.INVOKEDYNAMIC;
        return returned - argumentsWithReceiver + (noReceiver ? 1 : 0);
    }

    /** A load or store of a local variable ({@code RET} is refused before). */
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
