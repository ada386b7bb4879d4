package io.albtrace.smoke;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 23's proof, SPEC section 8: four services in their own JVMs with the built agent, each writing its hop log
 * ({@code -Dalbtrace.hoplog=<file> -Dalbtrace.service.name=<name>}), behind a raw-socket balancer that adds the trace
 * header as an ALB does (SPEC section 3) and writes one ALB access-log entry per request in AWS's documented format;
 * then {@code java -jar albtrace-agent.jar tree --alb <access log> <hop logs>} must print exactly the call tree the
 * headers the services received make.
 *
 * <pre>
 * client -> balancer -> front (JDK HttpServer, HopFrontApp)
 *                         -> spring (Spring Boot on Tomcat; JDK HttpClient, on the request's thread)
 *                              -> store (BackApp) with RestTemplate, RestClient and the JDK's HttpClient
 *                         -> back (BackApp; HttpURLConnection on another thread)
 * </pre>
 *
 * Identifiers come from what each service reported receiving; only times (which no test can know) are replaced by
 * {@code T} (an offset) and {@code D} (a duration) before the comparison.
 */
class HopLogIT {

    private static final Path DIR = Jvm.WORK.resolve("hoplog-it");
    private static final Path ALB_LOG = DIR.resolve("alb-access.log");
    private static final List<String> SERVICES = List.of("front", "spring", "back", "store");
    /** Lines each request writes in each service's log, in the order of {@link #SERVICES}. */
    private static final int[] LINES_PER_REQUEST = {3, 4, 1, 3};

    private static final String ROOT_FULL = "1-67891233-abcdef012345678912345678";
    private static final String ROOT_ONLY = "1-67891234-0123456789abcdef01234567";
    private static final String CLIENT_SELF = "1-67891233-12456789abcdef012345678";

    private static final List<Jvm.Service> SERVICES_RUNNING = new ArrayList<>();
    private static Jvm.Service front;
    private static Jvm.Service spring;
    private static Jvm.Service back;
    private static Jvm.Service store;
    private static AlbBalancer balancer;
    private static final List<String> EXPECTED = new ArrayList<>();
    private static final List<String> ROOTS = new ArrayList<>();

    @BeforeAll
    static void startTheChainAndSendThreeRequests() throws Exception {
        Files.createDirectories(DIR);
        try (var files = Files.list(DIR)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.delete(p); // hop logs are appended to: start from none
            }
        }
        // the services run on the JDKs the smoke tests cover: spring and back on the last of them (Temurin 25 where
        // installed), front and store on the one running the tests
        List<Path> jdks = Jvm.jdks();
        Path last = jdks.get(jdks.size() - 1);
        store = start(Jvm.java().named("hoplog-store").jvmArgs(agent("store"))
                .service(Jvm.backClassPath(), "io.albtrace.smoke.apps.BackApp", "0"));
        back = start(Jvm.java().home(last).named("hoplog-back-jdk" + Jvm.feature(last)).jvmArgs(agent("back"))
                .service(Jvm.backClassPath(), "io.albtrace.smoke.apps.BackApp", "0"));
        spring = start(Jvm.java().home(last).named("hoplog-spring-jdk" + Jvm.feature(last))
                .timeout(Duration.ofSeconds(180))
                .jvmArgs(agent("spring"))
                .service(SpringBootIT.APP.resolve("albtrace-spring-front.jar") + java.io.File.pathSeparator
                        + SpringBootIT.APP.resolve("lib") + "/*", "io.albtrace.smoke.spring.SpringFrontApp",
                        "--server.port=0", "--back.url=" + store.uri() + "/store"));
        front = start(Jvm.java().named("hoplog-front").jvmArgs(agent("front"))
                .service(Jvm.frontClassPath("default"), "io.albtrace.smoke.apps.HopFrontApp", "0",
                        spring.uri() + "/chain", back.uri() + "/stock"));
        balancer = new AlbBalancer(front.port(), ALB_LOG);

        // a full header: the balancer replaces its Self and keeps the rest
        request("/order?case=full", "Root=" + ROOT_FULL + ";Self=" + CLIENT_SELF + ";CalledFrom=app");
        // Root only: the balancer inserts a Self
        request("/order?case=root-only", "Root=" + ROOT_ONLY);
        // none: the balancer makes a Root, and sends no Self
        request("/order", null);
        awaitLines();
    }

    private static Jvm.Service start(Jvm.Service s) {
        SERVICES_RUNNING.add(s);
        return s;
    }

    private static String[] agent(String name) {
        return new String[] {Jvm.javaagent(), "-Dalbtrace.hoplog=" + DIR.resolve(name + ".log"),
                "-Dalbtrace.service.name=" + name};
    }

    @AfterAll
    static void stop() throws IOException {
        if (balancer != null) {
            balancer.close();
        }
        for (Jvm.Service s : SERVICES_RUNNING) {
            s.close();
        }
    }

    @Test
    void theTreeOfEveryRootIsTheChainTheServicesSaw() {
        assertEquals(String.join("\n", EXPECTED), tree("--alb", ALB_LOG.toString()));
    }

    /** With {@code --root}, each tree alone; the access log gzipped, as the balancer delivers it to S3. */
    @Test
    void rootSelectsOneTree() throws IOException {
        Path gz = DIR.resolve("alb-access.log.gz");
        try (OutputStream out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(gz))) {
            Files.copy(ALB_LOG, out);
        }
        for (int i = 0; i < ROOTS.size(); i++) {
            assertEquals(EXPECTED.get(i), tree("--root", ROOTS.get(i), "--alb", gz.toString()),
                    "--root " + ROOTS.get(i));
        }
    }

    @Test
    void noServiceHadAnythingToSay() {
        for (Jvm.Service s : SERVICES_RUNNING) {
            assertEquals(List.of(), s.err().lines().filter(l -> l.startsWith("[albtrace]")).toList(),
                    "the agent had nothing to warn about (a dropped or lost hop log line would be said)" + s.dump());
        }
    }

    /** {@code java -jar albtrace-agent.jar tree <options> <the four hop logs>}: its output, times replaced. */
    private static String tree(String... options) {
        List<String> args = new ArrayList<>(List.of("tree"));
        args.addAll(List.of(options));
        for (String s : SERVICES) {
            args.add(DIR.resolve(s + ".log").toString());
        }
        Jvm.Result r = Jvm.java().named("hoplog-tree").jar(Jvm.AGENT_JAR, args.toArray(new String[0]));
        assertEquals(0, r.exit(), "tree failed:\n" + r.err() + r.out() + logs());
        assertEquals("", r.err(), "tree said something on stderr" + logs());
        return times(r.out());
    }

    /** The offsets and durations, which no test can know, replaced by T and D. */
    static String times(String tree) {
        return tree
                .replaceAll(", \\d+\\.\\d{3} ms from the first start to the last end, from \\S+",
                        ", D ms from the first start to the last end, from TS")
                .replaceAll("\\+\\d+\\.\\d{3} ms", "+T ms")
                .replaceAll("(?<=  )\\d+\\.\\d{3} ms", "D ms");
    }

    /**
     * Sends one request through the balancer, and from the headers each service reported receiving, adds the tree
     * it must make to {@link #EXPECTED}.
     */
    private static void request(String pathAndQuery, String clientHeader) throws IOException {
        String report = get(balancer.port(), pathAndQuery, clientHeader);
        String sent = balancer.lastSent;
        List<String> incoming = new ArrayList<>();
        String springIncoming = null;
        List<String> storeHeaders = new ArrayList<>();
        String backIncoming = null;
        for (String line : report.split("\n")) {
            String[] f = line.split("\t");
            if (f[0].equals("incoming")) {
                incoming.add(f[1]);
            } else if (f[0].equals("first") && f[1].equals("incoming")) {
                springIncoming = f[2];
            } else if (f[0].equals("first") && f[1].equals("call")) {
                assertEquals("ok", f[4], "spring's " + f[2] + " call:\n" + report);
                storeHeaders.add(f[5]);
            } else if (f[0].equals("second") && f[1].startsWith("x-amzn-trace-id: ")) {
                backIncoming = f[1].substring("x-amzn-trace-id: ".length());
            }
        }
        assertEquals(List.of(sent), incoming, "the front received what the balancer sent\n" + report);
        assertEquals(3, storeHeaders.size(), "spring's three calls to the store\n" + report);
        String root = field(sent, "Root");
        ROOTS.add(root);
        String bal = "127.0.0.1:" + balancer.port();
        String sp = "127.0.0.1:" + spring.port();
        String st = "127.0.0.1:" + store.port();
        String bk = "127.0.0.1:" + back.port();
        String frontSelf = self(field(sent, "Self"));
        StringBuilder t = new StringBuilder();
        t.append("Root=").append(root).append("  12 lines, services: back, balancer, front, spring, store,"
                + " D ms from the first start to the last end, from TS\n");
        t.append("+T ms  balancer alb  GET ").append(bal).append("/order  200  D ms").append(frontSelf).append('\n');
        t.append("  +T ms  front in  GET ").append(bal).append("/order  200  D ms").append(frontSelf).append('\n');
        String toSpring = self(field(springIncoming, "Self"));
        t.append("    +T ms  front out  GET ").append(sp).append("/chain  200  D ms").append(toSpring).append('\n');
        t.append("      +T ms  spring in  GET ").append(sp).append("/chain  200  D ms").append(toSpring).append('\n');
        for (String h : storeHeaders) {
            assertEquals(root, field(h, "Root"), "every hop keeps the Root\n" + report);
            String toStore = self(field(h, "Self"));
            t.append("        +T ms  spring out  GET ").append(st).append("/store  200  D ms").append(toStore)
                    .append('\n');
            t.append("          +T ms  store in  GET ").append(st).append("/store  200  D ms").append(toStore)
                    .append('\n');
        }
        String toBack = self(field(backIncoming, "Self"));
        t.append("    +T ms  front out  GET ").append(bk).append("/stock  200  D ms").append(toBack).append('\n');
        t.append("      +T ms  back in  GET ").append(bk).append("/stock  200  D ms").append(toBack).append('\n');
        assertEquals(root, field(springIncoming, "Root"), report);
        assertEquals(root, field(backIncoming, "Root"), report);
        EXPECTED.add(t.toString());
    }

    private static String self(String self) {
        return self == null ? "" : "  Self=" + self;
    }

    /** The value of field {@code name} of a trace header, or null; the header must be there. */
    private static String field(String header, String name) {
        if (header == null) {
            throw new AssertionError("no header where one was expected");
        }
        for (String part : header.split(";")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        return null;
    }

    /** The hop logs are written by each JVM's writer thread: waits, bounded, until every line is there. */
    private static void awaitLines() throws Exception {
        for (int i = 0; i < SERVICES.size(); i++) {
            Path log = DIR.resolve(SERVICES.get(i) + ".log");
            long want = 3L * LINES_PER_REQUEST[i];
            for (int tries = 0; tries < 600 && lines(log) < want; tries++) {
                Thread.sleep(50);
            }
        }
    }

    private static long lines(Path log) throws IOException {
        if (!Files.exists(log)) {
            return 0;
        }
        return Files.readString(log).chars().filter(c -> c == '\n').count();
    }

    private static String logs() {
        StringBuilder b = new StringBuilder();
        try {
            for (String s : SERVICES) {
                b.append("\n--- ").append(s).append(".log\n").append(Files.readString(DIR.resolve(s + ".log")));
            }
            b.append("\n--- alb-access.log\n").append(Files.readString(ALB_LOG));
        } catch (IOException e) {
            b.append("\n(").append(e).append(')');
        }
        return b.toString();
    }

    /** A GET over a plain socket (HTTP/1.0: the answer ends where the connection does); returns the body. */
    private static String get(int port, String pathAndQuery, String traceHeader) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(60_000);
            String request = "GET " + pathAndQuery + " HTTP/1.0\r\nHost: 127.0.0.1:" + port + "\r\nUser-Agent: hoplog-it\r\n"
                    + (traceHeader == null ? "" : "X-Amzn-Trace-Id: " + traceHeader + "\r\n") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = response.indexOf("\r\n\r\n");
            assertEquals("HTTP/1.1 200", response.substring(0, Math.min(response.length(), 12)),
                    "the chain's answer: " + response + logs());
            return response.substring(end + 4);
        }
    }

    /**
     * The balancer: takes each request on a plain socket, forwards it to the front with the trace header as an ALB
     * writes it (SPEC section 3: none or no valid Root, a new Root; a Root without Self, a new Self inserted first; a
     * Self, its value replaced), relays the answer, and appends an access-log entry in AWS's documented format
     * (space separated, quoted fields, {@code trace_id} the 18th, {@code request_creation_time} the 22nd).
     */
    static final class AlbBalancer implements AutoCloseable {
        private static final Pattern ROOT = Pattern.compile("1-[0-9a-fA-F]{8}-[0-9a-fA-F]{24}");
        private static final DateTimeFormatter TIME =
                DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
        private static final SecureRandom RANDOM = new SecureRandom();

        private final ServerSocket server;
        private final int target;
        private final Path accessLog;
        private final Thread thread;
        /** The header sent with the last request forwarded. */
        volatile String lastSent;

        AlbBalancer(int target, Path accessLog) throws IOException {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            this.target = target;
            this.accessLog = accessLog;
            this.thread = new Thread(this::run, "alb-balancer");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        private void run() {
            while (!server.isClosed()) {
                try (Socket client = server.accept()) {
                    serve(client);
                } catch (IOException e) {
                    if (!server.isClosed()) {
                        e.printStackTrace();
                    }
                }
            }
        }

        private void serve(Socket client) throws IOException {
            client.setSoTimeout(60_000);
            Instant created = Instant.now();
            List<String> head = readHead(client.getInputStream());
            String[] requestLine = head.get(0).split(" ");
            String host = "-";
            String agent = "-";
            String incoming = null;
            for (String h : head.subList(1, head.size())) {
                int colon = h.indexOf(':');
                String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = h.substring(colon + 1).trim();
                switch (name) {
                    case "host" -> host = value;
                    case "user-agent" -> agent = value;
                    case "x-amzn-trace-id" -> incoming = value;
                    default -> { }
                }
            }
            String sent = forwarded(incoming);
            lastSent = sent;
            int received = String.join("\r\n", head).length() + 4;
            Instant forwardedAt = Instant.now();
            byte[] response;
            try (Socket front = new Socket(InetAddress.getLoopbackAddress(), target)) {
                front.setSoTimeout(60_000);
                String request = requestLine[0] + " " + requestLine[1] + " HTTP/1.1\r\nHost: " + host
                        + "\r\nX-Amzn-Trace-Id: " + sent + "\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: http"
                        + "\r\nX-Forwarded-Port: " + port() + "\r\nConnection: close\r\n\r\n";
                front.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
                response = front.getInputStream().readAllBytes();
            }
            Instant answered = Instant.now();
            OutputStream out = client.getOutputStream();
            out.write(response);
            out.flush();
            Instant end = Instant.now();
            String status = new String(response, 0, Math.min(response.length, 64), StandardCharsets.ISO_8859_1)
                    .split(" ")[1];
            String entry = "http " + TIME.format(end) + " app/hoplog-it/50dc6c495c0c9188 127.0.0.1:"
                    + client.getPort() + " 127.0.0.1:" + target + " " + seconds(created, forwardedAt) + " "
                    + seconds(forwardedAt, answered) + " " + seconds(answered, end) + " " + status + " " + status
                    + " " + received + " " + response.length + " \"" + requestLine[0] + " http://" + host
                    + requestLine[1] + " " + requestLine[2] + "\" \"" + agent + "\" - -"
                    + " arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/front/73e2d6bc24d8a067"
                    + " \"" + sent + "\" \"-\" \"-\" 0 " + TIME.format(created) + " \"forward\" \"-\" \"-\""
                    + " \"127.0.0.1:" + target + "\" \"" + status + "\" \"-\" \"-\" TID_" + id(16) + "\n";
            Files.writeString(accessLog, entry, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }

        /** The header an ALB forwards for {@code incoming} (null: none came). */
        static String forwarded(String incoming) {
            String root = null;
            if (incoming != null) {
                for (String part : incoming.split(";")) {
                    if (part.startsWith("Root=") && ROOT.matcher(part.substring(5)).matches()) {
                        root = part.substring(5);
                    }
                }
            }
            if (root == null) {
                return "Root=" + newId();
            }
            Matcher self = Pattern.compile("(^|;)Self=[^;]*").matcher(incoming);
            if (self.find()) {
                return incoming.substring(0, self.start()) + self.group(1) + "Self=" + newId()
                        + incoming.substring(self.end());
            }
            return "Self=" + newId() + ";" + incoming;
        }

        private static String newId() {
            return "1-" + String.format(Locale.ROOT, "%08x", Instant.now().getEpochSecond()) + "-" + id(24);
        }

        private static String id(int hexDigits) {
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < hexDigits; i++) {
                b.append(Character.forDigit(RANDOM.nextInt(16), 16));
            }
            return b.toString();
        }

        private static String seconds(Instant from, Instant to) {
            return String.format(Locale.ROOT, "%.3f", Duration.between(from, to).toNanos() / 1e9);
        }

        private static List<String> readHead(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int matched = 0;
            int b;
            while (matched < 4 && (b = in.read()) >= 0) {
                head.write(b);
                matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
            }
            String text = head.toString(StandardCharsets.ISO_8859_1);
            if (matched < 4) {
                throw new UncheckedIOException(new IOException("no complete request head: [" + text + "]"));
            }
            return List.of(text.substring(0, text.length() - 4).split("\r\n"));
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
