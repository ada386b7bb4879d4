package io.albtrace.smoke.apps;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/** OkHttp's {@code execute} and {@code enqueue}, with only calls that OkHttp 3.14, 4.x and 5.x all have. */
final class OkHttpClients {

    private OkHttpClients() {
    }

    static List<FrontApp.Named> create() {
        OkHttpClient client = new OkHttpClient.Builder().callTimeout(10, TimeUnit.SECONDS).build();
        String library = FrontApp.library(OkHttpClient.class);
        return List.of(
                new FrontApp.Named("okhttp", library, (url, appValues) -> {
                    try (Response response = client.newCall(request(url, appValues)).execute()) {
                        return body(response);
                    }
                }),
                new FrontApp.Named("okhttp-async", library, (url, appValues) -> {
                    CompletableFuture<String> done = new CompletableFuture<>();
                    client.newCall(request(url, appValues)).enqueue(new Callback() {
                        @Override
                        public void onResponse(Call call, Response response) {
                            try (Response r = response) {
                                done.complete(body(r));
                            } catch (IOException | RuntimeException e) {
                                done.completeExceptionally(e);
                            }
                        }

                        @Override
                        public void onFailure(Call call, IOException e) {
                            done.completeExceptionally(e);
                        }
                    });
                    return done.get(10, TimeUnit.SECONDS);
                }));
    }

    private static Request request(String url, List<String> appValues) {
        Request.Builder b = new Request.Builder().url(url);
        for (String v : appValues) {
            b.addHeader("X-Amzn-Trace-Id", v);
        }
        return b.build();
    }

    private static String body(Response response) throws IOException {
        if (response.code() != 200) {
            throw new IOException("HTTP " + response.code());
        }
        return response.body().string();
    }
}
