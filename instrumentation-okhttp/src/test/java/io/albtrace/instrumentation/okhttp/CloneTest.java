package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.albtrace.core.Context;
import io.albtrace.core.Scope;
import io.albtrace.testing.RecordingServer;
import io.albtrace.testing.Trace;
import java.util.List;
import okhttp3.Call;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** A cloned call is a new call: its own new Self, the same Root. */
@SuppressWarnings("try") // a Scope is opened for its effect on the context
class CloneTest extends OkHttpTestSupport {

    @Test
    void aClonedCallGetsItsOwnSelfAndKeepsTheRoot() throws Exception {
        Call call;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            call = client.newCall(request("/original").build());
        }
        try (Response r = call.execute()) {
            assertEquals(200, r.code());
            r.body().string();
        }
        try (Response r = call.clone().execute()) {
            assertEquals(200, r.code());
            r.body().string();
        }
        List<RecordingServer.Received> all = server.received();
        assertEquals(2, all.size());
        String self1 = Trace.self(all.get(0).traceHeader(), Trace.CONTEXT);
        String self2 = Trace.self(all.get(1).traceHeader(), Trace.CONTEXT);
        assertNotEquals(self1, self2);
    }

    @Test
    void aCloneOfACallWithoutContextKeepsItsNewRoot() throws Exception {
        Call call = client.newCall(request("/original").build());
        try (Response r = call.execute()) {
            r.body().string();
        }
        try (Response r = call.clone().execute()) {
            r.body().string();
        }
        List<RecordingServer.Received> all = server.received();
        assertEquals(2, all.size());
        String root = Trace.assertForwarded("Root={NEW}", null, all.get(0).traceHeader()).get(0);
        Trace.self(all.get(1).traceHeader(), "Root=" + root);
    }

    @Test
    void aCloneOfACallWhoseOwnHeaderHasNoRootKeepsTheNewRoot() throws Exception {
        Call call = client.newCall(request("/original").header(Trace.NAME, "CalledFrom=app").build());
        try (Response r = call.execute()) {
            r.body().string();
        }
        try (Response r = call.clone().execute()) {
            r.body().string();
        }
        List<RecordingServer.Received> all = server.received();
        assertEquals(2, all.size());
        List<String> fresh = Trace.assertForwarded("Root={NEW};CalledFrom=app", null, all.get(0).traceHeader());
        Trace.self(all.get(1).traceHeader(), "Root=" + fresh.get(0) + ";CalledFrom=app");
    }

    @Test
    void aCloneMadeBeforeTheOriginalRanKeepsItsRoot() throws Exception {
        Call call;
        try (Scope s = Context.bind(Trace.CONTEXT)) {
            call = client.newCall(request("/original").build());
        }
        Call clone = call.clone();
        try (Response r = clone.execute()) {
            r.body().string();
        }
        try (Response r = call.execute()) {
            r.body().string();
        }
        List<RecordingServer.Received> all = server.received();
        assertEquals(2, all.size());
        String self1 = Trace.self(all.get(0).traceHeader(), Trace.CONTEXT);
        String self2 = Trace.self(all.get(1).traceHeader(), Trace.CONTEXT);
        assertNotEquals(self1, self2);
    }
}
