package io.albtrace.weaver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;
import org.junit.jupiter.api.Test;

/**
 * How {@link AdviceClass} reads an advice class file: what each parameter stands for, and the advice it refuses
 * (which Byte Buddy's {@code Advice} then weaves), each with the reason the installer records.
 */
class AdviceClassTest {

    @Test
    void readsWhatEachParameterStandsFor() {
        AdviceClass advice = read(Understood.class);
        assertEquals(List.of("ARGUMENT 1 '' writable", "THIS -1 '' read-only", "LOCAL -1 'start' writable",
                "FIELD_VALUE -1 'name' read-only", "ALL_ARGUMENTS -1 '' read-only"), params(advice.enter));
        assertEquals(List.of("ENTER -1 '' read-only", "RETURN -1 '' writable dynamic", "LOCAL -1 'start' writable"),
                params(advice.exit));
        assertEquals(true, advice.enter.suppress);
        assertEquals(true, advice.exit.onThrowable);
    }

    @Test
    void refusesWhatItDoesNotDo() {
        assertRefused(SuppressException.class, "enter: suppress = Ljava/lang/RuntimeException; (only Throwable is"
                + " supported)");
        assertRefused(NotInlined.class, "enter: inline = false");
        assertRefused(Origin.class, "enter: parameter annotation Lnet/bytebuddy/asm/Advice$Origin;");
        assertRefused(Unannotated.class, "enter: a parameter without an advice annotation");
        assertRefused(ReturnOnEnter.class, "enter: @Return, @Enter or @Thrown in an enter method");
        assertRefused(ThrownOnEnter.class, "enter: @Return, @Enter or @Thrown in an enter method");
        assertRefused(WritableThis.class, "exit: a writable @This, @Enter, @AllArguments or @Thrown");
        assertRefused(OnThrowableUnsuppressed.class, "exit: onThrowable without suppress");
    }

    private static AdviceClass read(Class<?> advice) {
        return AdviceClass.read(advice.getName(), AsmWeaverTest.bytes(advice.getName()));
    }

    private static void assertRefused(Class<?> advice, String problem) {
        Unsupported refused = assertThrows(Unsupported.class, () -> read(advice));
        assertEquals("advice " + advice.getName() + "." + problem, refused.getMessage());
    }

    private static List<String> params(AdviceClass.Method method) {
        List<String> out = new ArrayList<>();
        for (AdviceClass.Param param : method.params) {
            out.add(param.kind + " " + param.index + " '" + param.name + "' "
                    + (param.readOnly ? "read-only" : "writable") + (param.dynamic ? " dynamic" : ""));
        }
        return out;
    }

    static final class Understood {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        static long enter(@Advice.Argument(value = 1, readOnly = false) String second, @Advice.This Object self,
                @Advice.Local("start") long start, @Advice.FieldValue("name") String name,
                @Advice.AllArguments Object[] all) {
            return 0;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        static void exit(@Advice.Enter long entered,
                @Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned,
                @Advice.Local("start") long start) {
        }
    }

    static final class SuppressException {
        @Advice.OnMethodEnter(suppress = RuntimeException.class)
        static void enter() {
        }
    }

    static final class NotInlined {
        @Advice.OnMethodEnter(inline = false)
        static void enter() {
        }
    }

    static final class Origin {
        @Advice.OnMethodEnter
        static void enter(@Advice.Origin String origin) {
        }
    }

    static final class Unannotated {
        @Advice.OnMethodEnter
        static void enter(String nothing) {
        }
    }

    static final class ReturnOnEnter {
        @Advice.OnMethodEnter
        static void enter(@Advice.Return Object returned) {
        }
    }

    static final class ThrownOnEnter {
        @Advice.OnMethodEnter
        static void enter(@Advice.Thrown Throwable thrown) {
        }
    }

    static final class WritableThis {
        @Advice.OnMethodExit
        static void exit(@Advice.This(readOnly = false) Object self) {
        }
    }

    static final class OnThrowableUnsuppressed {
        @Advice.OnMethodExit(onThrowable = Throwable.class)
        static void exit() {
        }
    }
}
