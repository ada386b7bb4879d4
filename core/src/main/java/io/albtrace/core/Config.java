package io.albtrace.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The agent's settings (SPEC section 6). Each key {@code albtrace.x.y} is read from, in rising order of
 * precedence: the properties file named by {@code albtrace.config}, the environment variable
 * {@code ALBTRACE_X_Y} (dots and dashes become underscores), the system property, and the agent arguments
 * ({@code key=value,key=value}, given to {@code attach PID} or after {@code -javaagent:albtrace-agent.jar=}).
 * An unknown key or a bad value is reported once and the default is used.
 */
public final class Config {

    public static final String FILE = "albtrace.config";
    public static final String ENABLED = "albtrace.enabled";
    public static final String MAX_HEADER_BYTES = "albtrace.max.header.bytes";
    public static final String RESPONSE_HEADER = "albtrace.response.header";
    public static final String MDC_ENABLED = "albtrace.mdc.enabled";
    public static final String DEBUG = "albtrace.debug";
    public static final String WEAVER = "albtrace.weaver";
    /** What to do with a trace header another tracing agent wrote on a send ({@link OtherAgents}). */
    public static final String OTHER_AGENT_HEADER = "albtrace.other.agent.header";
    /** Where the hop log goes (SPEC 8, {@link HopLog}): {@code off}, {@code stderr}, {@code stdout} or a file. */
    public static final String HOPLOG = "albtrace.hoplog";
    /** The {@code svc} of hop log lines. */
    public static final String SERVICE_NAME = "albtrace.service.name";
    /** The size at which a hop log file is rotated; 0: never. */
    public static final String HOPLOG_MAX_BYTES = "albtrace.hoplog.max.bytes";
    /** How many rotated hop log files are kept ({@code FILE.1} the newest to {@code FILE.N}). */
    public static final String HOPLOG_MAX_FILES = "albtrace.hoplog.max.files";

    /** {@code albtrace.hoplog=stderr}: hop log lines on the process's standard error. */
    public static final String HOPLOG_STDERR = "stderr";
    /** {@code albtrace.hoplog=stdout}: hop log lines on the process's standard output. */
    public static final String HOPLOG_STDOUT = "stdout";
    /** The default of {@code albtrace.hoplog.max.bytes}: 100 MiB. */
    public static final long HOPLOG_MAX_BYTES_DEFAULT = 100L << 20;
    /** The smallest size accepted for {@code albtrace.hoplog.max.bytes} but 0 (never rotate). */
    public static final long HOPLOG_MAX_BYTES_MIN = 1024;
    /** The default of {@code albtrace.hoplog.max.files}. */
    public static final int HOPLOG_MAX_FILES_DEFAULT = 5;
    /** The most rotated files {@code albtrace.hoplog.max.files} accepts. */
    public static final int HOPLOG_MAX_FILES_LIMIT = 1000;
    /** The longest {@code albtrace.service.name}. */
    public static final int SERVICE_NAME_CHARS = 128;

    /** {@code albtrace.weaver=asm}, the default: the agent's own ASM weaver; Byte Buddy only for what it cannot do. */
    public static final String WEAVER_ASM = "asm";
    /** {@code albtrace.weaver=bytebuddy}: every class woven by Byte Buddy's {@code Advice} (slower to start). */
    public static final String WEAVER_BYTEBUDDY = "bytebuddy";

    /**
     * {@code albtrace.other.agent.header=merge}, the default: a header another agent wrote gives its fields but the
     * request's own Root and fields are forwarded ({@link OtherAgents}).
     */
    public static final String OTHER_AGENT_MERGE = "merge";
    /** {@code albtrace.other.agent.header=theirs}: a header another agent wrote is forwarded as the application's. */
    public static final String OTHER_AGENT_THEIRS = "theirs";

    /** The values of {@code albtrace.weaver} and {@code albtrace.other.agent.header}; the first is the default. */
    private static final List<String> WEAVERS = Collections.unmodifiableList(
            java.util.Arrays.asList(WEAVER_ASM, WEAVER_BYTEBUDDY));
    private static final List<String> OTHER_AGENT_HEADERS = Collections.unmodifiableList(
            java.util.Arrays.asList(OTHER_AGENT_MERGE, OTHER_AGENT_THEIRS));

    /** The instrumentation names known to {@code albtrace.instrumentation.NAME.enabled}. */
    public static final List<String> INSTRUMENTATIONS = Collections.unmodifiableList(java.util.Arrays.asList(
            "okhttp", "apache-httpclient", "jdk-httpclient", "http-url-connection", "jdk-httpserver", "servlet",
            "executors", "reactor", "apache-httpasyncclient", "jetty-httpclient", "netty", "undertow",
            "jetty", "helidon"));

