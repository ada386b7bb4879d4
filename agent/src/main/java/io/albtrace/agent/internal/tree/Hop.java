package io.albtrace.agent.internal.tree;

import java.util.ArrayList;
import java.util.List;

/**
 * One line read back: a hop log line ({@code in} or {@code out}, SPEC 8) or a balancer's access-log entry
 * ({@code alb}), with its place in the call tree once {@link Trees} has built it.
 */
final class Hop {

    static final String IN = "in";
    static final String OUT = "out";
    static final String ALB = "alb";

    String dir;
    /** When the request started, in microseconds since the epoch. */
    long startMicros;
    String svc;
    String root;
    String self;
    /** Null when absent (an out line made outside any request). */
    String parent;
    String method;
    String host;
    String path;
    /** Negative when absent. */
    int status = -1;
    /** Negative when absent. */
    double ms = -1;
    String trace;
    /** Where it was read: {@code FILE:LINE}. */
    String where;
    /** The order it was read in, over all files. */
    long order;

    /** What disagrees about it (SPEC 8's two ends of a call), or null. */
    String problem;
    final List<Hop> children = new ArrayList<>();
    boolean placed;

    /** The end of the request, in microseconds since the epoch (the start when no duration). */
    long endMicros() {
        return ms < 0 ? startMicros : startMicros + Math.round(ms * 1000);
    }
}
