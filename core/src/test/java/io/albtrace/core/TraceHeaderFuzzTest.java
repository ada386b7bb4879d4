package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property test: random and mutated headers through {@link TraceHeader#forward}, {@link TraceHeader#entry} and
 * {@link TraceHeader#root}, checked against SPEC invariants and against {@link ReferenceModel}.
 *
 * <p>The seed is printed; reproduce a run with {@code -Dfuzz.seed=N}. {@code -Dfuzz.cases=N} changes how many
 * headers of each kind are tried (default 100,000 random and 100,000 mutated).
 */
class TraceHeaderFuzzTest {

    private static final int DEFAULT_CASES = 100_000;

    private static final String HEX = "0123456789abcdefABCDEF";
    private static final String NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:";
    private static final char[] SPECIAL = {';', ';', '=', '=', ',', ' ', ' ', '\t', '\r', '\n', '\0', '\u007f',
            '\u00e9', '\u0141', '\u013b', '\u013d', '\u00ff', '\u0080', '\u00a0', '\ud83d', '\ude00', '-', '1', '"'};
    private static final String[] NAMES = {"Root", "Root", "Self", "Self", "root", "self", "ROOT", "Sampled",
            "Parent", "Lineage", "CalledFrom", "K", "Roots", "Selfie"};
    private static final String[] SEPARATORS = {";", ";", ";", ";", ";;", " ; ", "\t;", ";\t", ",", ", ", "", " "};

    private long seed;
    private int iteration;
    private String kind;

    /** What the generated cases exercised: the generators must reach every branch of the contract. */
    private int validRoots;
    private int invalidRoots;
    private int selfReplaced;
    private int sizeRules;
    private int commas;
    private int droppedParts;
    private int entryBounded;

    @Test
    void randomAndMutatedHeadersKeepTheContract() throws Exception {
        String property = System.getProperty("fuzz.seed");
        seed = property != null && !property.isBlank() ? Long.parseLong(property.trim()) : System.nanoTime();
        int cases = Integer.getInteger("fuzz.cases", DEFAULT_CASES);
        System.out.println("TraceHeaderFuzzTest: seed " + seed + " (reproduce with -Dfuzz.seed=" + seed + ")");
        Random rnd = new Random(seed);

        List<String> vectorInputs = new ArrayList<>();
        for (ForwardingVectorsTest.Vector v : ForwardingVectorsTest.vectors()) {
            if (v.input() != null) {
                vectorInputs.add(v.input());
            }
        }
        assertEquals(19, vectorInputs.size());

        int random = 0;
        int mutated = 0;
        kind = "random";
        for (iteration = 0; iteration < cases; iteration++) {
            check(rnd, randomHeader(rnd));
            random++;
        }
        kind = "mutated";
        for (iteration = 0; iteration < cases; iteration++) {
            String base = rnd.nextInt(8) == 0 ? randomHeader(rnd) : vectorInputs.get(rnd.nextInt(vectorInputs.size()));
            check(rnd, mutate(rnd, base == null ? "" : base));
            mutated++;
        }
        assertEquals(cases, random);
        assertEquals(cases, mutated);
        System.out.println("TraceHeaderFuzzTest: " + (random + mutated) + " headers; valid Root " + validRoots
                + ", invalid Root " + invalidRoots + ", Self replaced " + selfReplaced + ", size rule " + sizeRules
                + ", comma " + commas + ", dropped parts " + droppedParts + ", context bounded " + entryBounded);
        int enough = cases / 100;
        assertTrue(validRoots > enough && invalidRoots > enough && selfReplaced > enough && sizeRules > enough
                && commas > enough && droppedParts > enough && entryBounded > enough,
                "the generators no longer cover the contract");
    }

    private void check(Random rnd, String in) {
        int other;
        int pick = rnd.nextInt(10);
        if (pick < 7) {
            other = 0;
        } else if (pick < 9) {
            other = rnd.nextInt(7168);
        } else {
            other = 6900 + rnd.nextInt(400);
        }
        boolean defaultMax = rnd.nextInt(5) != 0;
        int max = defaultMax ? TraceHeader.DEFAULT_MAX_HEADER_BYTES : 1 + rnd.nextInt(10_000);

        String out;
        try {
            out = defaultMax ? TraceHeader.forward(in, other) : TraceHeader.forward(in, other, max);
        } catch (Throwable t) {
            throw failure("forward threw " + t, in, other, max, null, t);
        }
        if (out == null) {
            throw failure("forward returned null", in, other, max, null, null);
        }

        // invariants of what leaves (SPEC section 3)
        for (int i = 0; i < out.length(); i++) {
            char c = out.charAt(i);
            if (c < 0x21 || c > 0x7E) {
                throw failure("character " + (int) c + " outside visible ASCII at " + i, in, other, max, out, null);
            }
        }
        if (out.contains(";;") || out.startsWith(";") || out.endsWith(";")) {
            throw failure("empty field in the output", in, other, max, out, null);
        }
        int roots = 0;
        int selfs = 0;
        String rootValue = null;
        List<String> outCustoms = new ArrayList<>();
        for (String part : out.split(";", -1)) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw failure("malformed field <" + part + ">", in, other, max, out, null);
            }
            String name = part.substring(0, eq);
            if (name.equals("Root")) {
                roots++;
                rootValue = part.substring(eq + 1);
            } else if (name.equals("Self")) {
                selfs++;
            } else {
                outCustoms.add(part);
            }
        }
        if (roots != 1 || !ReferenceModel.VALID_ROOT.matcher(rootValue).matches()) {
            throw failure(roots + " Root fields, value <" + rootValue + ">", in, other, max, out, null);
        }
        if (selfs > 1) {
            throw failure(selfs + " Self fields", in, other, max, out, null);
        }

        ReferenceModel.Parsed parsed = ReferenceModel.parse(in);
        boolean sizeRule = ReferenceModel.sizeRuleApplies(parsed, other, max);
        if (parsed.hasValidRoot()) {
            validRoots++;
            if (parsed.self() != null && !sizeRule) {
                selfReplaced++;
            }
        } else if (parsed.root() != null) {
            invalidRoots++;
        }
        if (sizeRule) {
            sizeRules++;
        }
        if (in != null && in.indexOf(',') >= 0) {
            commas++;
        }
        if (in != null && parsed.fields().size() < in.split(";").length) {
            droppedParts++;
        }
        if (sizeRule) {
            if (!outCustoms.isEmpty() || selfs != 0) {
                throw failure("the size rule applies: Root only", in, other, max, out, null);
            }
        } else {
            if (!outCustoms.equals(parsed.customs())) {
                throw failure("custom fields " + outCustoms + " differ from the input's " + parsed.customs(), in,
                        other, max, out, null);
            }
        }
        if (parsed.hasValidRoot() && !rootValue.equals(parsed.root().value())) {
            throw failure("valid Root not kept verbatim", in, other, max, out, null);
        }

        // the whole output against the reference model
        String template = ReferenceModel.forward(in, other, max);
        List<String> fresh = NewIds.match(template, out);
        if (fresh == null) {
            throw failure("differs from the reference <" + NewIds.printable(template.replace(NewIds.NEW, "{NEW}"))
                    + ">", in, other, max, out, null);
        }
        try {
            NewIds.assertFresh(fresh, out, in);
        } catch (AssertionError e) {
            throw failure(e.getMessage(), in, other, max, out, e);
        }

        // entry and root read the same way; the context's bound (SPEC 4.5) is tried near the input's length
        int entryMax = rnd.nextBoolean() ? TraceHeader.DEFAULT_MAX_HEADER_BYTES
                : Math.max(1, (in == null ? 0 : in.length()) + rnd.nextInt(81) - 40);
        String entered;
        try {
            entered = entryMax == TraceHeader.DEFAULT_MAX_HEADER_BYTES ? TraceHeader.entry(in)
                    : TraceHeader.entry(in, entryMax);
        } catch (Throwable t) {
            throw failure("entry threw " + t, in, other, entryMax, null, t);
        }
        String entryTemplate = ReferenceModel.entry(in, entryMax);
        if (!entryTemplate.contains(";") && !ReferenceModel.entry(in, Integer.MAX_VALUE).equals(entryTemplate)) {
            entryBounded++;
        }
        if (NewIds.match(entryTemplate, entered) == null) {
            throw failure("entry gave <" + NewIds.printable(entered) + ">, reference <"
                    + NewIds.printable(entryTemplate.replace(NewIds.NEW, "{NEW}")) + ">", in, other, entryMax, out,
                    null);
        }
        String root;
        try {
            root = TraceHeader.root(in);
        } catch (Throwable t) {
            throw failure("root threw " + t, in, other, max, null, t);
        }
        String expectedRoot = parsed.hasValidRoot() ? parsed.root().value() : null;
        if (expectedRoot == null ? root != null : !expectedRoot.equals(root)) {
            throw failure("root gave <" + root + ">, reference <" + expectedRoot + ">", in, other, max, out, null);
        }
    }

    private AssertionError failure(String what, String in, int other, int max, String out, Throwable cause) {
        String message = what + "\n  seed " + seed + " (-Dfuzz.seed=" + seed + "), " + kind + " case " + iteration
                + "\n  input  <" + NewIds.printable(in) + ">\n  other header bytes " + other + ", max " + max
                + "\n  output <" + NewIds.printable(out) + ">";
        try {
            fail(message, cause);
        } catch (AssertionError e) {
            return e;
        }
        return new AssertionError(message, cause);
    }

    // ---- generators ----

    private static char randomChar(Random rnd) {
        int r = rnd.nextInt(100);
        if (r < 40) {
            return (char) (0x21 + rnd.nextInt(0x7E - 0x21 + 1));
        } else if (r < 55) {
            return HEX.charAt(rnd.nextInt(HEX.length()));
        } else if (r < 90) {
            return SPECIAL[rnd.nextInt(SPECIAL.length)];
        } else if (r < 96) {
            return (char) rnd.nextInt(0x100);
        }
        return (char) rnd.nextInt(0x10000);
    }

    private static String randomChars(Random rnd, int max) {
        int n = rnd.nextInt(max + 1);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(randomChar(rnd));
        }
        return sb.toString();
    }

    private static String id(Random rnd) {
        StringBuilder sb = new StringBuilder("1-");
        boolean upper = rnd.nextInt(4) == 0;
        for (int i = 0; i < 32; i++) {
            if (i == 8) {
                sb.append('-');
            }
            char c = "0123456789abcdef".charAt(rnd.nextInt(16));
            sb.append(upper ? Character.toUpperCase(c) : c);
        }
        return sb.toString();
    }

    private static String almostId(Random rnd) {
        StringBuilder sb = new StringBuilder(id(rnd));
        switch (rnd.nextInt(5)) {
            case 0 -> sb.deleteCharAt(rnd.nextInt(sb.length()));
            case 1 -> sb.insert(rnd.nextInt(sb.length() + 1), HEX.charAt(rnd.nextInt(HEX.length())));
            case 2 -> sb.setCharAt(rnd.nextInt(sb.length()), randomChar(rnd));
            case 3 -> sb.setCharAt(0, '2');
            default -> sb.setCharAt(10, 'a');
        }
        return sb.toString();
    }

    private static String value(Random rnd) {
        int r = rnd.nextInt(100);
        if (r < 30) {
            return id(rnd);
        } else if (r < 40) {
            return almostId(rnd);
        } else if (r < 48) {
            return "";
        } else if (r < 49) {
            return "x".repeat(1000 + rnd.nextInt(9000)); // very long
        } else if (r < 80) {
            StringBuilder sb = new StringBuilder();
            for (int i = 1 + rnd.nextInt(12); i > 0; i--) {
                sb.append(NAME_CHARS.charAt(rnd.nextInt(NAME_CHARS.length())));
            }
            return sb.toString();
        }
        return randomChars(rnd, 12);
    }

    private static String field(Random rnd) {
        int r = rnd.nextInt(100);
        String name;
        if (r < 60) {
            name = NAMES[rnd.nextInt(NAMES.length)];
        } else if (r < 90) {
            StringBuilder sb = new StringBuilder();
            for (int i = 1 + rnd.nextInt(8); i > 0; i--) {
                sb.append(NAME_CHARS.charAt(rnd.nextInt(NAME_CHARS.length())));
            }
            name = sb.toString();
        } else if (r < 95) {
            name = "";
        } else {
            name = randomChars(rnd, 6);
        }
        String f = rnd.nextInt(20) == 0 ? name : name + "=" + value(rnd);
        int pad = rnd.nextInt(10);
        if (pad == 0) {
            f = " " + f + " ";
        } else if (pad == 1) {
            f = "\t" + f + " \t";
        } else if (pad == 2 && !f.isEmpty()) {
            StringBuilder sb = new StringBuilder(f);
            sb.insert(rnd.nextInt(sb.length() + 1), randomChar(rnd));
            f = sb.toString();
        }
        return f;
    }

    static String randomHeader(Random rnd) {
        int r = rnd.nextInt(100);
        if (r < 1) {
            return null;
        } else if (r < 20) {
            return randomChars(rnd, 80);
        }
        StringBuilder sb = new StringBuilder();
        int fields = rnd.nextInt(9);
        if (rnd.nextInt(6) == 0) {
            sb.append(SEPARATORS[rnd.nextInt(SEPARATORS.length)]);
        }
        if (rnd.nextInt(3) == 0) {
            sb.append("Root=").append(id(rnd)); // most fields are noise: make valid Roots common
            if (fields > 0) {
                sb.append(';');
            }
        }
        for (int i = 0; i < fields; i++) {
            if (i > 0) {
                sb.append(rnd.nextInt(4) == 0 ? SEPARATORS[rnd.nextInt(SEPARATORS.length)] : ";");
            }
            sb.append(field(rnd));
        }
        if (rnd.nextInt(6) == 0) {
            sb.append(SEPARATORS[rnd.nextInt(SEPARATORS.length)]);
        }
        return sb.toString();
    }

    static String mutate(Random rnd, String base) {
        StringBuilder sb = new StringBuilder(base);
        for (int ops = 1 + (rnd.nextBoolean() ? rnd.nextInt(2) : rnd.nextInt(6)); ops > 0; ops--) {
            int at = rnd.nextInt(sb.length() + 1);
            switch (rnd.nextInt(10)) {
                case 0, 1 -> sb.insert(at, randomChar(rnd));
                case 2 -> {
                    if (sb.length() > 0) {
                        sb.deleteCharAt(Math.min(at, sb.length() - 1));
                    }
                }
                case 3, 4 -> {
                    if (sb.length() > 0) {
                        sb.setCharAt(Math.min(at, sb.length() - 1), randomChar(rnd));
                    }
                }
                case 5 -> sb.insert(at, (rnd.nextBoolean() ? ";Root=" : ";Self=") + (rnd.nextBoolean() ? id(rnd)
                        : almostId(rnd)) + ";");
                case 6 -> {
                    // duplicate a stretch of the header, Root and Self fields included
                    int from = rnd.nextInt(sb.length() + 1);
                    int to = Math.min(sb.length(), from + rnd.nextInt(60));
                    sb.insert(at, sb.substring(from, to));
                }
                case 7 -> sb.insert(at, ";K" + rnd.nextInt(10) + "=" + "v".repeat(rnd.nextInt(100) == 0
                        ? 5000 + rnd.nextInt(5000) : rnd.nextInt(40)));
                case 8 -> sb.insert(at, SEPARATORS[rnd.nextInt(SEPARATORS.length)]);
                default -> {
                    if (sb.length() > 0) {
                        int from = rnd.nextInt(sb.length());
                        sb.delete(from, Math.min(sb.length(), from + 1 + rnd.nextInt(10)));
                    }
                }
            }
        }
        return sb.toString();
    }
}
