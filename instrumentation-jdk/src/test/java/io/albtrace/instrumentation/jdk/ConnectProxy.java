package io.albtrace.instrumentation.jdk;

import io.albtrace.testing.Trace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny forward proxy on 127.0.0.1 made of raw sockets, so that what a client sends it is recorded byte for byte.
 * {@code CONNECT host:port}: answers {@code 200} and pipes the bytes both ways (the TLS inside is not looked at).
 * An absolute-URI request ({@code GET http://host:port/path}): forwarded to the origin in origin form, its
 * headers untouched; the rest of the connection is piped. Only the first request head of each client connection
 * is recorded: the tests use one connection per request to the proxy.
 */
final class ConnectProxy implements AutoCloseable {

    /** One request head as the proxy received it. */
    static final class Head {
        final String requestLine;
        /** Every header line as name and value, in order. */
        final List<Map.Entry<String, String>> headers;

        Head(String requestLine, List<Map.Entry<String, String>> headers) {
            this.requestLine = requestLine;
            this.headers = headers;
        }

        /** The head of {@code lines}, a request line and header lines as {@link #readHead} returns them. */
        static Head of(List<String> lines) {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                int colon = line.indexOf(':');
                headers.add(Map.entry(line.substring(0, colon).trim(), line.substring(colon + 1).trim()));
            }
            return new Head(lines.get(0), Collections.unmodifiableList(headers));
        }

        String method() {
            return requestLine.substring(0, requestLine.indexOf(' '));
        }

        String target() {
            return requestLine.split(" ")[1];
        }

        /** Every X-Amzn-Trace-Id value (the name in any case), in order; empty when there was none. */
        List<String> traceHeaders() {
            List<String> values = new ArrayList<>();
            for (Map.Entry<String, String> h : headers) {
                if (h.getKey().equalsIgnoreCase(Trace.NAME)) {
                    values.add(h.getValue());
                }
            }
            return values;
        }

        @Override
        public String toString() {
            return requestLine + " " + headers;
        }
    }

    private final ServerSocket server;
    private final List<Head> heads = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    ConnectProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "connect-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    /** The request heads received so far, in order. */
    List<Head> heads() {
        return Collections.unmodifiableList(new ArrayList<>(heads));
    }

    /** The only request head received; fails when there were none or several. */
    Head only() {
        List<Head> all = heads();
        if (all.size() != 1) {
            throw new AssertionError("expected one request to the proxy, got " + all);
        }
        return all.get(0);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                Thread t = new Thread(() -> serve(client), "connect-proxy-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            List<String> lines = readHead(in);
            if (lines.isEmpty()) {
                client.close();
                return;
            }
            Head head = Head.of(lines);
            heads.add(head);
            Socket origin;
            if (head.method().equals("CONNECT")) {
                String[] hostPort = head.target().split(":");
                origin = new Socket(hostPort[0], Integer.parseInt(hostPort[1]));
                sockets.add(origin);
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } else {
                URI uri = URI.create(head.target());
                origin = new Socket(uri.getHost(), uri.getPort());
                sockets.add(origin);
                String[] parts = head.requestLine.split(" ");
                StringBuilder forwarded = new StringBuilder(parts[0]).append(' ').append(uri.getRawPath())
                        .append(uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()).append(' ')
                        .append(parts[2]).append("\r\n");
                for (String line : lines.subList(1, lines.size())) {
                    forwarded.append(line).append("\r\n");
                }
                forwarded.append("\r\n");
                OutputStream toOrigin = origin.getOutputStream();
                toOrigin.write(forwarded.toString().getBytes(StandardCharsets.ISO_8859_1));
                toOrigin.flush();
            }
            Thread up = new Thread(() -> pipe(client, origin), "connect-proxy-up");
            up.setDaemon(true);
            up.start();
            pipe(origin, client);
        } catch (IOException | RuntimeException e) {
            close(client);
        }
    }

    /** The request line and header lines, up to the empty line; empty when the connection closed first. */
    static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                String s = line.toString(StandardCharsets.ISO_8859_1);
                if (s.endsWith("\r")) {
                    s = s.substring(0, s.length() - 1);
                }
                if (s.isEmpty()) {
                    return lines;
                }
                lines.add(s);
                line.reset();
            } else {
                line.write(b);
            }
        }
        return Collections.emptyList();
    }

    /** Copies {@code from} to {@code to} until the end, then half-closes {@code to}. */
    private static void pipe(Socket from, Socket to) {
        byte[] buffer = new byte[8192];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) != -1) {
                out.write(buffer, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            close(from);
            close(to);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            close(s);
        }
    }
}
