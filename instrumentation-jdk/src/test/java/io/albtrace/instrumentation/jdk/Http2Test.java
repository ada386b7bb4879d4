package io.albtrace.instrumentation.jdk;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The JDK client over HTTP/2 in cleartext to Jetty 12 (h2c: the client's first request on a connection asks for the
 * upgrade, which {@link #newClient} sends; the following ones are HTTP/2 streams). The tests are
 * {@link Http2Contract}'s.
 */
class Http2Test extends Http2Contract {

    static H2Jetty server;

    @BeforeAll
    static void startJetty() throws Exception {
        server = new H2Jetty(false);
    }

    @AfterAll
    static void stopJetty() throws Exception {
        server.close();
    }

    @Override
    H2Jetty server() {
        return server;
    }

    @Override
    HttpClient newClient(HttpClient.Builder builder) throws Exception {
        HttpClient c = builder.version(HttpClient.Version.HTTP_2).build();
        send(c, HttpRequest.newBuilder(server.uri("/upgrade")).build()); // the connection's h2c upgrade
        return c;
    }
}
