package io.albtrace.instrumentation.reactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.StdErr;
import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.instrumentation.testing.TestAgent;
import io.albtrace.testing.Trace;
import io.albtrace.instrumentation.testing.ChangedLibrary;
import io.albtrace.weaver.Installer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * A reactor-core the agent does not know: this run's reactor-core loaded again in a class loader of its own, with
 * {@code Operators.lift(Predicate, BiFunction)}, which the agent's advice calls, renamed {@code liftAt} in every Reactor class
 * (Reactor itself still works). The check before weaving finds it missing, says so once, weaves none of Reactor's
 * classes in that class loader: no operator is lifted, and a task given to a scheduler runs without the context.
 */
@ExtendWith(InstalledAgent.class)
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class ChangedLibraryVersionTest {

    @Test
    void aMissingMethodSkipsReactorWithOneWarningAndReactorStillWorks() throws Exception {
        List<String> before = Installer.versionProblems();
        List<String> said = new ArrayList<>();
        StdErr.capture(() -> {
            // two class loaders with that version: one warning
            for (int i = 0; i < 2; i++) {
                assertEquals("MonoSubscribeOnValue null", driver(reactor(true)).call());
            }
            return null;
        }, said);
        String warning = TestAgent.expectOneNewVersionProblem(before);
        String version = System.getProperty("reactor.test.version");
        assertTrue(warning.startsWith("reactor: reactor-core " + version + " (reactor-core-" + version + ".jar) is not"
                + " a version this agent knows: "), "names the library and its version: " + warning);
        assertTrue(warning.contains("it has no static method reactor.core.publisher.Operators.lift("
                + "java.util.function.Predicate, java.util.function.BiFunction) returning java.util.function.Function, which "), warning);
        assertTrue(warning.contains("The reactor instrumentation is skipped in class loader changed-reactor ("),
                warning);
        assertEquals(List.of("[albtrace] " + warning), said, "said once, and nothing else");
    }

    /** The same reactor-core unchanged in a class loader of its own is checked, passes, and is woven: the control. */
    @Test
    void theSameReactorUnchangedIsWoven() throws Exception {
        List<String> before = Installer.versionProblems();
        assertEquals("MonoLift " + Trace.CONTEXT, driver(reactor(false)).call());
        assertEquals(before, Installer.versionProblems());
    }

    @SuppressWarnings("unchecked")
    private static Callable<String> driver(ClassLoader reactor) throws Exception {
        return (Callable<String>) reactor.loadClass(Driver.class.getName()).getConstructor().newInstance();
    }

    /**
     * In the context {@link Trace#CONTEXT}: the class of an assembled {@code map}, and the context a task given to a
     * scheduler of an executor of the application's runs with; for the Reactor of the class loader that defined it.
     */
    public static final class Driver implements Callable<String> {

        @Override
        public String call() throws Exception {
            try (OwnThread thread = new OwnThread("changed-executor")) {
                Scheduler scheduler = Schedulers.fromExecutor(thread);
                try (Scope s = Context.bind(Trace.CONTEXT)) {
                    String assembled = Mono.just(1).publishOn(scheduler).getClass().getSimpleName();
                    return assembled + " " + Mono.fromCallable(() -> String.valueOf(Context.current()))
                            .subscribeOn(scheduler).block();
                }
            }
        }
    }

    /**
     * This run's reactor-core classes and {@link Driver} in a class loader of their own ({@link ChangedLibrary}); with
     * {@code rename}, {@code Operators.lift(Predicate, BiFunction)} is {@code liftAt}, declared and called.
     */
    private static ClassLoader reactor(boolean rename) {
        return new ChangedLibrary(rename ? "changed-reactor" : "unchanged-reactor",
                ChangedLibraryVersionTest.class.getClassLoader(),
                name -> name.startsWith("reactor.") || name.startsWith(Driver.class.getName())
                        || name.equals(OwnThread.class.getName()),
                rename ? ChangedLibrary.renaming("reactor/core/publisher/Operators"::equals, "lift",
                        "(Ljava/util/function/Predicate;Ljava/util/function/BiFunction;)Ljava/util/function/Function;",
                        "liftAt")
                        : bytes -> bytes);
    }
}
