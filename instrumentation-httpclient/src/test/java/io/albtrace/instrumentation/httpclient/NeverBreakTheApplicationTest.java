package io.albtrace.instrumentation.httpclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.contracts.StdErr;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.util.ArrayList;
import java.util.List;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.CloseableHttpResponse;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SPEC 7: an HttpClient version the agent does not know is left as it is, with one warning. (A failure inside the
 * agent: the contract's {@code aFailingIdSourceLeavesTheCallAsIfTheAgentWereAbsent}, on every way.)
 */
@ExtendWith(InstalledAgent.class)
class NeverBreakTheApplicationTest {

    /**
     * A future HttpClient whose {@code InternalHttpClient.doExecute} takes a fourth argument, defined in a fresh
     * class loader of its own: the class is left unchanged, with one warning, and the application's call works.
     */
    private static Class<?> unknownInternalHttpClient() {
        return new ByteBuddy()
                .subclass(CloseableHttpClient.class)
                .name("org.apache.hc.client5.http.impl.classic.InternalHttpClient")
                .defineMethod("doExecute", CloseableHttpResponse.class, Visibility.PROTECTED)
                .withParameters(HttpHost.class, ClassicHttpRequest.class,
                        org.apache.hc.core5.http.protocol.HttpContext.class, String.class)
                .intercept(FixedValue.nullValue())
                .make()
                .load(NeverBreakTheApplicationTest.class.getClassLoader(), ClassLoadingStrategy.Default.CHILD_FIRST)
                .getLoaded();
    }

    @Test
    void anUnknownClientShapeIsLeftUnchangedWithOneWarningAndTheRestStillWorks() throws Exception {
        List<String> said = new ArrayList<>();
        Class<?> first = StdErr.capture(NeverBreakTheApplicationTest::unknownInternalHttpClient, said);
        assertNotSame(NeverBreakTheApplicationTest.class.getClassLoader(), first.getClassLoader());
        assertEquals(1, said.size(), said::toString);
        assertTrue(said.get(0).contains("org.apache.hc.client5.http.impl.classic.InternalHttpClient has no method")
                && said.get(0).contains("unknown library version"), said::toString);
        Class<?> second = StdErr.capture(NeverBreakTheApplicationTest::unknownInternalHttpClient, said);
        assertNotSame(first, second);
        assertEquals(1, said.size(), "the warning is said once: " + said);

        // the application's real client, in its own loader, still works and forwards
        try (RecordingServer server = new RecordingServer(); CloseableHttpClient client = HttpClients.createDefault()) {
            String body = client.execute(new org.apache.hc.client5.http.classic.methods.HttpGet(server.url("/real")),
                    response -> EntityUtils.toString(response.getEntity()));
            assertEquals("ok", body);
            Trace.assertForwarded("Root={NEW}", null, server.only().traceHeader());
        }
    }
}
