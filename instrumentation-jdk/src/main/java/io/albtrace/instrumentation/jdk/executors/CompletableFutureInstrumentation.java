package io.albtrace.instrumentation.jdk.executors;

import static io.albtrace.instrumentation.api.Methods.namedOneOf;
import static io.albtrace.instrumentation.api.Methods.takesArgument;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * {@code CompletableFuture}'s asynchronous stages: {@code supplyAsync}, {@code runAsync} and every
 * {@code then...Async}, {@code ...EitherAsync}, {@code ...BothAsync}, {@code handleAsync},
 * {@code whenCompleteAsync}, {@code exceptionallyAsync}, with the default pool or an executor of the application's.
 * They all go through a private {@code ...Stage(Executor, ...)} method that takes the application's function; when
 * the executor is not null (an {@code ...Async} call) the function is captured, with the context current where the
 * stage was made, and bound where the pool runs it. The function is kept inside the completion, out of the
 * application's sight. The synchronous stages (no executor: {@code thenApply}, {@code whenComplete}, ...) capture
 * the application's function the same way (not the JDK's own, which its HTTP client chains by the dozen): it runs
 * with the context of the code that made the stage, not with the context of whichever thread completes the stage
 * before it (another request's, or none).
 */
public final class CompletableFutureInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("java.util.concurrent.CompletableFuture");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(namedOneOf("uniApplyStage", "uniAcceptStage", "uniRunStage", "uniWhenCompleteStage",
                        "uniHandleStage", "uniExceptionallyStage", "uniComposeExceptionallyStage", "uniComposeStage",
                        "asyncSupplyStage", "asyncRunStage")
                        .and(takesArgument(0, Executor.class)),
                CaptureAdvice.Second.class.getName());
        target.applyAdvice(namedOneOf("biApplyStage", "biAcceptStage", "biRunStage", "orApplyStage", "orAcceptStage",
                        "orRunStage")
                        .and(takesArgument(0, Executor.class)),
                CaptureAdvice.Third.class.getName());
    }
}
