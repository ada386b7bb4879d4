package io.albtrace.instrumentation.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.contracts.Balancer;
import io.albtrace.contracts.ServerEntryContract;
import io.albtrace.core.Config;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code albtrace.instrumentation.servlet.enabled=false} (set for this test's JVM in the pom): the container is left
 * as it is. Nothing is bound, so the servlet's call goes out with a Root of its own (the JDK client is still
 * instrumented) and the response is not changed even with {@code albtrace.response.header=true}.
 */
@ExtendWith(InstalledAgent.class)
class DisabledTest {

    @Test
    void theContainerIsLeftAlone() throws Exception {
        assertEquals(false, Config.current().instrumentationEnabled("servlet"));
        Properties p = new Properties();
        p.setProperty(Config.RESPONSE_HEADER, "true");
        p.setProperty(Config.instrumentationKey("servlet"), "false");
        Config previous = Config.install(Config.load(p, Map.of()));
        try (RecordingServer back = new RecordingServer(); Container container = startWith(back)) {
            Balancer.Answer answer = Balancer.get(container.url("/front"), "Root=" + Trace.ROOT);
            assertEquals(200, answer.status);
            assertEquals("null", answer.body, "no context in the servlet");
            assertEquals(List.of(), answer.traceHeaders, "the response is not changed");
            assertEquals(List.of("null"), Recorder.at("filter-REQUEST"));
            List<RecordingServer.Received> calls = back.received();
            assertEquals(2, calls.size(), calls::toString);
            for (RecordingServer.Received call : calls) {
                Trace.assertForwarded("Root={NEW}", "Root=" + Trace.ROOT, call.traceHeader());
            }
        } finally {
            Config.install(previous);
        }
    }

    private static Container startWith(RecordingServer back) throws Exception {
        Recorder.clear();
        ServerEntryContract.callBackAt(back.url(""));
        return Container.start();
    }
}
