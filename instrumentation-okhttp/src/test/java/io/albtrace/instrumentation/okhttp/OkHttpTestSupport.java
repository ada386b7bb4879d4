package io.albtrace.instrumentation.okhttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.testing.RecordingServer;
import java.io.IOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fresh recording server and OkHttp client for every test, both closed afterwards. Uses only OkHttp API that
 * 3.14, 4.x and 5.x all have.
 */
@ExtendWith(InstalledAgent.class)
abstract class OkHttpTestSupport {

    RecordingServer server;
    OkHttpClient client;

    @BeforeEach
    void startServerAndClient() throws IOException {
        server = new RecordingServer();
        client = new OkHttpClient.Builder().build();
    }

    @AfterEach
    void closeServerAndClient() throws InterruptedException {
        try {
            close(client);
        } finally {
            server.close();
        }
    }

    static void close(OkHttpClient c) throws InterruptedException {
        ExecutorService executor = c.dispatcher().executorService();
        executor.shutdown();
        c.connectionPool().evictAll();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS), "OkHttp's dispatcher did not stop");
    }

    Request.Builder request(String path) {
        return new Request.Builder().url(server.url(path));
    }

    /** Executes {@code request}, asserts 200 and returns the body. */
    String execute(Request request) throws IOException {
        try (Response response = client.newCall(request).execute()) {
            assertEquals(200, response.code());
            return response.body().string();
        }
    }

    /** Executes a GET of {@code path} with no header of its own; returns the one trace header the server saw. */
    String get(String path) throws IOException {
        int before = server.received().size();
        execute(request(path).build());
        return server.received().get(before).traceHeader();
    }
}
