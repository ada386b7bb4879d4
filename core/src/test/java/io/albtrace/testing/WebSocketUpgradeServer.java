package io.albtrace.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A raw-socket server that accepts one WebSocket upgrade per connection: it records the request's header
 * lines, answers a real {@code 101 Switching Protocols} with the right {@code Sec-WebSocket-Accept}, then
 * holds the connection until the client goes away. Frames are not interpreted.
 */
public final class WebSocketUpgradeServer implements AutoCloseable {

    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    private final ServerSocket socket;
    private final Thread acceptor;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    /** The header lines of each upgrade request, in arrival order. */
    private final List<List<String>> requests = new CopyOnWriteArrayList<>();
    private final CountDownLatch firstRequest = new CountDownLatch(1);

    public WebSocketUpgradeServer() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::acceptLoop, "websocket-upgrade-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public String url() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/ws";
    }

    /** The header lines of the first upgrade request, waiting up to 10 seconds for it. */
    public List<String> firstRequestHeaders() throws InterruptedException {
        if (!firstRequest.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError("no WebSocket upgrade request arrived");
        }
        return requests.get(0);
    }

    /** Every X-Amzn-Trace-Id value of the first upgrade request, the name matched case-insensitively. */
    public List<String> firstTraceHeaders() throws InterruptedException {
        List<String> out = new ArrayList<>();
        for (String line : firstRequestHeaders()) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("X-Amzn-Trace-Id")) {
                out.add(line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    private void acceptLoop() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                connections.add(s);
                Thread t = new Thread(() -> serve(s), "websocket-upgrade-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        try (Socket c = s) {
            InputStream in = c.getInputStream();
            List<String> lines = readHead(in);
            String key = null;
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("Sec-WebSocket-Key")) {
                    key = line.substring(colon + 1).trim();
                }
            }
            requests.add(Collections.unmodifiableList(lines.subList(1, lines.size())));
            firstRequest.countDown();
            OutputStream out = c.getOutputStream();
            if (key == null) {
                out.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                return;
            }
            out.write(("HTTP/1.1 101 Switching Protocols\r\n"
                    + "Upgrade: websocket\r\n"
                    + "Connection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key) + "\r\n"
                    + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] sink = new byte[1024];
            while (in.read(sink) >= 0) {
                // hold the connection until the client closes it
            }
        } catch (IOException gone) {
            // the client went away
        }
    }

    /** The request line and header lines, up to the empty line. */
    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1);
                if (text.endsWith("\r")) {
                    text = text.substring(0, text.length() - 1);
                }
                if (text.isEmpty()) {
                    return lines;
                }
                lines.add(text);
                line.reset();
            } else {
                line.write(b);
            }
        }
        throw new IOException("connection closed inside the request head");
    }

    /** RFC 6455 4.2.2: base64(SHA-1(key + GUID)). */
    public static String accept(String key) {
        try {
            byte[] sha1 = MessageDigest.getInstance("SHA-1").digest((key + GUID).getBytes(StandardCharsets.US_ASCII));
            return Base64.getEncoder().encodeToString(sha1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        for (Socket s : connections) {
            s.close();
        }
        try {
            acceptor.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
