package io.albtrace.smoke.apps;

import java.io.IOException;
import java.util.List;
import org.apache.http.client.methods.CloseableHttpResponse;
import org.apache.http.client.methods.HttpGet;
import org.apache.http.impl.client.CloseableHttpClient;
import org.apache.http.impl.client.HttpClients;
import org.apache.http.util.EntityUtils;

/** Apache HttpClient 4.5, classic. */
final class Apache4Clients {

    private Apache4Clients() {
    }

    static List<FrontApp.Named> create() {
        CloseableHttpClient client = HttpClients.createDefault();
        return List.of(new FrontApp.Named("apache4", FrontApp.library(HttpClients.class), (url, appValues) -> {
            HttpGet get = new HttpGet(url);
            for (String v : appValues) {
                get.addHeader("X-Amzn-Trace-Id", v);
            }
            try (CloseableHttpResponse response = client.execute(get)) {
                String body = EntityUtils.toString(response.getEntity());
                int code = response.getStatusLine().getStatusCode();
                if (code != 200) {
                    throw new IOException("HTTP " + code);
                }
                return body;
            }
        }));
    }
}
