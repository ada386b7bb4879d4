package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import okhttp3.Call;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/**
 * What OkHttp shows of the forwarded header: the call's request ({@code call.request()}), and when the context is
 * taken (when the call is made). The contract common to every client is {@link OkHttpClientContractTest}'s.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class ContextForwardingTest extends OkHttpTestSupport {

    @Test
    void theCallsRequestShowsTheHeaderThatIsSentWhenTheApplicationSetOne() throws Exception {
        String own = "Root=1-8a3c60f7-d188f8fa79d48a391a778fa6;CalledFrom=app";
        Call call = client.newCall(request("/own").header(Trace.NAME, own).build());
        String shown = call.request().header(Trace.NAME);
        try (Response response = call.execute()) {
            response.body().string();
        }
        assertEquals(shown, server.only().traceHeader());
        Trace.self(shown, own);
    }

    /**
     * OkHttp 3.14 and 4.x: the call's request is rebuilt with the forwarded header when the call is made, so
     * {@code call.request()} shows the header that is sent (OkHttp 5.0 to 5.2 too). OkHttp 5.3.0 to 5.5.1 (this run's
     * 5.x is one: {@link VersionGateTest}): the header is written on the wire and never becomes part of a
     * {@code Request} (no request is rebuilt) when the application set none; the call keeps its state in its tags.
     */
    @Test
    void theCallsRequestShowsTheHeaderThatIsSentBeforeOkHttp53() throws Exception {
        Call call;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            call = client.newCall(request("/shown").build());
        }
        String shown = call.request().header(Trace.NAME);
        if (OkHttpLineTest.hasCallTags()) {
            assertNull(shown, "OkHttp 5.3+: the call's request is the application's");
            assertNotNull(CallTags.state(call), "OkHttp 5.3+: the call's state is in its tags");
        } else {
            assertNotNull(shown);
        }
        try (Response response = call.execute()) {
            assertEquals(200, response.code());
            response.body().string();
        }
        if (shown != null) {
            assertEquals(shown, server.only().traceHeader());
        }
        Trace.self(server.only().traceHeader(), Trace.CONTEXT);
    }

    @Test
    void theContextIsTakenWhenTheCallIsMadeNotWhenItIsExecuted() throws Exception {
        Request request = request("/made").build();
        Call call;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            call = client.newCall(request);
        }
        try (Scope s = Context.bind("Root=1-11111111-111111111111111111111111")) {
            try (Response response = call.execute()) {
                response.body().string();
            }
        }
        Trace.self(server.only().traceHeader(), Trace.CONTEXT);
        assertNull(request.header(Trace.NAME), "the application's own Request object is not changed");
    }
}
