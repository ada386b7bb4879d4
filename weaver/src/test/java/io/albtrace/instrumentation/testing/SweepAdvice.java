package io.albtrace.instrumentation.testing;

import io.albtrace.instrumentation.api.Methods;

import net.bytebuddy.asm.Advice;
import net.bytebuddy.implementation.bytecode.assign.Assigner;

/**
 * Generic advice for the weaver sweep ({@code WeaverSweep}), one class for each kind of parameter and attribute the
 * agent's advice uses, each applied to every method of a target class where Byte Buddy allows it. Their code reads
 * and writes back what it is given and has branches, a loop and a handler of its own, so that the woven methods
 * have the advice's frames and locals as well as the method's. It calls nothing outside the JDK and changes nothing:
 * the forked JVM that loads the woven JDK classes runs them.
 */
@SuppressWarnings({"UnusedAssignment", "unused"})
public final class SweepAdvice {

    private SweepAdvice() {
    }

    /** Nothing but the advice's plumbing (the exception table, the frames at its edges). Every method. */
    public static final class Plain {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter() {
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit() {
        }
    }

    /** A wide value from the enter advice to the exit advice ({@code @Advice.Enter long}). Every method. */
    public static final class EnterValue {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static long enter() {
            long value = 7;
            return value > 3 ? value : -value;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Enter long entered) {
            long seen = entered;
        }
    }

    /** {@code @Advice.This} on entry and exit. Instance methods, not constructors. */
    public static final class This {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.This Object self) {
            Object seen = self == null ? null : self;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object self) {
            Object seen = self;
        }
    }

    /** {@code @Advice.This} once the constructor ran. Constructors. */
    public static final class ConstructedThis {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.This Object self) {
            Object seen = self;
        }
    }

    /** {@code @Advice.AllArguments}, looped over on entry and read in a try/catch on exit. Every method. */
    public static final class AllArguments {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.AllArguments Object[] all) {
            int nulls = 0;
            for (Object argument : all) {
                if (argument == null) {
                    nulls++;
                }
            }
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.AllArguments Object[] all) {
            int count;
            try {
                count = all.length;
            } catch (RuntimeException e) {
                count = -1;
            }
        }
    }

    /** The first argument, a reference, assigned on entry and read on exit. */
    public static final class ReferenceArgument {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(
                @Advice.Argument(value = 0, readOnly = false, typing = Assigner.Typing.DYNAMIC) Object first) {
            Object same = first;
            first = same;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) Object first) {
            Object seen = first;
        }
    }

    /** The first argument, an int, assigned on entry and read on exit. */
    public static final class IntArgument {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 0, readOnly = false) int first) {
            int same = first;
            first = same;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) int first) {
            int seen = first;
        }
    }

    /** The first argument, a long (two slots), assigned on entry and read on exit. */
    public static final class LongArgument {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 0, readOnly = false) long first) {
            long same = first;
            first = same;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Argument(0) long first) {
            long seen = first;
        }
    }

    /** The value returned, a reference, read and assigned. */
    public static final class ReferenceReturn {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Return(readOnly = false, typing = Assigner.Typing.DYNAMIC) Object returned) {
            Object same = returned;
            returned = same;
        }
    }

    /** The value returned, an int, read and assigned. */
    public static final class IntReturn {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Return(readOnly = false) int returned) {
            int same = returned;
            returned = same;
        }
    }

    /** The value returned, a long, read and assigned. */
    public static final class LongReturn {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Return(readOnly = false) long returned) {
            long same = returned;
            returned = same;
        }
    }

    /** An exit advice that runs when the method throws too ({@code onThrowable}). Methods, not constructors. */
    public static final class OnThrowable {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static int enter() {
            return 1;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter int entered) {
            int seen = entered;
        }
    }

    /** {@code @Advice.Local}, set on entry and read on exit. Every method. */
    public static final class Local {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Local("sweep") Object local) {
            local = "entered";
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Local("sweep") Object local) {
            Object seen = local;
        }
    }
}
