package io.albtrace.instrumentation.undertow;

import io.albtrace.contracts.ServerEntryAdapter;
import io.albtrace.contracts.ServerEntryContract;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server entry contract ({@link ServerEntryContract}) with the application run by a task the root handler gives
 * to {@code exchange.dispatch(Runnable)} (the I/O thread hands it to Undertow's worker pool, XNIO's, not one of the
 * JDK's executors): the task runs with its request's context, and the worker keeps nothing afterwards.
 */
@ExtendWith(InstalledAgent.class)
class UndertowDispatchTaskContractTest extends ServerEntryContract {

    @Override
    protected ServerEntryAdapter adapter() {
        return () -> UndertowContractTest.running(new UndertowServer(exchange -> {
            if (exchange.isInIoThread()) {
                exchange.dispatch(() -> {
                    exchange.startBlocking();
                    try {
                        UndertowServer.serve(exchange);
                    } catch (Exception e) {
                        exchange.setStatusCode(500);
                    }
                    exchange.endExchange();
                });
            }
        }));
    }

    @Override
    public String toString() {
        return "undertow dispatch(Runnable) " + System.getProperty("undertow.test.version");
    }
}
