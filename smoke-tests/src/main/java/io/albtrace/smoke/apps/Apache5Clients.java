package io.albtrace.smoke.apps;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.async.methods.SimpleHttpRequest;
import org.apache.hc.client5.http.async.methods.SimpleHttpResponse;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/** Apache HttpClient 5, classic and async, with only calls that 5.0 through 5.6 all have. */
final class Apache5Clients {

    private Apache5Clients() {
    }

    static List<FrontApp.Named> create() {
        CloseableHttpClient classic = HttpClients.createDefault();
        CloseableHttpAsyncClient async = HttpAsyncClients.createDefault();
        async.start();
        String library = FrontApp.library(HttpClients.class);
        return List.of(
                new FrontApp.Named("apache5", library, (url, appValues) -> {
                    HttpGet get = new HttpGet(url);
                    for (String v : appValues) {
                        get.addHeader("X-Amzn-Trace-Id", v);
                    }
                    return classic.execute(get, response -> {
                        String body = EntityUtils.toString(response.getEntity());
                        if (response.getCode() != 200) {
                            throw new IOException("HTTP " + response.getCode());
                        }
                        return body;
                    });
                }),
                new FrontApp.Named("apache5-async", library, (url, appValues) -> {
                    SimpleHttpRequest request = new SimpleHttpRequest("GET", URI.create(url));
                    for (String v : appValues) {
                        request.addHeader("X-Amzn-Trace-Id", v);
                    }
                    SimpleHttpResponse response = async.execute(request, null).get(10, TimeUnit.SECONDS);
                    if (response.getCode() != 200) {
                        throw new IOException("HTTP " + response.getCode());
                    }
                    return response.getBodyText();
                }));
    }
}