    /** Upper bound accepted for {@code albtrace.max.header.bytes}: 1 MiB. */
    public static final int MAX_HEADER_BYTES_LIMIT = 1 << 20;

    private static final String PREFIX = "albtrace.";
    private static final String ENV_PREFIX = "ALBTRACE_";

    private static volatile Config current;

    private final boolean enabled;
    private final int maxHeaderBytes;
    private final boolean responseHeader;
    private final boolean mdcEnabled;
    private final boolean debug;
    private final String weaver;
    private final String otherAgentHeader;
    private final String hoplog;
    private final String serviceName;
    private final long hoplogMaxBytes;
    private final int hoplogMaxFiles;
    private final Map<String, Boolean> instrumentations;
    private final List<String> problems;

    private Config(Map<String, String> values, List<String> problems) {
        this.problems = Collections.unmodifiableList(problems);
        this.enabled = bool(values, ENABLED, true, problems);
        this.maxHeaderBytes = positive(values, MAX_HEADER_BYTES, TraceHeader.DEFAULT_MAX_HEADER_BYTES, problems);
        this.responseHeader = bool(values, RESPONSE_HEADER, false, problems);
        this.mdcEnabled = bool(values, MDC_ENABLED, true, problems);
        this.debug = bool(values, DEBUG, false, problems);
        this.weaver = oneOf(values, WEAVER, WEAVERS, problems);
        this.otherAgentHeader = oneOf(values, OTHER_AGENT_HEADER, OTHER_AGENT_HEADERS, problems);
        this.hoplog = checked(values, HOPLOG, problems, "off") ? parseHoplog(values.get(HOPLOG)) : null;
        this.serviceName = checked(values, SERVICE_NAME, problems, "the main class's or jar's name")
                ? values.get(SERVICE_NAME).trim() : null;
        this.hoplogMaxBytes = checked(values, HOPLOG_MAX_BYTES, problems, HOPLOG_MAX_BYTES_DEFAULT)
                ? Long.parseLong(values.get(HOPLOG_MAX_BYTES).trim()) : HOPLOG_MAX_BYTES_DEFAULT;
        this.hoplogMaxFiles = checked(values, HOPLOG_MAX_FILES, problems, HOPLOG_MAX_FILES_DEFAULT)
                ? Integer.parseInt(values.get(HOPLOG_MAX_FILES).trim()) : HOPLOG_MAX_FILES_DEFAULT;
        Map<String, Boolean> on = new HashMap<>();
        for (String name : INSTRUMENTATIONS) {
            on.put(name, bool(values, instrumentationKey(name), true, problems));
        }
        this.instrumentations = on;
    }

    /** The settings in force: read once from the file, the environment and system properties. */
    public static Config current() {
        Config c = current;
        if (c == null) {
            synchronized (Config.class) {
                c = current;
                if (c == null) {
                    c = load(System.getProperties(), System.getenv());
                    for (String problem : c.problems) {
                        Log.warn(problem);
                    }
                    current = c;
                }
            }
        }
        return c;
    }

    /**
     * The agent's start-up: the settings in force, read as {@link #current()} does with {@code agentArguments}
     * ({@code key=value,key=value}, may be null) over the rest; problems are reported once. When settings were
     * already in force, they stay, and arguments given now are reported as not applied.
     */
    public static Config initialize(String agentArguments) {
        synchronized (Config.class) {
            if (current == null) {
                Config c = load(System.getProperties(), System.getenv(), agentArguments);
                for (String problem : c.problems) {
                    Log.warn(problem);
                }
                current = c;
            } else if (agentArguments != null && !agentArguments.trim().isEmpty()) {
                List<String> given = new ArrayList<>();
                for (String[] pair : splitArguments(agentArguments)) {
                    given.add(pair[1] == null ? Log.hidden(pair[0]) : Log.value(pair[0]) + "=...");
                }
                Log.warn("settings were already read; the agent arguments given now (" + String.join(", ", given)
                        + ") are not applied");
            }
            return current;
        }
    }

    /** Replaces the settings in force (for the agent's start-up and for tests); returns the previous ones. */
    public static Config install(Config config) {
        synchronized (Config.class) {
            Config previous = current;
            current = config;
            return previous;
        }
    }

    /**
     * Reads settings from these system properties and environment; pure apart from reading the file that
     * {@code albtrace.config} names. Problems are collected in {@link #problems()}, not printed.
     */
    public static Config load(Properties systemProperties, Map<String, String> environment) {
        return load(systemProperties, environment, null);
    }

