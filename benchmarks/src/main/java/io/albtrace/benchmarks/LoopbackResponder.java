package io.albtrace.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal keep-alive HTTP/1.1 responder on loopback for the per-request benchmarks: a plain socket loop (not an
 * instrumented server) that answers every request with {@code 200 ok} and notes the trace header of the last one.
 */
final class LoopbackResponder implements AutoCloseable {

    private static final byte[] RESPONSE = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
            .getBytes(StandardCharsets.US_ASCII);

    private final ServerSocket socket;
    /** The {@code X-Amzn-Trace-Id} of the last request, or null when it had none; noted while {@link #recording}. */
    volatile String lastTraceHeader;
    /**
     * Whether to note the trace header. Off once a trial's check is done: reading it makes strings of every request
     * head, whose allocation (a longer head with the agent's header) would count as the agent's in {@code -prof gc}.
     */
    volatile boolean recording = true;

    LoopbackResponder() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "loopback-responder");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** {@code http://127.0.0.1:<port>/bench}. */
    String url() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/bench";
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket s = socket.accept();
                Thread t = new Thread(() -> serve(s), "loopback-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket s) {
        byte[] buf = new byte[64 * 1024];
        try (Socket c = s; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
            int len = 0;
            while (true) {
                int n = in.read(buf, len, buf.length - len);
                if (n < 0) {
                    return;
                }
                len += n;
                int end;
                while ((end = indexOfHeadEnd(buf, len)) >= 0) {
                    if (recording) {
                        note(buf, end);
                    }
                    out.write(RESPONSE);
                    out.flush();
                    System.arraycopy(buf, end + 4, buf, 0, len - end - 4);
                    len -= end + 4;
                }
            }
        } catch (IOException e) {
            // the client closed the connection
        }
    }

    private void note(byte[] buf, int end) {
        String head = new String(buf, 0, end + 2, StandardCharsets.ISO_8859_1);
        int at = head.toLowerCase(Locale.ROOT).indexOf("\r\nx-amzn-trace-id: ");
        lastTraceHeader = at < 0 ? null : head.substring(at + 19, head.indexOf('\r', at + 2));
    }

    private static int indexOfHeadEnd(byte[] b, int len) {
        for (int i = 0; i + 3 < len; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
