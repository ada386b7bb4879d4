package io.albtrace.weaver;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.jar.asm.Type;

/**
 * Where {@link AdviceInliner} keeps what in a woven method's local variables. The advice's slots sit right after
 * the parameters, so every one of them has the same index at every instruction, and the method's own locals move
 * up to make room:
 *
 * <pre>
 *  slot 0 firstParameter   parametersEnd                 adviceSlotsEnd
 *  |      |                |                             |
 *  +------+----------------+-------------+---------------+-----------+--------+----------------+----------------
 *  | this | the parameters | enter value | each @Local   | returned  | thrown | working copies | the method's
 *  |      | (kept as at    | (if any)    | (in order,    | value     |        | of the         | own locals,
 *  |      | entry)         |             | once)         |           |        | parameters     | moved up by
 *  |      |                |             |               |           |        |                | shift ...
 *  +------+----------------+-------------+---------------+-----------+--------+----------------+----------------
 *                                                        |           |        |                |
 *                                                        returnValue thrown   copies           copies + copiesSize
 *                                                                             = exitAdviceLocals
 *
 *  The enter advice's own locals start at adviceSlotsEnd: it runs before anything right of it is set.
 *  The exit advice's own locals start at exitAdviceLocals: the working copies are dead once the method returned.
 * </pre>
 *
 * <ul>
 * <li>The enter value and the {@code @Local}s are set to their default first, kept for the whole call and listed
 * in every stack map frame of the method.</li>
 * <li>The returned value and the throwable (its slot only with {@code onThrowable}) are set on the way out only,
 * in slots of their own: a return inside one of the method's try blocks stores its value there, where the
 * handler's frame does not expect one of the method's locals.</li>
 * <li>Only with an exit advice: the method's code works on copies of its parameters ({@code this} excepted), made
 * after the enter advice, so the parameters' own slots keep what the exit advice must see (the values at entry,
 * after the enter advice: Byte Buddy's {@code backupArguments}), and keep their types for the exit's frames whatever
 * the method stores in them (a parameter's slot reused for another type). Without an exit advice the returned
 * value, the throwable and the copies take no slots at all.</li>
 * </ul>
 */
final class SlotLayout {

    /** The slot of a value that the layout does not have (no enter value). */
    static final int NONE = -1;

    /** 1 past {@code this} in an instance method, else 0. */
    final int firstParameter;
    /** Each parameter's slot. */
    final int[] argumentSlots;
    /** The first slot after the parameters: the first of the method's own locals before weaving. */
    final int parametersEnd;
    /** The enter advice's return value, or {@link #NONE}. */
    final int enterValue;
    /** The advice's slots kept for the whole call in slot order (the enter value, then each local), their types. */
    final List<Type> adviceSlotTypes;
    /** The first slot after the advice's slots kept for the whole call; the enter advice's own locals start here. */
    final int adviceSlotsEnd;
    final int returnValue;
    final int thrown;
    /** Where the exit advice's own locals start. */
    final int exitAdviceLocals;
    /** The working copies of the parameters (an exit advice only); {@link #copiesSize} slots. */
    final int copies;
    final int copiesSize;
    /** How far the method's own locals move up. */
    final int shift;

    private final List<String> localNames;
    private final int[] localSlots;

    /**
     * @throws Unsupported when the advice declares one {@code @Local} with two types
     */
    SlotLayout(boolean isStatic, Type[] argumentTypes, Type returnType, AdviceClass advice, boolean onThrowable) {
        firstParameter = isStatic ? 0 : 1;
        argumentSlots = new int[argumentTypes.length];
        int slot = firstParameter;
        for (int i = 0; i < argumentTypes.length; i++) {
            argumentSlots[i] = slot;
            slot += argumentTypes[i].getSize();
        }
        parametersEnd = slot;
        List<Type> types = new ArrayList<>();
        AdviceClass.Method enter = advice.enter;
        if (enter != null && enter.returnType.getSort() != Type.VOID) {
            enterValue = slot;
            types.add(enter.returnType);
            slot += enter.returnType.getSize();
        } else {
            enterValue = NONE;
        }
        List<String> names = new ArrayList<>();
        List<Integer> slots = new ArrayList<>();
        for (AdviceClass.Method method : new AdviceClass.Method[] {enter, advice.exit}) {
            if (method == null) {
                continue;
            }
            for (AdviceClass.Param param : method.params) {
                if (param.kind != AdviceClass.Kind.LOCAL) {
                    continue;
                }
                int known = names.indexOf(param.name);
                if (known < 0) {
                    names.add(param.name);
                    slots.add(slot);
                    types.add(param.type);
                    slot += param.type.getSize();
                } else if (!types.get(known + (enterValue == NONE ? 0 : 1)).equals(param.type)) {
                    throw new Unsupported("@Local(\"" + param.name + "\") of two types");
                }
            }
        }
        localNames = names;
        localSlots = new int[slots.size()]; // no stream and method reference: NoLambdaTest says why
        for (int i = 0; i < localSlots.length; i++) {
            localSlots[i] = slots.get(i);
        }
        adviceSlotTypes = Collections.unmodifiableList(types);
        adviceSlotsEnd = slot;
        boolean exit = advice.exit != null;
        returnValue = adviceSlotsEnd;
        thrown = returnValue + (exit ? returnType.getSize() : 0);
        exitAdviceLocals = thrown + (onThrowable ? 1 : 0);
        copies = exitAdviceLocals;
        copiesSize = exit ? parametersEnd - firstParameter : 0;
        shift = copies - parametersEnd + copiesSize;
    }

    /** The slot of the advice's {@code @Local(name)}. */
    int local(String name) {
        return localSlots[localNames.indexOf(name)];
    }

    /** Whether the method's code works on copies of its parameters. */
    boolean copiesParameters() {
        return copiesSize > 0;
    }

    /** The woven slot of one of the method's own slots: a parameter's working copy, or a local moved up. */
    int remap(int slot) {
        if (slot < firstParameter || slot < parametersEnd && !copiesParameters()) {
            return slot;
        }
        return slot < parametersEnd ? copyOf(slot) : slot + shift;
    }

    /** The working copy of the parameter in {@code slot}. */
    int copyOf(int slot) {
        return copies + slot - firstParameter;
    }
}
