package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigTest {

    @TempDir
    Path dir;

    static Properties props(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p;
    }

    static Map<String, String> env(String... keyValues) {
        Map<String, String> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    Path file(String... lines) throws IOException {
        Path f = Files.createTempFile(dir, "albtrace", ".properties");
        Files.write(f, List.of(lines), StandardCharsets.ISO_8859_1);
        return f;
    }

    static String problems(Config c) {
        return String.join("\n", c.problems());
    }

    @Test
    void defaults() {
        Config c = Config.load(new Properties(), Map.of());
        assertTrue(c.enabled());
        assertEquals(7168, c.maxHeaderBytes());
        assertFalse(c.responseHeader());
        assertTrue(c.mdcEnabled());
        assertFalse(c.debug());
        for (String name : Config.INSTRUMENTATIONS) {
            assertTrue(c.instrumentationEnabled(name), name);
        }
        assertEquals(List.of(), c.problems());
    }

    @Test
    void unrelatedPropertiesAndVariablesAreIgnored() {
        Config c = Config.load(props("java.version", "17", "albtraceX", "1", "other.albtrace.debug", "true"),
                env("PATH", "/bin", "HOME", "/root", "ALBTRACEX", "1", "albtrace_debug", "true"));
        assertEquals(List.of(), c.problems());
        assertFalse(c.debug());
    }

    @Test
    void weaverIsAsmUnlessSaidOtherwise() {
        assertEquals(Config.WEAVER_ASM, Config.load(props(), env()).weaver());
        assertEquals(Config.WEAVER_BYTEBUDDY, Config.load(props("albtrace.weaver", "ByteBuddy"), env()).weaver());
        assertEquals(Config.WEAVER_ASM, Config.load(props(), env("ALBTRACE_WEAVER", " asm ")).weaver());
        Config bad = Config.load(props("albtrace.weaver", "javassist"), env());
        assertEquals(Config.WEAVER_ASM, bad.weaver());
        assertEquals(List.of("albtrace.weaver=jav...(9 characters, not shown whole) is not asm or bytebuddy;"
                + " using asm"), bad.problems());
        assertEquals("is not asm or bytebuddy", Config.invalidValue(Config.WEAVER, "javassist"));
        assertNull(Config.invalidValue(Config.WEAVER, "bytebuddy"));
    }

    @Test
    void anotherAgentsHeaderIsMergedUnlessSaidOtherwise() {
        assertEquals(Config.OTHER_AGENT_MERGE, Config.load(props(), env()).otherAgentHeader());
        assertEquals(Config.OTHER_AGENT_THEIRS,
                Config.load(props("albtrace.other.agent.header", " Theirs"), env()).otherAgentHeader());
        assertEquals(Config.OTHER_AGENT_THEIRS,
                Config.load(props(), env("ALBTRACE_OTHER_AGENT_HEADER", "theirs")).otherAgentHeader());
        Config bad = Config.load(props("albtrace.other.agent.header", "mine"), env());
        assertEquals(Config.OTHER_AGENT_MERGE, bad.otherAgentHeader());
        assertEquals(List.of("albtrace.other.agent.header=min...(4 characters, not shown whole) is not merge or theirs;"
                + " using merge"), bad.problems());
        assertEquals("is not merge or theirs", Config.invalidValue(Config.OTHER_AGENT_HEADER, "mine"));
        assertNull(Config.invalidValue(Config.OTHER_AGENT_HEADER, "merge"));
    }

    @Test
    void theHopLogIsOffUnlessSetAndItsSettingsAreChecked() {
        Config c = Config.load(props(), env());
        assertNull(c.hoplog());
        assertNull(c.serviceName());
        assertEquals(100L << 20, c.hoplogMaxBytes());
        assertEquals(5, c.hoplogMaxFiles());
        assertNull(Config.load(props("albtrace.hoplog", " Off "), env()).hoplog());
        assertEquals("stdout", Config.load(props("albtrace.hoplog", "STDOUT"), env()).hoplog());
        assertEquals("stderr", Config.load(props(), env("ALBTRACE_HOPLOG", "stderr")).hoplog());
        assertEquals("/var/log/Hops.log", Config.load(props("albtrace.hoplog", " /var/log/Hops.log "), env()).hoplog());
        Config set = Config.load(props("albtrace.service.name", " orders api ", "albtrace.hoplog.max.bytes", "0",
                "albtrace.hoplog.max.files", "1000"), env("ALBTRACE_HOPLOG_MAX_BYTES", "5"));
        assertEquals("orders api", set.serviceName());
        assertEquals(0, set.hoplogMaxBytes(), "0: never rotated");
        assertEquals(1000, set.hoplogMaxFiles());
        assertEquals(List.of(), set.problems());

        Config bad = Config.load(props("albtrace.hoplog", " ", "albtrace.service.name", "x".repeat(129),
                "albtrace.hoplog.max.bytes", "1023", "albtrace.hoplog.max.files", "0"), env());
        assertNull(bad.hoplog());
        assertNull(bad.serviceName());
        assertEquals(100L << 20, bad.hoplogMaxBytes());
        assertEquals(5, bad.hoplogMaxFiles());
        assertEquals(List.of(
                "albtrace.hoplog=  is not off, stderr, stdout or a file's path; using off",
                "albtrace.service.name=xxx...(129 characters, not shown whole) is not a name of 1 to 128 characters;"
                        + " using the main class's or jar's name",
                "albtrace.hoplog.max.bytes=102...(4 characters, not shown whole) is not 0 (never rotate) or a whole"
                        + " number of bytes from 1024; using 104857600",
                "albtrace.hoplog.max.files=0 is not a whole number from 1 to 1000; using 5"), bad.problems());
        assertEquals("holds a character outside visible ASCII and space",
                Config.invalidValue(Config.SERVICE_NAME, "a\u001bb"));
        assertEquals("is not a whole number from 1 to 1000", Config.invalidValue(Config.HOPLOG_MAX_FILES, "x"));
        assertEquals("is not 0 (never rotate) or a whole number of bytes from 1024",
                Config.invalidValue(Config.HOPLOG_MAX_BYTES, "-1"));
        assertNull(Config.invalidValue(Config.HOPLOG_MAX_BYTES, "9223372036854775807"));
    }

    @Test
    void knownKeysAndNames() {
        assertEquals(List.of("okhttp", "apache-httpclient", "jdk-httpclient", "http-url-connection", "jdk-httpserver",
                "servlet", "executors", "reactor", "apache-httpasyncclient", "jetty-httpclient", "netty",
                "undertow", "jetty", "helidon"),
                Config.INSTRUMENTATIONS);
        assertEquals(List.of("albtrace.config", "albtrace.enabled", "albtrace.max.header.bytes",
                "albtrace.response.header", "albtrace.mdc.enabled", "albtrace.debug", "albtrace.weaver",
                "albtrace.other.agent.header", "albtrace.hoplog", "albtrace.service.name", "albtrace.hoplog.max.bytes",
                "albtrace.hoplog.max.files", "albtrace.instrumentation.okhttp.enabled", "albtrace.instrumentation.apache-httpclient.enabled",
                "albtrace.instrumentation.jdk-httpclient.enabled", "albtrace.instrumentation.http-url-connection.enabled",
                "albtrace.instrumentation.jdk-httpserver.enabled", "albtrace.instrumentation.servlet.enabled",
                "albtrace.instrumentation.executors.enabled", "albtrace.instrumentation.reactor.enabled",
                "albtrace.instrumentation.apache-httpasyncclient.enabled",
                "albtrace.instrumentation.jetty-httpclient.enabled", "albtrace.instrumentation.netty.enabled",
                "albtrace.instrumentation.undertow.enabled", "albtrace.instrumentation.jetty.enabled",
                "albtrace.instrumentation.helidon.enabled"),
                Config.knownKeys());
        assertEquals("albtrace.instrumentation.okhttp.enabled", Config.instrumentationKey("okhttp"));
        assertEquals("ALBTRACE_MAX_HEADER_BYTES", Config.envName("albtrace.max.header.bytes"));
        assertEquals("ALBTRACE_CONFIG", Config.envName(Config.FILE));
        assertEquals("ALBTRACE_ENABLED", Config.envName(Config.ENABLED));
        assertEquals("ALBTRACE_RESPONSE_HEADER", Config.envName(Config.RESPONSE_HEADER));
        assertEquals("ALBTRACE_MDC_ENABLED", Config.envName(Config.MDC_ENABLED));
        assertEquals("ALBTRACE_DEBUG", Config.envName(Config.DEBUG));
        assertEquals("ALBTRACE_INSTRUMENTATION_APACHE_HTTPCLIENT_ENABLED",
                Config.envName(Config.instrumentationKey("apache-httpclient")));
        assertEquals("ALBTRACE_INSTRUMENTATION_HTTP_URL_CONNECTION_ENABLED",
                Config.envName(Config.instrumentationKey("http-url-connection")));
    }

    @Test
    void everySettingFromEachSource() throws IOException {
        String[] keyValues = {"albtrace.enabled", "false", "albtrace.max.header.bytes", "1234",
                "albtrace.response.header", "true", "albtrace.mdc.enabled", "false", "albtrace.debug", "true",
                "albtrace.instrumentation.servlet.enabled", "false"};
        Properties asProps = props(keyValues);
        Map<String, String> asEnv = new HashMap<>();
        String[] asLines = new String[keyValues.length / 2];
        for (int i = 0; i < keyValues.length; i += 2) {
            asEnv.put(Config.envName(keyValues[i]), keyValues[i + 1]);
            asLines[i / 2] = keyValues[i] + "=" + keyValues[i + 1];
        }
        Config fromProps = Config.load(asProps, Map.of());
        Config fromEnv = Config.load(new Properties(), asEnv);
        Config fromFile = Config.load(props("albtrace.config", file(asLines).toString()), Map.of());
        for (Config c : List.of(fromProps, fromEnv, fromFile)) {
            assertEquals(List.of(), c.problems());
            assertFalse(c.enabled());
            assertEquals(1234, c.maxHeaderBytes());
            assertTrue(c.responseHeader());
            assertFalse(c.mdcEnabled());
            assertTrue(c.debug());
            assertFalse(c.instrumentationEnabled("servlet"));
            assertTrue(c.instrumentationEnabled("okhttp"));
        }
    }

    @Test
    void precedenceFileThenEnvironmentThenSystemProperty() throws IOException {
        Path f = file("albtrace.max.header.bytes=1000", "albtrace.debug=true", "albtrace.mdc.enabled=false",
                "albtrace.response.header=true");
        String path = f.toString();
        // file only
        Config c = Config.load(props("albtrace.config", path), Map.of());
        assertEquals(1000, c.maxHeaderBytes());
        assertTrue(c.debug());
        // environment over file
        c = Config.load(props("albtrace.config", path),
                env("ALBTRACE_MAX_HEADER_BYTES", "2000", "ALBTRACE_DEBUG", "false"));
        assertEquals(2000, c.maxHeaderBytes());
        assertFalse(c.debug());
        assertFalse(c.mdcEnabled(), "what the environment does not set comes from the file");
        // system property over both
        c = Config.load(props("albtrace.config", path, "albtrace.max.header.bytes", "3000", "albtrace.mdc.enabled",
                "true"), env("ALBTRACE_MAX_HEADER_BYTES", "2000", "ALBTRACE_DEBUG", "false"));
        assertEquals(3000, c.maxHeaderBytes());
        assertFalse(c.debug());
        assertTrue(c.mdcEnabled());
        assertTrue(c.responseHeader());
        assertEquals(List.of(), c.problems());
    }

    @Test
    void fileNamedByTheEnvironment() throws IOException {
        Path f = file("albtrace.max.header.bytes=555");
        Config c = Config.load(new Properties(), env("ALBTRACE_CONFIG", f.toString()));
        assertEquals(555, c.maxHeaderBytes());
        assertEquals(List.of(), c.problems());
        // the system property names the file when both do
        Path g = file("albtrace.max.header.bytes=777");
        c = Config.load(props("albtrace.config", g.toString()), env("ALBTRACE_CONFIG", f.toString()));
        assertEquals(777, c.maxHeaderBytes());
    }

    @Test
    void instrumentationSwitchFromTheEnvironment() {
        Config c = Config.load(new Properties(), env("ALBTRACE_INSTRUMENTATION_APACHE_HTTPCLIENT_ENABLED", "false"));
        assertFalse(c.instrumentationEnabled("apache-httpclient"));
        for (String name : Config.INSTRUMENTATIONS) {
            if (!name.equals("apache-httpclient")) {
                assertTrue(c.instrumentationEnabled(name), name);
            }
        }
        assertEquals(List.of(), c.problems());
        c = Config.load(props("albtrace.instrumentation.apache-httpclient.enabled", "true"),
                env("ALBTRACE_INSTRUMENTATION_APACHE_HTTPCLIENT_ENABLED", "false"));
        assertTrue(c.instrumentationEnabled("apache-httpclient"));
        c = Config.load(props("albtrace.instrumentation.jdk-httpserver.enabled", "FALSE"), Map.of());
        assertFalse(c.instrumentationEnabled("jdk-httpserver"));
    }

    @Test
    void anInstrumentationThisVersionDoesNotListIsOn() {
        Config c = Config.load(props("albtrace.instrumentation.okhttp.enabled", "false"), Map.of());
        assertTrue(c.instrumentationEnabled("grpc"));
        assertFalse(c.instrumentationEnabled("okhttp"));
    }

    @Test
    void unknownKeysAreReportedFromEachSource() throws IOException {
        Path f = file("albtrace.bogus.from.file=1", "albtrace.debug=true");
        Config c = Config.load(props("albtrace.config", f.toString(), "albtrace.bogus.from.property", "1",
                "albtrace.instrumentation.okhtp.enabled", "false"), env("ALBTRACE_BOGUS_FROM_ENV", "1"));
        String all = problems(c);
        assertEquals(4, c.problems().size(), all);
        assertTrue(all.contains("albtrace.bogus.from.file"), all);
        assertTrue(all.contains(f.toString()), all);
        assertTrue(all.contains("albtrace.bogus.from.property"), all);
        assertTrue(all.contains("albtrace.instrumentation.okhtp.enabled"), all);
        assertTrue(all.contains("ALBTRACE_BOGUS_FROM_ENV"), all);
        // the known settings around them still apply
        assertTrue(c.debug());
        assertTrue(c.instrumentationEnabled("okhttp"));
    }

    @Test
    void unknownKeyInTheFileIsReportedEvenWithoutThePrefix() throws IOException {
        Config c = Config.load(props("albtrace.config", file("max.header.bytes=10").toString()), Map.of());
        assertEquals(1, c.problems().size(), problems(c));
        assertTrue(problems(c).contains("max.header.bytes"));
        assertEquals(7168, c.maxHeaderBytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"yes", "no", "1", "0", "on", "", "tru", "falsey"})
    void badBooleansAreReportedAndTheDefaultUsed(String bad) {
        String[] booleans = {"albtrace.enabled", "albtrace.response.header", "albtrace.mdc.enabled", "albtrace.debug",
                "albtrace.instrumentation.okhttp.enabled"};
        for (String key : booleans) {
            Config fromProperty = Config.load(props(key, bad), Map.of());
            Config fromEnv = Config.load(new Properties(), env(Config.envName(key), bad));
            for (Config c : List.of(fromProperty, fromEnv)) {
                assertEquals(1, c.problems().size(), key + "=" + bad + ": " + problems(c));
                String problem = c.problems().get(0);
                assertTrue(problem.startsWith(key + "=" + Log.hidden(bad) + " is not true or false; using "), problem);
                assertTrue(c.enabled());
                assertFalse(c.responseHeader());
                assertTrue(c.mdcEnabled());
                assertFalse(c.debug());
                assertTrue(c.instrumentationEnabled("okhttp"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "0", "abc", "2000000", "1048577", "", "7k", "1.5", "99999999999"})
    void badNumbersAreReportedAndTheDefaultUsed(String bad) throws IOException {
        Config fromProperty = Config.load(props("albtrace.max.header.bytes", bad), Map.of());
        Config fromEnv = Config.load(new Properties(), env("ALBTRACE_MAX_HEADER_BYTES", bad));
        Config fromFile = Config.load(props("albtrace.config", file("albtrace.max.header.bytes=" + bad).toString()),
                Map.of());
        for (Config c : List.of(fromProperty, fromEnv, fromFile)) {
            assertEquals(7168, c.maxHeaderBytes());
            assertEquals(1, c.problems().size(), problems(c));
            assertTrue(c.problems().get(0).startsWith("albtrace.max.header.bytes=" + Log.hidden(bad)
                    + " is not a whole number from 1 to 1048576; using 7168"), problems(c));
        }
    }

    @Test
    void badValueInAHigherSourceFallsBackToTheDefault() {
        // SPEC 6: a bad value is reported and the default is used, not a lower-precedence value
        Config c = Config.load(props("albtrace.max.header.bytes", "abc"), env("ALBTRACE_MAX_HEADER_BYTES", "2000"));
        assertEquals(7168, c.maxHeaderBytes());
        assertEquals(1, c.problems().size());
    }

    @Test
    void numberBounds() {
        assertEquals(1, Config.load(props("albtrace.max.header.bytes", "1"), Map.of()).maxHeaderBytes());
        assertEquals(1 << 20, Config.load(props("albtrace.max.header.bytes", "1048576"), Map.of()).maxHeaderBytes());
        assertEquals(Config.MAX_HEADER_BYTES_LIMIT, 1 << 20);
        assertEquals(8192, Config.load(props("albtrace.max.header.bytes", " 8192 "), Map.of()).maxHeaderBytes());
    }

    @Test
    void missingFileIsReportedAndTheRestApplies() {
        Path missing = dir.resolve("does-not-exist.properties");
        Config c = Config.load(props("albtrace.config", missing.toString(), "albtrace.debug", "true"),
                env("ALBTRACE_MAX_HEADER_BYTES", "4000"));
        assertEquals(1, c.problems().size(), problems(c));
        assertTrue(c.problems().get(0).contains(missing.toString()), problems(c));
        assertTrue(c.debug());
        assertEquals(4000, c.maxHeaderBytes());
        // a directory is no better
        c = Config.load(props("albtrace.config", dir.toString()), Map.of());
        assertEquals(1, c.problems().size(), problems(c));
        assertEquals(7168, c.maxHeaderBytes());
    }

    /**
     * A settings file name that is not a small regular file (a device such as /dev/zero, a FIFO nobody writes to,
     * a huge file) is reported and skipped, without reading it: at start-up, or given to attach, it must neither
     * block the application nor exhaust its heap.
     */
    @Test
    void aFileThatIsNotASmallRegularFileIsNotRead() throws Exception {
        List<Path> bad = new java.util.ArrayList<>();
        Path zero = Path.of("/dev/zero");
        if (Files.exists(zero)) {
            bad.add(zero);
        }
        Path fifo = dir.resolve("settings.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
        if (mkfifo.waitFor() == 0) {
            bad.add(fifo);
        }
        Path huge = dir.resolve("huge.properties");
        byte[] line = "albtrace.debug=true\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] big = new byte[Config.MAX_SETTINGS_FILE_BYTES + 1];
        for (int i = 0; i < big.length; i++) {
            big[i] = line[i % line.length];
        }
        Files.write(huge, big);
        bad.add(huge);
        assertTrue(bad.size() >= 2, "at least /dev/zero or the FIFO, and the huge file: " + bad);
        for (Path p : bad) {
            java.util.concurrent.CompletableFuture<Config> loaded = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> Config.load(props("albtrace.config", p.toString(), "albtrace.max.header.bytes", "4000"),
                            Map.of()));
            Config c = loaded.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals(1, c.problems().size(), p + ": " + problems(c));
            assertTrue(c.problems().get(0).contains(p.toString()), problems(c));
            assertFalse(c.debug(), "nothing of " + p + " applies");
            assertEquals(4000, c.maxHeaderBytes(), "the other settings still apply");
        }
        // exactly at the bound, and through a symbolic link, a file is read
        Path fits = dir.resolve("fits.properties");
        String debug = "albtrace.debug=true\n#";
        Files.writeString(fits, debug + "x".repeat(Config.MAX_SETTINGS_FILE_BYTES - debug.length() - 1) + "\n",
                StandardCharsets.ISO_8859_1);
        assertEquals(Config.MAX_SETTINGS_FILE_BYTES, Files.size(fits));
        Path link = Files.createSymbolicLink(dir.resolve("link.properties"), fits);
        Config c = Config.load(props("albtrace.config", link.toString()), Map.of());
        assertTrue(c.debug(), problems(c));
    }

    @Test
    void installAndCurrent() {
        Config mine = Config.load(props("albtrace.max.header.bytes", "321"), Map.of());
        Config previous = Config.install(mine);
        try {
            assertSame(mine, Config.current());
            assertEquals(321, Config.current().maxHeaderBytes());
            assertSame(mine, Config.install(mine));
        } finally {
            Config.install(previous);
        }
    }

    @Test
    void currentReportsProblemsOnceOnStderr() throws Exception {
        String key = "albtrace.no.such.setting.for.test";
        Config previous = Config.install(null);
        System.setProperty(key, "1");
        try {
            String err = StdErr.capture(() -> {
                Config first = Config.current();
                assertNotNull(first);
                assertSame(first, Config.current());
            });
            assertEquals(1, StdErr.count(err, key), err);
            for (String line : StdErr.lines(err)) {
                assertTrue(line.startsWith("[albtrace] "), line);
            }
        } finally {
            System.clearProperty(key);
            Config.install(previous);
        }
    }

    @Test
    void agentArgumentsWinOverEverySource() throws IOException {
        Path f = file("albtrace.max.header.bytes=1000", "albtrace.debug=true", "albtrace.mdc.enabled=false");
        Config c = Config.load(props("albtrace.config", f.toString(), "albtrace.max.header.bytes", "3000",
                "albtrace.response.header", "true"), env("ALBTRACE_DEBUG", "false", "ALBTRACE_ENABLED", "false"),
                " albtrace.max.header.bytes=5000 , albtrace.enabled=true,,albtrace.instrumentation.okhttp.enabled=false");
        assertEquals(List.of(), c.problems());
        assertEquals(5000, c.maxHeaderBytes(), "the argument over the property");
        assertTrue(c.enabled(), "the argument over the environment");
        assertFalse(c.instrumentationEnabled("okhttp"));
        assertTrue(c.instrumentationEnabled("jdk-httpclient"));
        // what the arguments do not set comes from the other sources, as before
        assertTrue(c.responseHeader());
        assertFalse(c.debug());
        assertFalse(c.mdcEnabled());
    }

    @Test
    void noAgentArgumentsIsTheSameAsLoadWithout() {
        for (String none : new String[] {null, "", " ", ",,"}) {
            Config c = Config.load(props("albtrace.max.header.bytes", "3000"), Map.of(), none);
            assertEquals(List.of(), c.problems(), String.valueOf(none));
            assertEquals(3000, c.maxHeaderBytes());
        }
    }

    @Test
    void anAgentArgumentNamesTheFileOverThePropertyAndTheEnvironment() throws IOException {
        Path byArgument = file("albtrace.max.header.bytes=111");
        Path byProperty = file("albtrace.max.header.bytes=222");
        Path byEnv = file("albtrace.max.header.bytes=333", "albtrace.debug=true");
        Config c = Config.load(props("albtrace.config", byProperty.toString()),
                env("ALBTRACE_CONFIG", byEnv.toString()), "albtrace.config=" + byArgument);
        assertEquals(List.of(), c.problems());
        assertEquals(111, c.maxHeaderBytes());
        assertFalse(c.debug(), "one file only: the argument's");
    }

    @Test
    void badAgentArgumentsAreReportedAndTheRestApplies() {
        Config c = Config.load(new Properties(), Map.of(),
                "albtrace.nope=1,debug,albtrace.max.header.bytes=abc,albtrace.debug=true,albtrace.mdc.enabled=yes");
        String all = problems(c);
        assertEquals(4, c.problems().size(), all);
        assertTrue(c.problems().get(0).startsWith("unknown setting albtrace.nope (agent argument) is ignored"), all);
        assertEquals("agent argument 'deb...(5 characters, not shown whole)' is not key=value and is ignored",
                c.problems().get(1), all);
        assertTrue(all.contains("albtrace.max.header.bytes=abc is not a whole number"), all);
        assertTrue(all.contains("albtrace.mdc.enabled=yes is not true or false"), all);
        assertTrue(c.debug());
        assertEquals(7168, c.maxHeaderBytes());
        assertTrue(c.mdcEnabled());
    }

    /**
     * A value refused for a setting may be a secret pasted under the wrong key: the problem says which key and what
     * was expected, with the value's length and first characters only. Keys and file names are escaped.
     */
    @Test
    void aRefusedValueIsNotEchoedWholeAndNothingPrintedHoldsAControlCharacter() throws Exception {
        String secret = "AKIAIOSFODNN7EXAMPLE/wJalrXUtnFEMI/K7MDENG/bPxRfiCY";
        Config c = Config.load(props("albtrace.debug", secret, "albtrace.max.header.bytes", secret,
                "albtrace.weaver", secret, "albtrace.bad\u001b[2Jkey", "1"), env("ALBTRACE_ENABLED", secret),
                secret + ",albtrace.mdc.enabled=" + secret);
        String all = problems(c);
        assertEquals(7, c.problems().size(), all);
        assertFalse(all.contains(secret.substring(0, 4)), all);
        String shown = "AKI...(" + secret.length() + " characters, not shown whole)";
        assertTrue(all.contains("albtrace.debug=" + shown + " is not true or false; using false"), all);
        assertTrue(all.contains("albtrace.enabled=" + shown + " is not true or false; using true"), all);
        assertTrue(all.contains("albtrace.mdc.enabled=" + shown + " is not true or false; using true"), all);
        assertTrue(all.contains("albtrace.max.header.bytes=" + shown + " is not a whole number"), all);
        assertTrue(all.contains("albtrace.weaver=" + shown + " is not asm or bytebuddy; using asm"), all);
        assertTrue(all.contains("agent argument '" + shown + "' is not key=value"), all);
        assertTrue(all.contains("unknown setting albtrace.bad\\x1b[2Jkey (system property)"), all);
        LogTest.assertOnlyVisibleAscii(all);
        Path named = dir.resolve("settings\u0007\u00e9.properties");
        c = Config.load(props("albtrace.config", named.toString()), Map.of());
        assertTrue(problems(c).contains("settings\\x07\\xe9.properties"), problems(c));
        // already read: the arguments given later are named by their keys only
        Config previous = Config.install(null);
        try {
            Config.initialize(null);
            String err = StdErr.capture(() -> Config.initialize("albtrace.debug=" + secret + "," + secret));
            assertEquals("[albtrace] settings were already read; the agent arguments given now (albtrace.debug=..., "
                    + shown + ") are not applied" + System.lineSeparator(), err);
        } finally {
            Config.install(previous);
        }
    }

    @Test
    void splitArguments() {
        List<String[]> pairs = Config.splitArguments(" a=1, b = 2 ,,c,d=,e=x=y, ");
        assertEquals(5, pairs.size());
        assertEquals(List.of("a", "1"), List.of(pairs.get(0)));
        assertEquals(List.of("b", "2"), List.of(pairs.get(1)));
        assertEquals("c", pairs.get(2)[0]);
        assertEquals(null, pairs.get(2)[1]);
        assertEquals(List.of("d", ""), List.of(pairs.get(3)));
        assertEquals(List.of("e", "x=y"), List.of(pairs.get(4)));
        assertEquals(0, Config.splitArguments(null).size());
        assertEquals(0, Config.splitArguments("").size());
    }

    @Test
    void invalidValueAgreesWithLoad() {
        String notBoolean = "is not true or false";
        String notNumber = "is not a whole number from 1 to 1048576";
        String[][] cases = {
            {"albtrace.debug", "true", null},
            {"albtrace.debug", " FALSE ", null},
            {"albtrace.debug", "yes", notBoolean},
            {"albtrace.instrumentation.okhttp.enabled", "1", notBoolean},
            {"albtrace.max.header.bytes", "5000", null},
            {"albtrace.max.header.bytes", "0", notNumber},
            {"albtrace.max.header.bytes", "1048577", notNumber},
            {"albtrace.max.header.bytes", "x", notNumber},
            {"albtrace.config", "/any/where, really", null}};
        for (String[] t : cases) {
            assertEquals(t[2], Config.invalidValue(t[0], t[1]), t[0] + "=" + t[1]);
            if (!t[0].equals(Config.FILE)) {
                Config c = Config.load(props(t[0], t[1]), Map.of());
                assertEquals(t[2] == null ? 0 : 1, c.problems().size(), t[0] + "=" + t[1] + ": " + problems(c));
            }
        }
    }

    @Test
    void initializeReadsTheArgumentsOnceAndReportsTheirProblems() throws Exception {
        Config previous = Config.install(null);
        try {
            Config[] first = new Config[1];
            String err = StdErr.capture(
                    () -> first[0] = Config.initialize("albtrace.max.header.bytes=4321,albtrace.bogus=1"));
            assertEquals(4321, first[0].maxHeaderBytes());
            assertSame(first[0], Config.current());
            assertEquals(1, StdErr.count(err, "albtrace.bogus"), err);
            assertTrue(err.startsWith("[albtrace] unknown setting albtrace.bogus (agent argument)"), err);
            // later: the settings in force stay; arguments given then are said not to apply
            err = StdErr.capture(() -> assertSame(first[0], Config.initialize("albtrace.max.header.bytes=99")));
            assertEquals(4321, Config.current().maxHeaderBytes());
            assertTrue(err.contains("the agent arguments given now (albtrace.max.header.bytes=...) are not applied"),
                    err);
            err = StdErr.capture(() -> assertSame(first[0], Config.initialize(null)));
            assertEquals("", err);
        } finally {
            Config.install(previous);
        }
    }

    @Test
    void toStringNamesEverySetting() {
        String s = Config.load(props("albtrace.instrumentation.servlet.enabled", "false"), Map.of()).toString();
        for (String key : Config.knownKeys()) {
            if (!key.equals(Config.FILE)) {
                assertTrue(s.contains(key + "="), key + " missing from " + s);
            }
        }
        assertTrue(s.contains("albtrace.instrumentation.servlet.enabled=false"), s);
        assertTrue(s.contains("albtrace.max.header.bytes=7168"), s);
    }
}
