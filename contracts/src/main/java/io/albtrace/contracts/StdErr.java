package io.albtrace.contracts;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What the agent says on stderr while a test makes it fail on purpose. Every test of a module that breaks the agent
 * (a failing identifier source) captures stderr here, so that the tally of {@code "[albtrace] NAME instrumentation
 * failed"} lines covers the whole test JVM: the agent says that once per instrumentation, whichever test made it fail
 * first.
 */
public final class StdErr {

    private static final Pattern FAILED = Pattern.compile("^\\[albtrace\\] (\\S+) instrumentation failed");
    private static final Map<String, Integer> FAILURES = new ConcurrentHashMap<>();

    private StdErr() {
    }

    /** Runs {@code action} with System.err captured; adds the [albtrace] lines it printed to {@code lines}. */
    public static <T> T capture(Callable<T> action, List<String> lines) throws Exception {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            return action.call();
        } finally {
            System.setErr(original);
            String text = captured.toString(StandardCharsets.UTF_8);
            original.print(text);
            List<String> said = Arrays.stream(text.split("\\R")).filter(l -> l.startsWith("[albtrace]"))
                    .collect(Collectors.toList());
            for (String line : said) {
                Matcher m = FAILED.matcher(line);
                if (m.find()) {
                    FAILURES.merge(m.group(1), 1, Integer::sum);
                }
            }
            lines.addAll(said);
        }
    }

    /** How many "instrumentation failed" lines {@code instrumentation} said in this JVM under {@link #capture}. */
    public static int failuresSaid(String instrumentation) {
        return FAILURES.getOrDefault(instrumentation, 0);
    }
}
