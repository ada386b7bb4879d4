package io.albtrace.contracts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The load balancer in front of a server, played by a plain socket so that the header reaches the server byte for
 * byte (the test JVM's own HTTP clients are instrumented and would rewrite it). HTTP/1.0: the server answers without
 * chunks and closes the connection.
 */
public final class Balancer {

    /** A response: status, every {@code X-Amzn-Trace-Id} it carried, and the body. */
    public static final class Answer {
        public final int status;
        /** Every {@code X-Amzn-Trace-Id} of the response, in order. */
        public final List<String> traceHeaders;
        public final String body;

        Answer(int status, List<String> traceHeaders, String body) {
            this.status = status;
            this.traceHeaders = traceHeaders;
            this.body = body;
        }

        @Override
        public String toString() {
            return status + " " + traceHeaders + " " + body;
        }
    }

    private Balancer() {
    }

    /** GET {@code url} with {@code traceHeader} as its {@code X-Amzn-Trace-Id} (none when null). */
    public static Answer get(String url, String traceHeader) throws IOException {
        URI uri = URI.create(url);
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), uri.getPort())) {
            socket.setSoTimeout(20_000);
            StringBuilder request = new StringBuilder("GET ").append(uri.getRawPath())
                    .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(" HTTP/1.0\r\n")
                    .append("Host: 127.0.0.1:").append(uri.getPort()).append("\r\n");
            if (traceHeader != null) {
                request.append("X-Amzn-Trace-Id: ").append(traceHeader).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String response = all.toString(StandardCharsets.ISO_8859_1);
            int end = response.indexOf("\r\n\r\n");
            if (end < 0) {
                throw new IOException("no complete response: [" + response + "]");
            }
            String[] head = response.substring(0, end).split("\r\n");
            List<String> trace = new ArrayList<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                if (colon > 0 && head[i].substring(0, colon).trim().toLowerCase(Locale.ROOT)
                        .equals("x-amzn-trace-id")) {
                    trace.add(head[i].substring(colon + 1).trim());
                }
            }
            return new Answer(Integer.parseInt(head[0].split(" ")[1]), trace, response.substring(end + 4));
        }
    }
}
