package io.albtrace.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One kept-alive HTTP/1.1 connection to 127.0.0.1, as a load balancer keeps one to a target: GETs sent one after the
 * other on the same socket, each with its own {@code X-Amzn-Trace-Id} (or none); each answer's body read by its
 * {@code Content-Length}.
 */
public final class KeptAlive implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public KeptAlive(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** GET {@code path} with {@code trace} (null: none) on this connection; returns the body of a 200. */
    public String get(String path, String trace) throws IOException {
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (trace == null ? "" : "X-Amzn-Trace-Id: " + trace + "\r\n") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = line();
        int length = -1;
        for (String header; !(header = line()).isEmpty(); ) {
            if (header.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(header.substring(15).trim());
            }
        }
        if (!status.startsWith("HTTP/1.1 200 ") || length < 0) {
            throw new IOException("unexpected answer to " + path + ": " + status + " (length " + length + ")");
        }
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }

    /**
     * An HTTP/1.0 GET of {@code path} without a {@code Host} header on a connection of its own, closed after; returns
     * the whole answer as it came.
     */
    public static String withoutHost(int port, String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new IOException("the connection closed");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
