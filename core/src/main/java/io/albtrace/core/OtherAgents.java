package io.albtrace.core;

import java.util.ArrayList;
import java.util.List;

/**
 * Other tracing agents that write {@code X-Amzn-Trace-Id} themselves on the calls they trace, and what albtrace
 * forwards then. They are the OpenTelemetry Java agent and the distributions built on it (the AWS Distro for
 * OpenTelemetry, ...) with the X-Ray propagator ({@code otel.propagators=xray}; its AWS SDK instrumentation writes
 * the header whatever the propagators), and Datadog's agent with {@code dd.trace.propagation.style=xray}. They
 * write it inside the client library's call, after the application made its request and before albtrace reads the
 * request where it goes out, whichever {@code -javaagent} comes first, and they replace a header the application
 * set. Taken as the application's own header (SPEC 5.1), theirs would replace the request's Root and custom fields on
 * every call, since their trace is not the balancer's: their X-Ray propagators take no Root without a
 * {@code Parent}, which a balancer never sends, and so start a trace of their own.
 *
 * <p><b>Which header is theirs.</b> A trace header found on a send is taken as another agent's when
 * <ol>
 *   <li>one of these agents runs in this JVM: its own class is in the bootstrap class loader, where both put their
 *       core ({@value #OPENTELEMETRY_CLASS}, {@value #DATADOG_CLASS}). Looked up once, at the first send that
 *       carries a header; without them, every later such send reads one field, and a send without a header
 *       nothing at all;</li>
 *   <li>and the value is what they write: a valid {@code Root} as the first field, a {@code Parent} of 16 hex
 *       digits, and no {@code Self}. Neither writes a {@code Self}; a header that albtrace forwarded, or that an
 *       application copied from the request it serves, has one.</li>
 * </ol>
 * Their settings are not read: distributions change the defaults, settings come from files and code, and the AWS SDK
 * instrumentation ignores them. So a header of that shape that the application's own code set, in a JVM where one
 * of these agents runs, is taken as the agent's too: where albtrace reads the request, the two cannot be told
 * apart (and when the agent traces the call, the application's header is gone already, replaced by the agent's).
 *
 * <p><b>What is forwarded</b> ({@value Config#OTHER_AGENT_HEADER}):
 * <ul>
 *   <li>{@value Config#OTHER_AGENT_MERGE} (the default): what the call forwards without that agent (SPEC 5: its
 *       context, the request's Root, Self and custom fields), with the agent's fields other than {@code Root} and
 *       {@code Self} in it: each replaces the first field of the same name, in place, and the others follow, in
 *       their order. Their {@code Parent} (the span of this call) and {@code Sampled} go on, so a service behind
 *       that runs the same agent continues the request's Root as its trace, with this call's span as the parent;
 *       the agent's own trace on this service keeps its own identifier. Where the call has no valid Root to forward
 *       (no context, or one without a valid Root), their Root is taken rather than a new one: a call with no
 *       context forwards their header (their Root, a new Self).</li>
 *   <li>{@value Config#OTHER_AGENT_THEIRS}: their header is forwarded as the application's (SPEC 5.1).</li>
 * </ul>
 * Either way, the first header recognised is reported once on stderr, with the agent and the settings.
 */
public final class OtherAgents {

    /** The OpenTelemetry Java agent's (and its distributions') bootstrap class. */
    static final String OPENTELEMETRY_CLASS = "io.opentelemetry.javaagent.bootstrap.AgentInitializer";
    /** Datadog's Java agent's bootstrap class. */
    static final String DATADOG_CLASS = "datadog.trace.bootstrap.Agent";

    private static final String OPENTELEMETRY = "OpenTelemetry's Java agent";
    private static final String DATADOG = "Datadog's Java agent";

    /** Not looked up yet. */
    private static final Object UNKNOWN = new Object();
    /** Looked up: none runs. */
    private static final Object NONE = new Object();

    /** {@link #UNKNOWN}, {@link #NONE}, or the names of the agents that run (a String). */
    private static volatile Object agents = UNKNOWN;
    /** Whether the first header recognised was reported. */
    private static final java.util.concurrent.atomic.AtomicBoolean REPORTED =
            new java.util.concurrent.atomic.AtomicBoolean();

    private OtherAgents() {
    }

