package io.albtrace.instrumentation.httpclient;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTP proxy on 127.0.0.1, raw sockets, that records the head of every request a client sends it, exactly
 * as it arrived, before it does anything else:
 * <ul>
 *   <li>{@code CONNECT host:port}: answers {@code 200}, then pipes bytes both ways between the client and the
 *       origin (TLS to the origin runs through it unseen);</li>
 *   <li>any other method, with an absolute URI ({@code GET http://127.0.0.1:port/path}): forwards that one request
 *       to the origin in origin form, as proxies do: the hop-by-hop headers ({@code Connection},
 *       {@code Proxy-Connection}, {@code Keep-Alive}) replaced by {@code Connection: close}, every other header and
 *       the body ({@code Content-Length} only) as they came; relays the response with {@code Connection: close}
 *       and closes the connection.</li>
 * </ul>
 */
final class TinyProxy implements AutoCloseable {

    /** One request head as the proxy received it from the client. */
    static final class Seen {
        final String method;
        /** The head: its path is the request target ({@code host:port} for CONNECT, else the absolute URI). */
        final TestServer.Received head;

        Seen(String method, TestServer.Received head) {
            this.method = method;
            this.head = head;
        }

        @Override
        public String toString() {
            return method + " " + head;
        }
    }

    private static final int MAX_HEAD = 256 * 1024;

    private final ServerSocket server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    TinyProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::accept);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Every request head received, in order. */
    List<Seen> seen() {
        return Collections.unmodifiableList(new ArrayList<>(seen));
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = server.accept();
                open.add(client);
                threads.execute(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    throw new IllegalStateException("the proxy cannot accept", e);
                }
            }
        }
    }

    private void serve(Socket client) {
        try {
            InputStream in = new BufferedInputStream(client.getInputStream());
            List<String> lines = readHead(in);
            if (lines == null) {
                return;
            }
            String[] requestLine = lines.get(0).split(" ", 3);
            List<Map.Entry<String, String>> headers = parseHeaders(lines);
            seen.add(new Seen(requestLine[0], new TestServer.Received(requestLine[1], requestLine[2], headers)));
            if ("CONNECT".equals(requestLine[0])) {
                tunnel(client, in, requestLine[1]);
            } else {
                forward(client, in, requestLine, headers);
            }
        } catch (IOException e) {
            // the client or the origin went away: nothing to record
        } finally {
            close(client);
        }
    }

    private void tunnel(Socket client, InputStream in, String authority) throws IOException {
        int colon = authority.lastIndexOf(':');
        Socket origin = new Socket(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)));
        open.add(origin);
        try {
            OutputStream out = client.getOutputStream();
            out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            threads.execute(() -> pipe(origin, client));
            pipe(in, origin);
        } finally {
            close(origin);
        }
    }

    private void forward(Socket client, InputStream in, String[] requestLine, List<Map.Entry<String, String>> headers)
            throws IOException {
        URI target = URI.create(requestLine[1]);
        String path = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
        StringBuilder head = new StringBuilder(requestLine[0]).append(' ').append(path).append(' ')
                .append(requestLine[2]).append("\r\n");
        long length = 0;
        for (Map.Entry<String, String> h : headers) {
            if (hopByHop(h.getKey())) {
                continue;
            }
            if (h.getKey().equalsIgnoreCase("Content-Length")) {
                length = Long.parseLong(h.getValue().trim());
            }
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        try (Socket origin = new Socket(target.getHost(), target.getPort())) {
            open.add(origin);
            OutputStream toOrigin = origin.getOutputStream();
            toOrigin.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            byte[] body = in.readNBytes((int) length);
            toOrigin.write(body);
            toOrigin.flush();

            InputStream fromOrigin = new BufferedInputStream(origin.getInputStream());
            List<String> response = readHead(fromOrigin);
            if (response == null) {
                return;
            }
            StringBuilder back = new StringBuilder(response.get(0)).append("\r\n");
            for (Map.Entry<String, String> h : parseHeaders(response)) {
                if (!hopByHop(h.getKey())) {
                    back.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
                }
            }
            back.append("Connection: close\r\n\r\n");
            OutputStream out = client.getOutputStream();
            out.write(back.toString().getBytes(StandardCharsets.ISO_8859_1));
            fromOrigin.transferTo(out);
            out.flush();
        } finally {
            open.removeIf(Socket::isClosed);
        }
    }

    private static boolean hopByHop(String name) {
        return name.equalsIgnoreCase("Connection") || name.equalsIgnoreCase("Proxy-Connection")
                || name.equalsIgnoreCase("Keep-Alive");
    }

    /** The lines of a head up to the empty line, without their CRLF; null at the end of the stream. */
    private static List<String> readHead(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int last4 = 0;
        while (last4 != 0x0d0a0d0a) { // CR LF CR LF
            int b = in.read();
            if (b < 0) {
                return null;
            }
            bytes.write(b);
            if (bytes.size() > MAX_HEAD) {
                throw new IOException("head too long");
            }
            last4 = (last4 << 8) | b;
        }
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        return new ArrayList<>(List.of(text.substring(0, text.length() - 4).split("\r\n", -1)));
    }

    /** The header lines (after the first line) as name and value, the value without surrounding spaces. */
    private static List<Map.Entry<String, String>> parseHeaders(List<String> lines) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(':');
            headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).trim()));
        }
        return headers;
    }

    /** Copies until either side ends, then closes the receiving side's output. */
    private void pipe(Socket from, Socket to) {
        try {
            pipe(from.getInputStream(), to);
        } catch (IOException e) {
            close(to);
        }
    }

    private void pipe(InputStream from, Socket to) {
        try {
            from.transferTo(to.getOutputStream());
            to.shutdownOutput();
        } catch (IOException e) {
            close(to);
        }
    }

    private void close(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // closing
        }
        open.remove(s);
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            close(s);
        }
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the proxy's threads did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
