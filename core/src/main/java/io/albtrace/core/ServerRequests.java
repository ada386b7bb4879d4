package io.albtrace.core;

import java.util.ArrayDeque;

/**
 * The requests one connection (or one HTTP/2 stream) of an event-loop server is serving, in the order they came:
 * HTTP/1.1 answers them in that order, kept-alive or pipelined. The server's advice keeps one with the connection
 * (Netty: a channel attribute), adds each request's {@link ServerEntry} when its head is read, binds the last one's
 * context while its body is read ({@link #reading}), and reports the response of the first one as it is written
 * ({@link #responded}, {@link #completed}). Used on the connection's own thread (its event loop) only: not
 * thread-safe. Never throws.
 */
public final class ServerRequests {

    private final ArrayDeque<ServerEntry> entries = new ArrayDeque<>(2);
    /** The request object (the server's) each entry of {@link #entries} was made for, in the same order. */
    private final ArrayDeque<Object> requests = new ArrayDeque<>(2);
    /** The status of the first request's response, once its head is written; negative before. */
    private int status = -1;

    /**
     * A request came in: its entry ({@link ServerEntry#enter}, made with the hop log line when it is on) and the
     * server's object for it (its head, as the codec decoded it).
     */
    public void add(ServerEntry entry, Object request) {
        if (entry != null) {
            entries.addLast(entry);
            requests.addLast(request);
        }
    }

    /**
     * The context of the request whose head is {@code request} (the very object the codec decoded), or null: for a
     * head handed to the handlers again later, by a handler that held it back (a server that queues pipelined
     * requests until the one before is answered), whatever ran before it on the thread.
     */
    public String contextOf(Object request) {
        java.util.Iterator<ServerEntry> e = entries.iterator();
        for (Object r : requests) {
            ServerEntry entry = e.next();
            if (r == request) {
                return entry.context();
            }
        }
        return null;
    }

    /** The context of the request being read (the last that came in), or null. */
    public String reading() {
        ServerEntry last = entries.peekLast();
        return last == null ? null : last.context();
    }

    /**
     * The first request's response head is written with {@code status}: returns the response header to add to it
     * ({@code Root=<root>} with {@code albtrace.response.header=true}), else null. An interim {@code 1xx} changes
     * nothing; a {@code 101} (the connection switches protocol) ends the request without a hop log line.
     */
    public String responded(int status) {
        try {
            ServerEntry first = entries.peekFirst();
            if (first == null || status < 200) {
                if (first != null && status == 101) {
                    entries.pollFirst();
                    requests.pollFirst();
                }
                return null;
            }
            this.status = status;
            return first.responseHeader();
        } catch (Throwable e) {
            Log.adviceFailed(e, "server-entry");
            return null;
        }
    }

    /** The first request's response is written whole (its last content): its hop log line is queued, with its status. */
    public void completed() {
        if (status < 0) {
            return;
        }
        ServerEntry first = entries.pollFirst();
        requests.pollFirst();
        int s = status;
        status = -1;
        if (first != null) {
            first.finish(s);
        }
    }

    /** The connection closed: the requests still queued end without a response (their hop lines have no status). */
    public void closed() {
        status = -1;
        requests.clear();
        for (ServerEntry e; (e = entries.pollFirst()) != null; ) {
            e.finish(-1);
        }
    }
}
