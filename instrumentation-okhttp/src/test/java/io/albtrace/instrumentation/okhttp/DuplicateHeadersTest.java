package io.albtrace.instrumentation.okhttp;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import org.junit.jupiter.api.Test;

/** SPEC 2.1 and 3: several trace headers on a request: exactly one leaves, derived from the first. */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class DuplicateHeadersTest extends OkHttpTestSupport {

    private static final String FIRST = "Root=1-67891233-abcdef012345678912345678;K=first";
    private static final String SECOND = "Root=1-11111111-111111111111111111111111;K=second";

    @Test
    void twoCopiesWithTheSameName() throws Exception {
        execute(request("/same").addHeader(Trace.NAME, FIRST).addHeader(Trace.NAME, SECOND).build());
        Trace.self(server.only().traceHeader(), FIRST);
    }

    @Test
    void copiesWhoseNamesDifferInCase() throws Exception {
        execute(request("/case").addHeader("x-amzn-trace-id", FIRST).addHeader("X-AMZN-TRACE-ID", SECOND)
                .addHeader(Trace.NAME, "Root=1-22222222-222222222222222222222222").build());
        Trace.self(server.only().traceHeader(), FIRST);
    }

    @Test
    void duplicatesWinOverTheContextToo() throws Exception {
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            execute(request("/ctx").addHeader("X-Amzn-Trace-ID", SECOND).addHeader(Trace.NAME, FIRST).build());
        }
        Trace.self(server.only().traceHeader(), SECOND);
    }
}