    /**
     * The header a send forwards (before SPEC 3's rules) when its request carries {@code own}, the first trace
     * header on it: {@code own}, unless another agent wrote it; then, unless {@value Config#OTHER_AGENT_HEADER} is
     * {@value Config#OTHER_AGENT_THEIRS}, {@code context} with that agent's fields ({@link #withFields}), or
     * {@code own} when there is no context.
     *
     * @param own     the trace header on the request, not null
     * @param context the context the call forwards without a header of its own (SPEC 5.2), or null
     */
    public static String forwardFrom(String own, String context) {
        return forward(own, context, false);
    }

    /**
     * {@link #forwardFrom(String, String)} with the context bound to this thread ({@link Context#current()}), read
     * only when another agent wrote {@code own}.
     */
    public static String forwardFromCurrent(String own) {
        return forward(own, null, true);
    }

    private static String forward(String own, String context, boolean current) {
        String agent = recognise(own);
        if (agent == null || !said(agent)) {
            return own;
        }
        String base = current ? Context.current() : context;
        return base != null ? withFields(base, own) : own;
    }

    /**
     * For a client that wrote its forwarded value on the request when the call was made (OkHttp before 5.3, and a
     * request with the application's header): the trace header a send writes when the request now carries
     * {@code found} where albtrace had put {@code ours}. {@code found} itself, unless another agent wrote it over
     * ours; then, unless {@value Config#OTHER_AGENT_HEADER} is {@value Config#OTHER_AGENT_THEIRS}, {@code ours} with
     * that agent's fields, its {@code Self} kept. When {@code ours} has no {@code Self}, albtrace had no Root to
     * forward and made one: their Root is taken instead, and a {@code Self} added, as {@link #forwardFrom} does.
     */
    public static String overwritten(String ours, String found) {
        if (found.equals(ours)) {
            return found;
        }
        String agent = recognise(found);
        if (agent == null || !said(agent)) {
            return found;
        }
        if (hasSelf(ours)) {
            return withFields(ours, found);
        }
        // (a value the size rule cut to its Root has no Self either: there their Root replaces the request's, for a
        // context within a Self's length of the bound)
        return TraceHeader.forward(withFields(ours, found, false), 0, Config.current().maxHeaderBytes());
    }

    /** The names of the other agents that run, when {@code value} is a header one of them wrote; else null. */
    static String recognise(String value) {
        Object a = agents;
        if (a == NONE) {
            return null;
        }
        if (a == UNKNOWN) {
            a = lookUp();
            if (a == NONE) {
                return null;
            }
        }
        return looksWritten(value) ? (String) a : null;
    }

    /**
     * For tests: the agents to take as running, by name (null: none), in place of looking them up, and the report
     * not said yet; returns what was in force ({@code "unknown"} before the look-up, {@code ""} for none).
     */
    public static String install(String names) {
        REPORTED.set(false);
        Object previous = agents;
        agents = names == null || names.isEmpty() ? NONE : names;
        return previous == UNKNOWN ? "unknown" : previous == NONE ? "" : (String) previous;
    }

    /** For tests: undoes {@link #install}; {@code "unknown"} looks the agents up again at the next header. */
    public static void restore(String previous) {
        agents = "unknown".equals(previous) ? UNKNOWN : previous.isEmpty() ? NONE : previous;
    }

    private static Object lookUp() {
        List<String> found = new ArrayList<>(2);
        if (bootstrapHas(OPENTELEMETRY_CLASS)) {
            found.add(OPENTELEMETRY);
        }
        if (bootstrapHas(DATADOG_CLASS)) {
            found.add(DATADOG);
        }
        Object a = found.isEmpty() ? NONE : String.join(" and ", found);
        agents = a;
        return a;
    }