    /**
     * As {@link #load(Properties, Map)}, with the agent arguments ({@code key=value,key=value}, or null) over
     * everything else; {@code albtrace.config} among them names the file to read.
     */
    public static Config load(Properties systemProperties, Map<String, String> environment, String agentArguments) {
        List<String> problems = new ArrayList<>();
        Map<String, String> arguments = new LinkedHashMap<>();
        for (String[] pair : splitArguments(agentArguments)) {
            if (pair[1] == null) {
                problems.add("agent argument '" + Log.hidden(pair[0]) + "' is not key=value and is ignored");
            } else if (pair[0].equals(FILE)) {
                arguments.put(FILE, pair[1]);
            } else {
                accept(arguments, pair[0], pair[1], "agent argument", problems);
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> envNames = new HashMap<>();
        for (String key : knownKeys()) {
            envNames.put(envName(key), key);
        }

        String file = arguments.remove(FILE);
        if (file == null) {
            file = systemProperties.getProperty(FILE);
        }
        if (file == null) {
            file = environment.get(envName(FILE));
        }
        if (file != null) {
            try {
                Properties fromFile = readSettingsFile(file);
                for (String key : fromFile.stringPropertyNames()) {
                    accept(values, key, fromFile.getProperty(key), "in " + file, problems);
                }
            } catch (IOException | RuntimeException e) {
                problems.add("cannot read the settings file " + FILE + "=" + Log.value(file) + " (" + e
                        + "); continuing without it");
            }
        }
        for (Map.Entry<String, String> e : environment.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(ENV_PREFIX)) {
                String key = envNames.get(name);
                if (key == null) {
                    problems.add("unknown environment variable " + Log.value(name) + " is ignored; known: "
                            + String.join(", ", envNames.keySet()));
                } else if (!key.equals(FILE)) {
                    values.put(key, e.getValue());
                }
            }
        }
        for (String key : systemProperties.stringPropertyNames()) {
            if (key.startsWith(PREFIX) && !key.equals(FILE)) {
                accept(values, key, systemProperties.getProperty(key), "system property", problems);
            }
        }
        values.putAll(arguments);
        return new Config(values, problems);
    }

    /** The largest settings file read: a handful of keys fit in far less; anything bigger is not one. */
    static final int MAX_SETTINGS_FILE_BYTES = 64 * 1024;

    /**
     * The settings file, read so that a wrong name cannot hurt the application at start-up (or, given to
     * {@code attach}, while it runs): only a regular file (not a FIFO, a device such as /dev/zero or a directory,
     * which could block or exhaust the heap), and at most {@link #MAX_SETTINGS_FILE_BYTES}.
     */
    static Properties readSettingsFile(String file) throws IOException {
        Path path = Paths.get(file);
        if (!Files.isRegularFile(path)) {
            throw new IOException(Files.exists(path) ? "not a regular file" : "no such file");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_SETTINGS_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_SETTINGS_FILE_BYTES) {
            throw new IOException("larger than " + MAX_SETTINGS_FILE_BYTES + " bytes");
        }
        Properties p = new Properties();
        p.load(new java.io.ByteArrayInputStream(bytes));
        return p;
    }

    /**
     * Splits agent arguments {@code key=value,key=value} into {@code {key, value}} pairs, in order, each part
     * trimmed, empty parts skipped; a part without {@code =} is {@code {part, null}}. Values cannot hold a comma.
     */
    public static List<String[]> splitArguments(String agentArguments) {
        List<String[]> pairs = new ArrayList<>();
        if (agentArguments == null) {
            return pairs;
        }
        for (String part : agentArguments.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int eq = p.indexOf('=');
            if (eq < 0) {
                pairs.add(new String[] {p, null});
            } else {
                pairs.add(new String[] {p.substring(0, eq).trim(), p.substring(eq + 1).trim()});
            }
        }
        return pairs;
    }

    /**
     * Why {@code value} is not acceptable for the known key {@code key} ("is not true or false"), or null when
     * it is. Any value is acceptable for {@code albtrace.config}, a file name.
     */
    public static String invalidValue(String key, String value) {
        if (key.equals(FILE)) {
            return null;
        }
        if (key.equals(MAX_HEADER_BYTES)) {
            return parsePositive(value) < 0 ? "is not a whole number from 1 to " + MAX_HEADER_BYTES_LIMIT : null;
        }
        if (key.equals(HOPLOG)) {
            return value.trim().isEmpty() ? "is not off, stderr, stdout or a file's path" : null;
        }
        if (key.equals(SERVICE_NAME)) {
            String t = value.trim();
            if (t.isEmpty() || t.length() > SERVICE_NAME_CHARS) {
                return "is not a name of 1 to " + SERVICE_NAME_CHARS + " characters";
            }
            for (int i = 0; i < t.length(); i++) {
                if (t.charAt(i) < 0x20 || t.charAt(i) > 0x7E) {
                    return "holds a character outside visible ASCII and space";
                }
            }
            return null;
        }
        if (key.equals(HOPLOG_MAX_BYTES)) {
            long n = parseLong(value);
            return n == 0 || n >= HOPLOG_MAX_BYTES_MIN ? null
                    : "is not 0 (never rotate) or a whole number of bytes from " + HOPLOG_MAX_BYTES_MIN;
        }
        if (key.equals(HOPLOG_MAX_FILES)) {
            long n = parseLong(value);
            return n >= 1 && n <= HOPLOG_MAX_FILES_LIMIT ? null
                    : "is not a whole number from 1 to " + HOPLOG_MAX_FILES_LIMIT;
        }
        if (key.equals(WEAVER) || key.equals(OTHER_AGENT_HEADER)) {
            List<String> allowed = key.equals(WEAVER) ? WEAVERS : OTHER_AGENT_HEADERS;
            return parseOneOf(value, allowed) == null ? "is not " + String.join(" or ", allowed) : null;
        }
        return parseBoolean(value) == null ? "is not true or false" : null;
    }

    private static void accept(Map<String, String> values, String key, String value, String where,
            List<String> problems) {
        if (knownKeys().contains(key) && !key.equals(FILE)) {
            values.put(key, value);
        } else {
            problems.add("unknown setting " + Log.value(key) + " (" + Log.value(where) + ") is ignored; known: "
                    + String.join(", ", knownKeys()));
        }
    }

    /** Every key the agent reads. */
    public static List<String> knownKeys() {
        List<String> keys = new ArrayList<>();
        Collections.addAll(keys, FILE, ENABLED, MAX_HEADER_BYTES, RESPONSE_HEADER, MDC_ENABLED, DEBUG, WEAVER,
                OTHER_AGENT_HEADER, HOPLOG, SERVICE_NAME, HOPLOG_MAX_BYTES, HOPLOG_MAX_FILES);
        for (String name : INSTRUMENTATIONS) {
            keys.add(instrumentationKey(name));
        }
        return keys;
    }

    /** {@code albtrace.instrumentation.NAME.enabled}. */
    public static String instrumentationKey(String name) {
        return "albtrace.instrumentation." + name + ".enabled";
    }

    /** The environment variable for {@code key}: {@code albtrace.max.header.bytes} is {@code ALBTRACE_MAX_HEADER_BYTES}. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static boolean bool(Map<String, String> values, String key, boolean fallback, List<String> problems) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        Boolean b = parseBoolean(v);
        if (b != null) {
            return b;
        }
        problems.add(refused(key, v, "is not true or false", fallback));
        return fallback;
    }

    /**
     * A refused value, said without showing it whole ({@link Log#hidden}: it may be a secret pasted under the wrong
     * key): {@code albtrace.debug=yes is not true or false; using false}.
     */
    public static String refused(String key, String value, String why, Object fallback) {
        return Log.value(key) + "=" + Log.hidden(value) + " " + why + (fallback == null ? "" : "; using " + fallback);
    }

    /** {@code key}'s value, one of {@code allowed} (any case, trimmed); the first when unset or not one of them. */
    private static String oneOf(Map<String, String> values, String key, List<String> allowed, List<String> problems) {
        String v = values.get(key);
        if (v == null) {
            return allowed.get(0);
        }
        String w = parseOneOf(v, allowed);
        if (w != null) {
            return w;
        }
        problems.add(refused(key, v, "is not " + String.join(" or ", allowed), allowed.get(0)));
        return allowed.get(0);
    }

    private static String parseOneOf(String v, List<String> allowed) {
        String t = v.trim().toLowerCase(Locale.ROOT);
        return allowed.contains(t) ? t : null;
    }

    /**
     * True when {@code key} is set to a value {@link #invalidValue} accepts; false when unset, or when refused (then
     * said in {@code problems}, with {@code fallback} as what is used).
     */
    private static boolean checked(Map<String, String> values, String key, List<String> problems, Object fallback) {
        String v = values.get(key);
        if (v == null) {
            return false;
        }
        String why = invalidValue(key, v);
        if (why == null) {
            return true;
        }
        problems.add(refused(key, v, why, fallback));
        return false;
    }

    /** {@code albtrace.hoplog}'s value: null for off, {@link #HOPLOG_STDERR}, {@link #HOPLOG_STDOUT} or the path. */
    private static String parseHoplog(String v) {
        String t = v.trim();
        String lower = t.toLowerCase(Locale.ROOT);
        if (lower.equals("off")) {
            return null;
        }
        return lower.equals(HOPLOG_STDERR) || lower.equals(HOPLOG_STDOUT) ? lower : t;
    }

    /** The number, or -1 when it is not a whole number from 0. */
    private static long parseLong(String v) {
        try {
            long n = Long.parseLong(v.trim());
            return n >= 0 ? n : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Boolean parseBoolean(String v) {
        String t = v.trim();
        if (t.equalsIgnoreCase("true")) {
            return Boolean.TRUE;
        }
        if (t.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        return null;
    }

    /** The number, or -1 when it is not a whole number from 1 to the limit. */
    private static int parsePositive(String v) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n >= 1 && n <= MAX_HEADER_BYTES_LIMIT) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // below
        }
        return -1;
    }

    private static int positive(Map<String, String> values, String key, int fallback, List<String> problems) {
        String v = values.get(key);
        if (v == null) {
            return fallback;
        }
        int n = parsePositive(v);
        if (n > 0) {
            return n;
        }
        problems.add(refused(key, v, "is not a whole number from 1 to " + MAX_HEADER_BYTES_LIMIT, fallback));
        return fallback;
    }

    /** {@code albtrace.enabled}: false installs nothing. */
    public boolean enabled() {
        return enabled;
    }

    /** {@code albtrace.instrumentation.NAME.enabled}; an instrumentation this version does not list is on. */
    public boolean instrumentationEnabled(String name) {
        Boolean on = instrumentations.get(name);
        return on == null || on;
    }

    public int maxHeaderBytes() {
        return maxHeaderBytes;
    }

    public boolean responseHeader() {
        return responseHeader;
    }

    public boolean mdcEnabled() {
        return mdcEnabled;
    }

    public boolean debug() {
        return debug;
    }

    /** {@code albtrace.weaver}: {@link #WEAVER_ASM} or {@link #WEAVER_BYTEBUDDY}. */
    public String weaver() {
        return weaver;
    }

    /**
     * {@code albtrace.other.agent.header}: {@link #OTHER_AGENT_MERGE} or {@link #OTHER_AGENT_THEIRS}, what is done
     * with a trace header another tracing agent wrote ({@link OtherAgents}).
     */
    public String otherAgentHeader() {
        return otherAgentHeader;
    }

    /**
     * {@code albtrace.hoplog}: null when off (the default), {@link #HOPLOG_STDERR}, {@link #HOPLOG_STDOUT}, or the
     * path of the file (as given: relative to the working directory).
     */
    public String hoplog() {
        return hoplog;
    }

    /** {@code albtrace.service.name}, or null when not set ({@link HopLog#serviceName} then finds one). */
    public String serviceName() {
        return serviceName;
    }

    /** {@code albtrace.hoplog.max.bytes}: the size at which the hop log file is rotated; 0: never. */
    public long hoplogMaxBytes() {
        return hoplogMaxBytes;
    }

    /** {@code albtrace.hoplog.max.files}: the rotated files kept. */
    public int hoplogMaxFiles() {
        return hoplogMaxFiles;
    }

    /** What was wrong with the settings, one sentence each; the defaults were used for those. */
    public List<String> problems() {
        return problems;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(ENABLED).append('=').append(enabled)
                .append(", ").append(MAX_HEADER_BYTES).append('=').append(maxHeaderBytes)
                .append(", ").append(RESPONSE_HEADER).append('=').append(responseHeader)
                .append(", ").append(MDC_ENABLED).append('=').append(mdcEnabled)
                .append(", ").append(DEBUG).append('=').append(debug)
                .append(", ").append(WEAVER).append('=').append(weaver)
                .append(", ").append(OTHER_AGENT_HEADER).append('=').append(otherAgentHeader)
                .append(", ").append(HOPLOG).append('=').append(hoplog == null ? "off" : Log.value(hoplog))
                .append(", ").append(SERVICE_NAME).append('=').append(serviceName == null ? "(main class or jar)"
                        : Log.value(serviceName))
                .append(", ").append(HOPLOG_MAX_BYTES).append('=').append(hoplogMaxBytes)
                .append(", ").append(HOPLOG_MAX_FILES).append('=').append(hoplogMaxFiles);
        for (String name : INSTRUMENTATIONS) {
            sb.append(", ").append(instrumentationKey(name)).append('=').append(instrumentationEnabled(name));
        }
        return sb.toString();
    }
}
