package io.albtrace.instrumentation.jdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP/1.1 origin on 127.0.0.1 made of raw sockets, whose first connection goes stale: it answers the first
 * request on it ({@code 200}, keep-alive, no {@code Connection: close}), then reads the next request head that
 * arrives on it, records it and closes the connection without a byte of response, as a server does that dropped
 * an idle keep-alive connection while the client was sending on it. Every later connection answers every request.
 * Every request head is recorded byte for byte with the number of the connection it came on.
 *
 * <p>The server does not close the idle connection before the second request: the JDK client's pool watches its
 * idle connections and drops one the server closed, so whether the client would write on it would be a race.
 * Reading the request first makes the client see the end of the stream before any response byte, on a connection
 * taken from the pool, which is the condition of the JDK's retry ({@code ConnectionExpiredException}).
 */
final class StaleKeepAliveServer implements AutoCloseable {

    /** One request head as received, and the connection (0, 1, ...) it came on. */
    static final class Received {
        final int connection;
        final ConnectProxy.Head head;

        Received(int connection, ConnectProxy.Head head) {
            this.connection = connection;
            this.head = head;
        }

        @Override
        public String toString() {
            return "#" + connection + " " + head;
        }
    }

    private final ServerSocket server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    StaleKeepAliveServer() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "stale-keep-alive-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    /** The request heads received so far, in order. */
    List<Received> received() {
        return Collections.unmodifiableList(new ArrayList<>(received));
    }

    private void accept() {
        for (int connection = 0; !server.isClosed(); connection++) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                int number = connection;
                Thread t = new Thread(() -> serve(client, number), "stale-keep-alive-conn-" + number);
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket client, int connection) {
        try (Socket c = client) {
            InputStream in = c.getInputStream();
            OutputStream out = c.getOutputStream();
            for (int request = 0; ; request++) {
                List<String> lines = ConnectProxy.readHead(in);
                if (lines.isEmpty()) {
                    return; // the client closed the connection
                }
                ConnectProxy.Head head = ConnectProxy.Head.of(lines);
                skipBody(in, head);
                received.add(new Received(connection, head));
                if (connection == 0 && request == 1) {
                    return; // stale: closed with no response
                }
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the client went away, or sent what this server does not read: what was received is the evidence
        }
    }

    private static void skipBody(InputStream in, ConnectProxy.Head head) throws IOException {
        for (Map.Entry<String, String> h : head.headers) {
            if (h.getKey().equalsIgnoreCase("Content-Length")) {
                in.skipNBytes(Long.parseLong(h.getValue()));
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
