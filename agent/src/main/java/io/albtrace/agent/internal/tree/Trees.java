package io.albtrace.agent.internal.tree;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The call tree of one Root (SPEC 8): the balancer's entries on top when given, each service's {@code in} line, under
 * it the {@code out} lines it made (its {@code self} is their {@code parent}, same service), and under each call the
 * {@code in} line of the service that received it (its {@code self} is the call's). Where the two ends of a call
 * disagree, the line says so ({@link Hop#problem}).
 */
final class Trees {

    static final String NO_RECEIVER = "no receiving line: the callee is not instrumented or its hop log is missing";
    static final String NO_CALLER = "no caller sent this Self (its log is missing, or the caller is not instrumented)";
    static final String NO_BALANCER_TARGET = "no service's line received it (its hop log is missing)";

    /** The lines of one Root. */
    static final class Tree {
        final String root;
        final List<Hop> lines = new ArrayList<>();
        final List<Hop> top = new ArrayList<>();
        long startMicros = Long.MAX_VALUE;
        long endMicros = Long.MIN_VALUE;
        /** Lines of this Root left out over the bound. */
        long leftOut;

        Tree(String root) {
            this.root = root;
        }
    }

    private static final Comparator<Hop> BY_TIME =
            Comparator.comparingLong((Hop h) -> h.startMicros).thenComparingLong(h -> h.order);

    private Trees() {
    }

    /** Builds the tree of {@code lines}, all of one Root. */
    static Tree build(String root, List<Hop> lines, long leftOut) {
        Tree t = new Tree(root);
        t.leftOut = leftOut;
        t.lines.addAll(lines);
        t.lines.sort(BY_TIME);
        for (Hop h : t.lines) {
            h.children.clear();
            h.placed = false;
            h.problem = null;
            t.startMicros = Math.min(t.startMicros, h.startMicros);
            t.endMicros = Math.max(t.endMicros, h.endMicros());
        }
        // in lines by the Self they arrived with: the receiving end of a call
        Map<String, List<Hop>> inBySelf = new HashMap<>();
        // in lines by service, for the out lines they made
        Map<String, List<Hop>> inBySvc = new HashMap<>();
        List<Hop> albs = new ArrayList<>();
        for (Hop h : t.lines) {
            if (Hop.IN.equals(h.dir)) {
                if (h.self != null) {
                    inBySelf.computeIfAbsent(h.self, k -> new ArrayList<>()).add(h);
                }
                inBySvc.computeIfAbsent(h.svc, k -> new ArrayList<>()).add(h);
            } else if (Hop.ALB.equals(h.dir)) {
                albs.add(h);
            }
        }
        for (Hop out : t.lines) {
            if (!Hop.OUT.equals(out.dir)) {
                continue;
            }
            // the caller: an in line of the same service whose self is this line's parent, the one it ran within
            if (out.parent != null) {
                Hop caller = within(inBySvc.get(out.svc), out, out.parent.isEmpty() ? null : out.parent);
                if (caller != null) {
                    caller.children.add(out);
                    out.placed = true;
                }
            }
            List<Hop> receivers = out.self == null ? null : inBySelf.get(out.self);
            if (receivers == null || receivers.isEmpty()) {
                out.problem = NO_RECEIVER;
            } else {
                for (Hop in : receivers) {
                    if (!in.placed) {
                        out.children.add(in);
                        in.placed = true;
                    }
                }
            }
        }
        // the balancer's entries: each takes the first in line it sent (the same header, from its start on)
        for (Hop alb : albs) {
            Hop target = null;
            for (Hop in : t.lines) {
                if (Hop.IN.equals(in.dir) && !in.placed && in.startMicros >= alb.startMicros - 1000
                        && sameHeader(alb, in)) {
                    target = in;
                    break;
                }
            }
            if (target == null) {
                alb.problem = NO_BALANCER_TARGET;
            } else {
                alb.children.add(target);
                target.placed = true;
            }
        }
        for (Hop h : t.lines) {
            if (!h.placed) {
                if (Hop.IN.equals(h.dir) && h.self != null) {
                    h.problem = NO_CALLER;
                }
                t.top.add(h);
            }
        }
        for (Hop h : t.lines) {
            h.children.sort(BY_TIME);
        }
        // damaged or forged logs can make a loop (a call whose Self is its own caller's): every line is shown once,
        // on top when the tree does not reach it
        java.util.Set<Hop> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Hop h : t.top) {
            reach(h, seen);
        }
        for (Hop h : t.lines) {
            if (!seen.contains(h)) {
                t.top.add(h);
                reach(h, seen);
            }
        }
        t.top.sort(BY_TIME);
        return t;
    }

    private static void reach(Hop h, java.util.Set<Hop> seen) {
        if (!seen.add(h)) {
            return;
        }
        for (java.util.Iterator<Hop> i = h.children.iterator(); i.hasNext();) {
            Hop c = i.next();
            if (seen.contains(c)) {
                i.remove();
            } else {
                reach(c, seen);
            }
        }
    }

    /** The header the balancer sent is the one the service received: the same Self, or both none. */
    private static boolean sameHeader(Hop alb, Hop in) {
        return alb.self == null ? in.self == null : alb.self.equals(in.self);
    }

    /**
     * Of {@code ins} (one service's in lines), those whose self is {@code self} (null: none), the one whose time
     * contains {@code out}'s start, else the latest that started before it, else the first.
     */
    private static Hop within(List<Hop> ins, Hop out, String self) {
        if (ins == null) {
            return null;
        }
        Hop before = null;
        Hop any = null;
        for (Hop in : ins) {
            if (self == null ? in.self != null : !self.equals(in.self)) {
                continue;
            }
            if (any == null) {
                any = in;
            }
            if (in.startMicros <= out.startMicros) {
                if (out.startMicros <= in.endMicros() + 1000) {
                    return in;
                }
                before = in;
            }
        }
        return before != null ? before : any;
    }

    /** Groups lines by Root, the Roots in the order of their first line. */
    static Map<String, List<Hop>> byRoot(List<Hop> lines) {
        Map<String, List<Hop>> out = new LinkedHashMap<>();
        List<Hop> sorted = new ArrayList<>(lines);
        sorted.sort(BY_TIME);
        for (Hop h : sorted) {
            out.computeIfAbsent(h.root, k -> new ArrayList<>()).add(h);
        }
        return out;
    }
}
