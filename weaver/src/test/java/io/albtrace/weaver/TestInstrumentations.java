package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.albtrace.instrumentation.api.AdviceTarget;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Context;
import io.albtrace.core.Outgoing;
import io.albtrace.core.TraceHeader;
import java.util.List;
import net.bytebuddy.asm.Advice;

/**
 * The instrumentation modules of the test class path (listed in META-INF/services). Their names are
 * instrumentation names that {@code Config} knows, so that they can be switched off like real ones.
 */
public final class TestInstrumentations {

    public static final String FIXTURES = "io.albtrace.weaver.fixtures.";
    public static final String GREETER = FIXTURES + "Greeter";
    public static final String ECHO = FIXTURES + "Echo";
    public static final String COUNTER = FIXTURES + "Counter";
    public static final String FAULTY = FIXTURES + "Faulty";
    public static final String UNMATCHED = FIXTURES + "Unmatched";
    public static final String ORPHAN = FIXTURES + "Orphan";
    /** A name on the watch list that no class has: the tests hand the transformer bytes for it directly. */
    public static final String NEVER_LOADED = FIXTURES + "NeverLoaded";

    private TestInstrumentations() {
    }

    /** Greeter and Echo: {@code albtrace.instrumentation.executors.enabled}. */
    public static final class ExecutorsModule extends InstrumentationModule {
        public ExecutorsModule() {
            super("executors");
        }

        @Override
        public List<TypeInstrumentation> typeInstrumentations() {
            return List.of(new GreeterInstrumentation(), new EchoInstrumentation());
        }
    }

    /**
     * Unmatched, whose method is not there (another version of the library): {@code albtrace.instrumentation.okhttp.enabled}.
     * A module of its own: the check before weaving skips every class of a module whose advice does not match.
     */
    public static final class UnmatchedModule extends InstrumentationModule {
        public UnmatchedModule() {
            super("okhttp");
        }

        @Override
        public List<TypeInstrumentation> typeInstrumentations() {
            return List.of(new UnmatchedInstrumentation());
        }
    }

    /** Counter and Orphan: {@code albtrace.instrumentation.servlet.enabled}. */
    public static final class ServletModule extends InstrumentationModule {
        public ServletModule() {
            super("servlet");
        }

        @Override
        public List<TypeInstrumentation> typeInstrumentations() {
            return List.of(new CounterInstrumentation(), new OrphanInstrumentation());
        }
    }

    /** Faulty: {@code albtrace.instrumentation.jdk-httpserver.enabled}. */
    public static final class HttpServerModule extends InstrumentationModule {
        public HttpServerModule() {
            super("jdk-httpserver");
        }

        @Override
        public List<TypeInstrumentation> typeInstrumentations() {
            return List.of(new FaultyInstrumentation());
        }
    }

    public static final class GreeterInstrumentation implements TypeInstrumentation {
        @Override
        public List<String> typeNames() {
            return List.of(GREETER);
        }

        @Override
        public void transform(AdviceTarget target) {
            target.applyAdvice(named("greet").and(takesArguments(1)), GreetAdvice.class.getName());
        }
    }

    /** Appends the Root of the bound context to the greeting. */
    public static final class GreetAdvice {
        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Return(readOnly = false) String greeting) {
            greeting = greeting + " [" + TraceHeader.root(Context.current()) + "]";
        }
    }

    public static final class EchoInstrumentation implements TypeInstrumentation {
        @Override
        public List<String> typeNames() {
            return List.of(ECHO);
        }

        @Override
        public void transform(AdviceTarget target) {
            target.applyAdvice(named("send"), SendAdvice.class.getName());
        }
    }

    /** What client advice does: the argument becomes the header to send (SPEC 5). */
    public static final class SendAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 0, readOnly = false) String traceHeader) {
            traceHeader = Outgoing.header(traceHeader, 0);
        }
    }

    public static final class UnmatchedInstrumentation implements TypeInstrumentation {
        @Override
        public List<String> typeNames() {
            return List.of(UNMATCHED);
        }

        @Override
        public void transform(AdviceTarget target) {
            target.applyAdvice(named("methodOfAnotherLibraryVersion"), GreetAdvice.class.getName());
        }
    }

    public static final class CounterInstrumentation implements TypeInstrumentation {
        @Override
        public List<String> typeNames() {
            return List.of(COUNTER, NEVER_LOADED);
        }

        @Override
        public void transform(AdviceTarget target) {
            target.applyAdvice(named("next"), TimesTenAdvice.class.getName());
        }
    }

    public static final class TimesTenAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 0, readOnly = false) int n) {
            n = n * 10;
        }
    }

    public static final class OrphanInstrumentation implements TypeInstrumentation {
        @Override
        public List<String> typeNames() {
            return List.of(ORPHAN);
        }

        @Override
        public void transform(AdviceTarget target) {
            target.applyAdvice(named("run"), "io.albtrace.instrumentation.api.NoSuchAdvice");
        }
    }

    public static final class FaultyInstrumentation implements TypeInstrumentation {
        @Override
        public List<String> typeNames() {
            return List.of(FAULTY);
        }

        @Override
        public void transform(AdviceTarget target) {
            target.applyAdvice(named("work"), ThrowingAdvice.class.getName());
        }
    }

    /** Advice with a bug: it throws on the way in and on the way out. */
    public static final class ThrowingAdvice {
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 0, readOnly = false) String input) {
            AdviceProbe.FAULTY_ENTERED.incrementAndGet();
            if (input != null) {
                throw new IllegalStateException("deliberate failure on entry");
            }
            input = "changed";
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Return(readOnly = false) String result) {
            AdviceProbe.FAULTY_EXITED.incrementAndGet();
            if (result != null) {
                throw new IllegalStateException("deliberate failure on exit");
            }
            result = "changed";
        }
    }
}
