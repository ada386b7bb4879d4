package io.albtrace.instrumentation.okhttp;

import io.albtrace.core.Context;
import io.albtrace.core.OtherAgents;
import io.albtrace.core.Scope;
import io.albtrace.testing.Trace;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Another tracing agent's OkHttp interceptor writes its X-Ray header over the call's request, as OpenTelemetry's and
 * Datadog's do (an application interceptor added to every client), after albtrace saw the call made: on OkHttp 3.14,
 * 4.x and for a request with the application's header its value is already on the request then, and on OkHttp 5.3+
 * the codec forwards it. Either way, the call sends its own value with the agent's fields ({@code OtherAgents});
 * the application's header still wins over the context. The agent is taken as running
 * ({@link OtherAgents#install}); the smoke tests (OtherAgentsIT) run the real ones.
 */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class OtherAgentTest extends OkHttpTestSupport {

    private static final String THEIRS = "Root=1-6b16dd75-e39a01de1885069a18fa64aa;Parent=5ebb7e5c9e0f3ca1;Sampled=1";
    private static final String OWN = "Root=1-5759e988-bd862e3fe1be46a994272793;CalledFrom=own";

    private String previous;
    private OkHttpClient traced;

    @BeforeEach
    void anotherAgent() {
        previous = OtherAgents.install("OpenTelemetry's Java agent");
        Interceptor theirs = chain -> chain.proceed(chain.request().newBuilder().header(Trace.NAME, THEIRS).build());
        traced = client.newBuilder().addInterceptor(theirs).build();
    }

    @AfterEach
    void restore() {
        OtherAgents.restore(previous);
    }

    private String send(okhttp3.Request request) throws Exception {
        int before = server.received().size();
        try (okhttp3.Response response = traced.newCall(request).execute()) {
            response.body().string();
        }
        return server.received().get(before).traceHeader();
    }

    @Test
    void theContextGoesWithTheirParentAndSampled() throws Exception {
        String sent;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            sent = send(request("/ctx").build());
        }
        Trace.assertForwarded("Self={NEW};" + Trace.CONTEXT + ";Parent=5ebb7e5c9e0f3ca1;Sampled=1", Trace.CONTEXT, sent);
    }

    @Test
    void theApplicationsHeaderStillWins() throws Exception {
        String sent;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            sent = send(request("/own").header(Trace.NAME, OWN).build());
        }
        Trace.assertForwarded("Self={NEW};" + OWN + ";Parent=5ebb7e5c9e0f3ca1;Sampled=1", OWN, sent);
    }

    @Test
    void withoutAContextTheirHeaderGoes() throws Exception {
        Trace.assertForwarded("Self={NEW};" + THEIRS, THEIRS, send(request("/none").build()));
    }
}
