package io.albtrace.testing;

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
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/1.1 server and HTTP proxy on 127.0.0.1 made of raw sockets, for the tests that must see a request exactly
 * as its client wrote it. Every request head is recorded as it arrived, before anything else is done with it: the
 * request line and each header line, in order, split only at {@code "\r\n"}, with the number of the connection it came
 * on (0, 1, ... in the order they were accepted). What follows depends on the request target's form:
 * <ul>
 *   <li>origin form ({@code GET /path}): the body ({@code Content-Length} only) is read and dropped, the answer is
 *       {@code 200} with the body {@code ok}, and the connection is kept for the next request;</li>
 *   <li>{@code CONNECT host:port}, as a proxy: answers {@code 200}, then pipes the bytes both ways between the client
 *       and that address, unread (the TLS inside included);</li>
 *   <li>absolute form ({@code GET http://host:port/path}), as a proxy: forwards that one request to the origin in
 *       origin form, its hop-by-hop headers ({@code Connection}, {@code Proxy-Connection}, {@code Keep-Alive},
 *       {@code Upgrade}: HttpClient 5.4+ offers {@code Upgrade: TLS/1.2} on clear-text requests) replaced by
 *       {@code Connection: close}, every other header line and the body ({@code Content-Length} only) as
 *       they came; relays the response the same way and closes the connection.</li>
 * </ul>
 *
 * <p>{@link #staleAt} makes one kept-alive connection go stale: after answering the requests before it, the server
 * reads the given request, records it and closes the connection without a byte of response, as a server does that
 * dropped an idle keep-alive connection while the client was sending on it. (It does not close the idle connection
 * before that request arrives: a client's pool may notice and drop it, so whether the client writes on it would be a
 * race.)
 */
public final class RawHttpServer implements AutoCloseable {

    /** One request head as it arrived. */
    public static final class Head {
        /** The connection it came on: 0 for the first accepted, 1 for the next, ... */
        public final int connection;
        public final String requestLine;
        /** The header lines, in order, as written. */
        public final List<String> lines;

        Head(int connection, List<String> head) {
            this.connection = connection;
            this.requestLine = head.get(0);
            this.lines = Collections.unmodifiableList(new ArrayList<>(head.subList(1, head.size())));
        }

        public String method() {
            return requestLine.split(" ")[0];
        }

        /** The request target: {@code /path}, {@code host:port} for a CONNECT, or an absolute URI. */
        public String target() {
            return requestLine.split(" ")[1];
        }

        /** Every header line as name (as written) and value (without the spaces around it), in order. */
        public List<Map.Entry<String, String>> headers() {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0) {
                    headers.add(Map.entry(line.substring(0, colon), line.substring(colon + 1).trim()));
                }
            }
            return headers;
        }

        /** The value of every header line named X-Amzn-Trace-Id (in any case), in order; empty when none. */
        public List<String> traceHeaders() {
            List<String> values = new ArrayList<>();
            for (Map.Entry<String, String> h : headers()) {
                if (h.getKey().equalsIgnoreCase(Trace.NAME)) {
                    values.add(h.getValue());
                }
            }
            return values;
        }

        /** All the headers together, each counted as {@code name: value\r\n} (SPEC 3). */
        public int headerBytes() {
            int n = 0;
            for (Map.Entry<String, String> h : headers()) {
                n += h.getKey().getBytes(StandardCharsets.ISO_8859_1).length
                        + h.getValue().getBytes(StandardCharsets.ISO_8859_1).length + 4;
            }
            return n;
        }

        long contentLength() {
            for (Map.Entry<String, String> h : headers()) {
                if (h.getKey().equalsIgnoreCase("Content-Length")) {
                    return Long.parseLong(h.getValue());
                }
            }
            return 0;
        }

        @Override
        public String toString() {
            return "#" + connection + " " + requestLine + " " + lines;
        }
    }

    private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.ISO_8859_1);
    private static final List<String> HOP_BY_HOP = List.of("Connection", "Proxy-Connection", "Keep-Alive", "Upgrade");
    private static final int MAX_HEAD = 256 * 1024;

    private final int staleConnection;
    private final int staleRequest;
    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newCachedThreadPool(work -> {
        Thread t = new Thread(work, "raw-http-server");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Head> heads = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    /** A server whose connections never go stale. */
    public RawHttpServer() throws IOException {
        this(-1, -1);
    }

    private RawHttpServer(int staleConnection, int staleRequest) throws IOException {
        this.staleConnection = staleConnection;
        this.staleRequest = staleRequest;
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        threads.execute(this::acceptAll);
    }

    /**
     * A server that closes connection number {@code connection} without a response once it has read its request
     * number {@code request} (both counted from 0).
     */
    public static RawHttpServer staleAt(int connection, int request) throws IOException {
        return new RawHttpServer(connection, request);
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The address to give a client as its HTTP proxy. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    /** The request heads received so far, in order. */
    public List<Head> heads() {
        return Collections.unmodifiableList(new ArrayList<>(heads));
    }

    /**
     * Fails unless exactly {@code count} request heads were received, each a GET without a trace header line: as an
     * uninstrumented client sends the application's requests (SPEC 7).
     */
    public void assertUntracedGets(int count) {
        List<Head> all = heads();
        if (all.size() != count) {
            throw new AssertionError("expected " + count + " requests, got " + all);
        }
        for (Head head : all) {
            if (!head.requestLine.startsWith("GET /") || !head.traceHeaders().isEmpty()) {
                throw new AssertionError("expected a GET without a trace header (uninstrumented), got " + head);
            }
        }
    }

    /** The only request head received; fails when there were none or several. */
    public Head only() {
        List<Head> all = heads();
        if (all.size() != 1) {
            throw new AssertionError("expected one request, got " + all);
        }
        return all.get(0);
    }

    private void acceptAll() {
        try {
            for (int connection = 0; ; connection++) {
                Socket client = track(listener.accept());
                int number = connection;
                threads.execute(() -> serve(client, number));
            }
        } catch (IOException | RuntimeException closedOrShutDown) {
            // the server was closed
        }
    }

    private void serve(Socket client, int connection) {
        try (Socket c = client) {
            InputStream in = c.getInputStream(); // not buffered: what follows a head is read by whoever needs it
            for (int request = 0; ; request++) {
                List<String> lines = readHead(in);
                if (lines == null) {
                    return; // the client closed the connection
                }
                Head head = new Head(connection, lines);
                heads.add(head);
                if (head.method().equals("CONNECT")) {
                    tunnel(c, head.target());
                    return;
                }
                if (!head.target().startsWith("/")) {
                    forward(c, head);
                    return;
                }
                in.skipNBytes(head.contentLength());
                if (connection == staleConnection && request == staleRequest) {
                    return; // stale: closed with no response
                }
                c.getOutputStream().write(OK);
            }
        } catch (IOException | RuntimeException e) {
            // the client or the origin went away, or sent what this server does not read: what was read is recorded
        } finally {
            open.remove(client);
        }
    }

    private void tunnel(Socket client, String authority) throws IOException {
        int colon = authority.lastIndexOf(':');
        try (Socket origin = connect(authority.substring(0, colon), Integer.parseInt(authority.substring(colon + 1)))) {
            client.getOutputStream().write("HTTP/1.1 200 Connection established\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            Future<?> back = threads.submit(() -> pipe(origin, client));
            pipe(client, origin);
            back.get(); // both ways ended: nothing is cut off by closing
        } catch (InterruptedException | ExecutionException e) {
            // the server was closed
        }
    }

    private void forward(Socket client, Head head) throws IOException {
        URI uri = URI.create(head.target());
        String[] requestLine = head.requestLine.split(" ");
        String path = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        try (Socket origin = connect(uri.getHost(), uri.getPort())) {
            OutputStream toOrigin = origin.getOutputStream();
            toOrigin.write(closing(requestLine[0] + " " + path + " " + requestLine[2], head.lines));
            toOrigin.write(client.getInputStream().readNBytes((int) head.contentLength()));
            InputStream fromOrigin = origin.getInputStream();
            List<String> response = readHead(fromOrigin);
            if (response != null) {
                OutputStream out = client.getOutputStream();
                out.write(closing(response.get(0), response.subList(1, response.size())));
                fromOrigin.transferTo(out);
            }
        }
    }

    /** {@code firstLine}, the header {@code lines} but the hop-by-hop ones, {@code Connection: close}, the empty line. */
    private static byte[] closing(String firstLine, List<String> lines) {
        StringBuilder head = new StringBuilder(firstLine).append("\r\n");
        for (String line : lines) {
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).trim();
            if (HOP_BY_HOP.stream().noneMatch(name::equalsIgnoreCase)) {
                head.append(line).append("\r\n");
            }
        }
        return head.append("Connection: close\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The lines of a head (the request or status line, then the header lines) up to the empty line, without their
     * {@code "\r\n"}, read one byte at a time so that nothing after it is taken; null at the end of the stream.
     */
    private static List<String> readHead(InputStream in) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int lastFour = 0; lastFour != ('\r' << 24 | '\n' << 16 | '\r' << 8 | '\n'); ) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            if (bytes.size() == MAX_HEAD) {
                throw new IOException("head too long");
            }
            bytes.write(b);
            lastFour = lastFour << 8 | b;
        }
        String text = bytes.toString(StandardCharsets.ISO_8859_1);
        return Arrays.asList(text.substring(0, text.length() - 4).split("\r\n", -1));
    }

    private Socket connect(String host, int port) throws IOException {
        return track(new Socket(host, port));
    }

    /** Keeps {@code s} to be closed with the server; closes it at once when the server is closed already. */
    private Socket track(Socket s) throws IOException {
        open.add(s);
        if (closed) {
            s.close();
        }
        return s;
    }

    /** Copies {@code from} to {@code to} until the end, then half-closes {@code to}; closes both on a failure. */
    private void pipe(Socket from, Socket to) {
        try {
            from.getInputStream().transferTo(to.getOutputStream()); // a socket's stream is not buffered
            to.shutdownOutput();
        } catch (IOException e) {
            close(from);
            close(to);
        }
    }

    private void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closed anyway
        }
        open.remove(s);
    }

    /** Closes the listener and every connection, and waits for the server's threads to end. */
    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closed anyway
        }
        for (Socket s : open) {
            close(s);
        }
        threads.shutdownNow();
        try {
            if (!threads.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new AssertionError("the server's threads did not stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
