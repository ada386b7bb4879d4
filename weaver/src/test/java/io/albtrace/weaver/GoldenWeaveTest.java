package io.albtrace.weaver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * What the ASM weaver writes, pinned: the fixtures, as they are and without their stack map frames, each woven with
 * every generic advice of the sweep ({@link WeaverSweep.Kind}) alone and all at once, and the SHA-256 of every result
 * (or what was refused) compared with {@value #GOLDEN}. A change to the weaver that must not change its output (a
 * clean-up) is proven by this passing; the sweep and the differential tests say whether the output is right, this
 * only says it did not move.
 *
 * <p>A change meant to change the output: run this test once with {@code -Dalbtrace.golden.update=true}, which
 * rewrites the file, and say in the commit why the output changed. The file also holds the hash of each fixture and
 * advice class: compiled by another javac than the one the file was made with, they skip the comparison instead of
 * failing it.
 */
class GoldenWeaveTest {

    private static final String GOLDEN = "src/test/resources/golden-woven.txt";
    private static final String FIXTURES = "io.albtrace.weaver.fixtures.";
    private static final List<String> CLASSES = List.of("WeaveSubject", "Greeter", "Counter", "Echo", "Shapes");

    @Test
    void theWovenFixturesAreAsPinned() throws IOException {
        List<String> lines = new ArrayList<>();
        for (WeaverSweep.Kind kind : WeaverSweep.Kind.values()) {
            lines.add(kind.advice + " input " + sha256(AsmWeaverTest.bytes(kind.advice)));
        }
        for (String simpleName : CLASSES) {
            String name = FIXTURES + simpleName;
            byte[] bytes = AsmWeaverTest.bytes(name);
            lines.add(name + " input " + sha256(bytes));
            weaveAll(lines, name, "as-is", bytes);
            weaveAll(lines, name, "no-frames", WeaverSweep.withoutFrames(bytes));
        }
        Path golden = Paths.get(GOLDEN);
        if (Boolean.getBoolean("albtrace.golden.update")) {
            Files.write(golden, lines, StandardCharsets.UTF_8);
            return;
        }
        List<String> pinned = Files.readAllLines(golden, StandardCharsets.UTF_8);
        List<String> inputs = new ArrayList<>(lines);
        inputs.removeIf(line -> !line.contains(" input "));
        List<String> pinnedInputs = new ArrayList<>(pinned);
        pinnedInputs.removeIf(line -> !line.contains(" input "));
        assumeTrue(inputs.equals(pinnedInputs), "the fixtures were compiled by another javac than " + GOLDEN
                + " was made with: nothing to compare");
        assertEquals(String.join("\n", pinned), String.join("\n", lines),
                "the weaver's output changed; if that is meant, rerun with -Dalbtrace.golden.update=true");
    }

    private static void weaveAll(List<String> lines, String name, String variant, byte[] bytes) {
        for (WeaverSweep.Kind kind : WeaverSweep.Kind.values()) {
            lines.add(name + " " + variant + " " + kind + " " + weave(name, bytes, List.of(kind)));
        }
        lines.add(name + " " + variant + " ALL " + weave(name, bytes, List.of(WeaverSweep.Kind.values())));
    }

    private static String weave(String name, byte[] bytes, List<WeaverSweep.Kind> kinds) {
        try {
            byte[] woven = AsmWeaver.weave(name, bytes, null, GoldenWeaveTest.class.getClassLoader(),
                    WeaverSweep.targets(kinds), true, UnaryOperator.identity());
            return woven == null ? "unchanged" : sha256(woven);
        } catch (Unsupported e) {
            return "refused: " + e.getMessage();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            StringBuilder hex = new StringBuilder();
            for (byte b : MessageDigest.getInstance("SHA-256").digest(bytes)) {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