    private static boolean bootstrapHas(String className) {
        try {
            Class.forName(className, false, null);
            return true;
        } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
            return false;
        }
    }

    /**
     * Whether the agents' headers are merged ({@value Config#OTHER_AGENT_MERGE}, true) or forwarded as theirs; the
     * first time, says so on stderr.
     */
    private static boolean said(String agent) {
        boolean merge = !Config.OTHER_AGENT_THEIRS.equals(Config.current().otherAgentHeader());
        if (!REPORTED.get() && REPORTED.compareAndSet(false, true)) {
            Log.warn(report(agent, merge));
        }
        return merge;
    }

    /** The one line said at the first header another agent wrote. */
    static String report(String agent, boolean merge) {
        List<String> settings = new ArrayList<>(2);
        if (agent.contains(OPENTELEMETRY)) {
            settings.add("OpenTelemetry: otel.propagators with xray, and on AWS SDK calls always");
        }
        if (agent.contains(DATADOG)) {
            settings.add("Datadog: dd.trace.propagation.style with xray");
        }
        String head = agent + " writes " + TraceHeader.NAME + " on outgoing calls too"
                + (settings.isEmpty() ? "" : " (" + String.join("; ", settings) + ")") + ". ";
        if (merge) {
            return head + "albtrace sends the request's Root, Self and custom fields, with that agent's Parent, Sampled"
                    + " and other fields in them; " + Config.OTHER_AGENT_HEADER + "=" + Config.OTHER_AGENT_THEIRS
                    + " sends that agent's header instead (said once)";
        }
        return head + "With " + Config.OTHER_AGENT_HEADER + "=" + Config.OTHER_AGENT_THEIRS + " albtrace forwards that"
                + " agent's header as the application's: the request's Root and custom fields are not sent; "
                + Config.OTHER_AGENT_HEADER + "=" + Config.OTHER_AGENT_MERGE + ", the default, keeps them (said once)";
    }

    /**
     * Whether {@code value} is what the other agents write: a valid {@code Root} first, a {@code Parent} of 16 hex
     * digits, no {@code Self}. Read as SPEC 2 reads a header (the first value of a combined one, parts trimmed,
     * malformed parts dropped).
     */
    static boolean looksWritten(String value) {
        List<String> fields = TraceHeader.fields(value);
        if (fields.isEmpty() || !fields.get(0).startsWith("Root=")
                || !TraceHeader.isValidId(fields.get(0).substring(5))) {
            return false;
        }
        boolean parent = false;
        for (String field : fields) {
            if (field.startsWith("Self=")) {
                return false;
            }
            parent |= field.length() == 23 && field.startsWith("Parent=") && isHex(field, 7, 23);
        }
        return parent;
    }

    /**
     * {@code base}'s fields with {@code theirs}' fields other than {@code Root} and {@code Self}: each replaces the
     * first of {@code base}'s fields of the same name not replaced yet, in place; the others follow, in their order.
     * When {@code base} has no valid {@code Root}, theirs (if valid) takes its place: a Root albtrace would make is
     * no better than the one they made. Both are read as SPEC 2 reads a header; parts it drops are dropped.
     */
    static String withFields(String base, String theirs) {
        return withFields(base, theirs, true);
    }

    /** {@link #withFields(String, String)}; without {@code keepRoot}, their valid Root replaces base's in any case. */
    private static String withFields(String base, String theirs, boolean keepRoot) {
        List<String> out = fields(base, true);
        int rootAt = -1;
        for (int i = 0; i < out.size() && rootAt < 0; i++) {
            if (out.get(i).startsWith("Root=")) {
                rootAt = i;
            }
        }
        if (!keepRoot || rootAt < 0 || !TraceHeader.isValidId(out.get(rootAt).substring(5))) {
            String theirRoot = TraceHeader.root(theirs);
            if (theirRoot != null) {
                if (rootAt >= 0) {
                    out.set(rootAt, "Root=" + theirRoot);
                } else {
                    out.add(0, "Root=" + theirRoot);
                }
            }
        }
        int original = out.size();
        boolean[] replaced = new boolean[original];
        for (String field : fields(theirs, false)) {
            String name = field.substring(0, field.indexOf('=') + 1);
            boolean placed = false;
            for (int i = 0; i < original && !placed; i++) {
                if (!replaced[i] && out.get(i).startsWith(name)) {
                    out.set(i, field);
                    replaced[i] = true;
                    placed = true;
                }
            }
            if (!placed) {
                out.add(field);
            }
        }
        return String.join(";", out);
    }

    private static boolean hasSelf(String value) {
        for (String field : fields(value, true)) {
            if (field.startsWith("Self=")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The fields of {@code value} that SPEC 2 keeps, as {@code name=value}: with {@code rootAndSelf} the first
     * {@code Root} and the first {@code Self} among them, without it neither.
     */
    private static List<String> fields(String value, boolean rootAndSelf) {
        List<String> all = TraceHeader.fields(value);
        if (rootAndSelf) {
            return all;
        }
        List<String> out = new ArrayList<>(all.size());
        for (String f : all) {
            if (!f.startsWith("Root=") && !f.startsWith("Self=")) {
                out.add(f);
            }
        }
        return out;
    }

    private static boolean isHex(String value, int s, int e) {
        for (int i = s; i < e; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F')) {
                return false;
            }
        }
        return true;
    }
}
