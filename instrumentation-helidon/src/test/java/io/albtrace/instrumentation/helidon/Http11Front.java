package io.albtrace.instrumentation.helidon;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * What a load balancer does in front of a target: the contract's balancer ({@code Balancer}) speaks HTTP/1.0, which
 * Helidon 4 refuses (it speaks HTTP/1.1 only, as an ALB does to its targets), so each connection's request head is
 * passed on byte for byte as HTTP/1.1 with {@code Connection: close}, and the response passed back as it comes. One
 * request per connection, each on a thread of its own. Public: a test's driver in another class loader uses it.
 */
public final class Http11Front implements AutoCloseable {

    private final ServerSocket socket;
    private final int target;

    public Http11Front(int target) throws IOException {
        this.target = target;
        this.socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "http11-front");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket in = socket.accept();
                Thread t = new Thread(() -> relay(in), "http11-front-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void relay(Socket in) {
        try (in; Socket out = new Socket(InetAddress.getLoopbackAddress(), target)) {
            InputStream from = in.getInputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int b;
            int state = 0; // how much of CR LF CR LF was read
            while (state < 4 && (b = from.read()) >= 0) {
                head.write(b);
                state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3))
                        ? state + 1 : b == '\r' ? 1 : 0;
            }
            String h = head.toString(StandardCharsets.ISO_8859_1);
            int firstLine = h.indexOf("\r\n");
            String requestLine = h.substring(0, firstLine).replaceFirst(" HTTP/1\\.0$", " HTTP/1.1");
            String rest = h.substring(firstLine, h.length() - 2); // the header lines, without the blank one
            OutputStream to = out.getOutputStream();
            to.write((requestLine + rest + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            to.flush();
            // the request is whole: Helidon, which answers Connection: close and then waits for the client to close,
            // reads the end of its input and closes
            out.shutdownOutput();
            out.getInputStream().transferTo(in.getOutputStream());
        } catch (IOException e) {
            // the balancer sees the connection end
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
