package io.albtrace.instrumentation.okhttp;

import io.albtrace.testing.Trace;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP/1.1 server on 127.0.0.1 made of raw sockets, which records every request head exactly as the client
 * wrote it: the request line and each header line, split only at {@code "\r\n"}. It answers {@code 200 ok} and
 * closes the connection; as an HTTP proxy, it answers {@code CONNECT host:port} with {@code 200} and then pipes
 * the bytes both ways between the client and that address, unread (the TLS inside included).
 */
final class RawServer implements AutoCloseable {

    /** One request head as it arrived. */
    static final class Head {
        final String requestLine;
        /** The header lines, in order, as written. */
        final List<String> lines;

        Head(String requestLine, List<String> lines) {
            this.requestLine = requestLine;
            this.lines = lines;
        }

        /** The value of every header line named X-Amzn-Trace-Id (in any case), in order. */
        List<String> traceHeaders() {
            List<String> values = new ArrayList<>();
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(Trace.NAME)) {
                    values.add(line.substring(colon + 1).trim());
                }
            }
            return values;
        }

        @Override
        public String toString() {
            return requestLine + " " + lines;
        }
    }

    private final ServerSocket listener;
    private final List<Head> heads = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    RawServer() throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        daemon("raw-server-accept", this::acceptAll);
    }

    int port() {
        return listener.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The only request head received; fails when there were none or several. */
    Head only() {
        List<Head> all = new ArrayList<>(heads);
        if (all.size() != 1) {
            throw new AssertionError("expected one request, got " + all);
        }
        return all.get(0);
    }

    private static void daemon(String name, Runnable work) {
        Thread t = new Thread(work, name);
        t.setDaemon(true);
        t.start();
    }

    private void acceptAll() {
        try {
            while (true) {
                Socket client = listener.accept();
                sockets.add(client);
                daemon("raw-server-connection", () -> serve(client));
            }
        } catch (IOException closed) {
            // the server was closed
        }
    }

    private void serve(Socket client) {
        try {
            Head head = readHead(client.getInputStream());
            if (head == null) {
                client.close();
                return;
            }
            heads.add(head);
            OutputStream out = client.getOutputStream();
            String[] parts = head.requestLine.split(" ");
            if (parts[0].equals("CONNECT")) {
                int colon = parts[1].lastIndexOf(':');
                Socket target = new Socket(parts[1].substring(0, colon),
                        Integer.parseInt(parts[1].substring(colon + 1)));
                sockets.add(target);
                out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                daemon("raw-server-tunnel", () -> pipe(client, target));
                pipe(target, client);
            } else {
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
                client.close();
            }
        } catch (IOException | RuntimeException e) {
            closeAll(Collections.singletonList(client));
        }
    }

    /** Reads up to the empty line, one byte at a time (what follows a CONNECT is the tunnel's); null at the end. */
    private static Head readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int lastFour = 0;
        for (int b; (b = in.read()) != -1; ) {
            head.write(b);
            lastFour = lastFour << 8 | b;
            if (lastFour == ('\r' << 24 | '\n' << 16 | '\r' << 8 | '\n')) {
                String text = head.toString(StandardCharsets.ISO_8859_1);
                List<String> lines = Arrays.asList(text.substring(0, text.length() - 4).split("\r\n", -1));
                return new Head(lines.get(0), Collections.unmodifiableList(lines.subList(1, lines.size())));
            }
        }
        return null;
    }

    /** Copies {@code from} to {@code to} until the end, then half-closes {@code to}; closes both on a failure. */
    private static void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream()); // a socket's stream is not buffered
            to.shutdownOutput();
        } catch (IOException e) {
            closeAll(Arrays.asList(from, to));
        }
    }

    private static void closeAll(List<Socket> open) {
        for (Socket s : open) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closed anyway
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        closeAll(sockets);
    }
}
