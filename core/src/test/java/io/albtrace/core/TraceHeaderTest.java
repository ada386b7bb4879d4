package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TraceHeader's own cases, beyond the shared vectors: SPEC sections 2, 3 and 4.2. */
class TraceHeaderTest {

    static final String R = "1-67891233-abcdef012345678912345678";
    static final String ROOT = "Root=" + R;
    static final String R2 = "1-11111111-111111111111111111111111";
    static final String S = "1-63441c4a-12456789abcdef012345678"; // the AWS example: 23 hex digits

    /** Asserts forward(in, 0) against a template where {NEW} is a fresh identifier. */
    static List<String> forwards(String in, String expected) {
        return NewIds.assertMatches(expected.replace("{NEW}", NewIds.NEW), TraceHeader.forward(in, 0), in);
    }

    static List<String> forwards(String in, int other, int max, String expected) {
        return NewIds.assertMatches(expected.replace("{NEW}", NewIds.NEW), TraceHeader.forward(in, other, max), in);
    }

    static List<String> enters(String in, String expected) {
        return NewIds.assertMatches(expected.replace("{NEW}", NewIds.NEW), TraceHeader.entry(in), in);
    }

    static String repeat(char c, int n) {
        return String.valueOf(c).repeat(n);
    }

    @Test
    void nameIsWrittenInItsCanonicalCase() {
        assertEquals("X-Amzn-Trace-Id", TraceHeader.NAME);
        assertEquals(7168, TraceHeader.DEFAULT_MAX_HEADER_BYTES);
    }

    @Test
    void everyCallGetsItsOwnSelf() {
        List<String> a = forwards(ROOT, "Self={NEW};" + ROOT);
        List<String> b = forwards(ROOT, "Self={NEW};" + ROOT);
        assertNotEquals(a.get(0), b.get(0));
        List<String> c = forwards(null, "Root={NEW}");
        List<String> d = forwards(null, "Root={NEW}");
        assertNotEquals(c.get(0), d.get(0));
    }

    @Nested
    class SizeRule {

        // "Self=" + 35 + ";" + 40 = 81 characters; the line is 19 + 81 = 100 bytes
        static final int ROOT_ONLY_OUT = 81;

        @Test
        void lineIsNameColonSpaceValueCrLf() {
            String out = TraceHeader.forward(ROOT, 0);
            assertEquals(ROOT_ONLY_OUT, out.length());
            assertEquals(19 + ROOT_ONLY_OUT, TraceHeader.lineBytes(TraceHeader.NAME, out));
            assertEquals(("X-Amzn-Trace-Id: " + out + "\r\n").length(), TraceHeader.lineBytes(TraceHeader.NAME, out));
        }

        @Test
        void exactBoundaryWithValidRoot() {
            int fits = 7168 - 19 - ROOT_ONLY_OUT; // 7068
            assertEquals(7068, fits);
            forwards(ROOT, fits, 7168, "Self={NEW};" + ROOT);
            assertEquals("Self=", TraceHeader.forward(ROOT, fits).substring(0, 5));
            assertEquals(ROOT, TraceHeader.forward(ROOT, fits + 1));
            assertEquals(ROOT, TraceHeader.forward(ROOT, fits + 1, 7168));
            assertEquals(ROOT, TraceHeader.forward(ROOT, 100_000));
        }

        @Test
        void exactBoundaryWithSelfAndCustoms() {
            String in = "Root=" + R + ";Self=abc;CalledFrom=app"; // out: Root=R;Self=<35>;CalledFrom=app = 40+1+40+1+14
            int outLen = 40 + 1 + 40 + 1 + 14;
            forwards(in, 7168 - 19 - outLen, 7168, ROOT + ";Self={NEW};CalledFrom=app");
            assertEquals(ROOT, TraceHeader.forward(in, 7168 - 19 - outLen + 1));
        }

        @Test
        void exactBoundaryWithoutValidRootMakesNewRootOnly() {
            String in = "CalledFrom=app"; // out: Root=<35>;CalledFrom=app = 40 + 1 + 14 = 55
            int fits = 7168 - 19 - 55;
            forwards(in, fits, 7168, "Root={NEW};CalledFrom=app");
            forwards(in, fits + 1, 7168, "Root={NEW}");
            forwards("Root=garbage;K=v", 100_000, 7168, "Root={NEW}");
            forwards(null, 7168 - 19 - 40, 7168, "Root={NEW}");
            forwards(null, 7168 - 19 - 40 + 1, 7168, "Root={NEW}"); // nothing smaller to fall back to
        }

        @Test
        void configurableBound() {
            forwards(ROOT, 0, 100, "Self={NEW};" + ROOT);
            assertEquals(ROOT, TraceHeader.forward(ROOT, 0, 99));
            assertEquals(ROOT, TraceHeader.forward(ROOT, 1, 100));
            forwards(ROOT, 1000, 1100, "Self={NEW};" + ROOT);
            assertEquals(ROOT, TraceHeader.forward(ROOT, 1001, 1100));
            // a bound smaller than any header still leaves the Root
            assertEquals(ROOT, TraceHeader.forward(ROOT, 0, 1));
            forwards("K=v", 0, 1, "Root={NEW}");
        }

        @Test
        void noOverflowAtTheExtremes() {
            assertEquals(ROOT, TraceHeader.forward(ROOT, Integer.MAX_VALUE, Integer.MAX_VALUE));
            assertEquals(ROOT, TraceHeader.forward(ROOT + ";K=v", Integer.MAX_VALUE - 10, Integer.MAX_VALUE));
            forwards(ROOT, 0, Integer.MAX_VALUE, "Self={NEW};" + ROOT);
        }

        @Test
        void customFieldsAloneTripIt() {
            StringBuilder customs = new StringBuilder();
            for (int i = 0; customs.length() < 7200; i++) {
                customs.append(";Field").append(i).append("=value-").append(i);
            }
            String withRoot = ROOT + customs;
            assertEquals(ROOT, TraceHeader.forward(withRoot, 0));
            forwards(customs.substring(1), 0, 7168, "Root={NEW}");
            // just under the bound they all stay
            String small = ROOT + customs.substring(0, customs.lastIndexOf(";Field", 7000));
            String out = TraceHeader.forward(small, 0);
            assertTrue(out.length() + 19 <= 7168);
            forwards(small, "Self={NEW};" + small);
            int outLen = out.length();
            forwards(small, 7168 - 19 - outLen, 7168, "Self={NEW};" + small);
            assertEquals(ROOT, TraceHeader.forward(small, 7168 - 19 - outLen + 1));
        }

        @Test
        void sizeIsMeasuredOnWhatLeavesNotOnWhatArrived() {
            // lots of dropped junk in the input does not count: only the fields that are written
            String in = ROOT + ";" + repeat(';', 20_000) + "bad part;" + repeat(' ', 20_000) + "K=v";
            forwards(in, "Self={NEW};" + ROOT + ";K=v");
            // a long Self that is replaced does not count either
            String longSelf = "Self=" + repeat('a', 7100) + ";" + ROOT;
            forwards(longSelf, "Self={NEW};" + ROOT);
        }
    }

    @Nested
    class Whitespace {

        @Test
        void aroundPartsAndTheWholeValue() {
            forwards(" \t Root=" + R + " \t;\t K=v  ", "Self={NEW};" + ROOT + ";K=v");
            forwards("\t\tRoot=" + R + "\t", "Self={NEW};" + ROOT);
            forwards("   ", "Root={NEW}");
            forwards("\t", "Root={NEW}");
            forwards("", "Root={NEW}");
            forwards(" ; \t ;  ", "Root={NEW}");
            forwards(ROOT + "; Self=x ;\tA=1\t;  B=2", ROOT + ";Self={NEW};A=1;B=2");
        }

        @Test
        void insideAValueOrNameDropsThePart() {
            forwards(ROOT + ";K=a b;L=c", "Self={NEW};" + ROOT + ";L=c");
            forwards(ROOT + ";K= v", "Self={NEW};" + ROOT);
            forwards(ROOT + ";K =v", "Self={NEW};" + ROOT);
            forwards(ROOT + ";K\t=v", "Self={NEW};" + ROOT);
            forwards(ROOT + ";K=a\tb", "Self={NEW};" + ROOT);
            forwards("Root= " + R + ";K=v", "Root={NEW};K=v");
            forwards("Root =" + R + ";K=v", "Root={NEW};K=v");
            forwards("Root=1-67891233 -abcdef012345678912345678", "Root={NEW}");
        }
    }

    @Nested
    class ControlCharacters {

        @ParameterizedTest(name = "U+{0}")
        @ValueSource(ints = {0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1B, 0x1F, 0x7F})
        void insideAValueDropsThePart(int c) {
            String bad = "a" + (char) c + "b";
            String out = TraceHeader.forward(ROOT + ";K=" + bad + ";L=ok", 0);
            forwards(ROOT + ";K=" + bad + ";L=ok", "Self={NEW};" + ROOT + ";L=ok");
            assertEquals(-1, out.indexOf(c));
            forwards(ROOT + ";K" + (char) c + "=v", "Self={NEW};" + ROOT);
            forwards("Self=" + bad + ";" + ROOT, "Self={NEW};" + ROOT);
            forwards("K=" + bad, "Root={NEW}");
            enters(ROOT + ";K=" + bad, ROOT);
        }

        @ParameterizedTest(name = "U+{0}")
        @ValueSource(ints = {0x00, 0x0A, 0x0D, 0x7F})
        void atTheEdgeOfThePartIsNotTrimmed(int c) {
            // only spaces and tabs are trimmed: a Root ending in CR, LF, NUL or DEL is not a Root
            forwards(ROOT + (char) c + ";K=v", "Root={NEW};K=v");
            forwards((char) c + ROOT + ";K=v", "Root={NEW};K=v");
            forwards(ROOT + ";K=v" + (char) c, "Self={NEW};" + ROOT);
        }

        @Test
        void headerInjectionIsImpossible() {
            String evil = ROOT + ";K=v\r\nX-Evil: 1\r\n\r\nGET / HTTP/1.1";
            String out = TraceHeader.forward(evil, 0);
            forwards(evil, "Self={NEW};" + ROOT);
            assertFalse(out.contains("\r") || out.contains("\n") || out.contains("Evil"));
            String crlfOnly = ROOT + "\r\n";
            forwards(crlfOnly, "Root={NEW}");
        }
    }

    @Nested
    class NonAscii {

        @ParameterizedTest(name = "U+{0}")
        @ValueSource(ints = {0x80, 0x85, 0xA0, 0xBB, 0xE9, 0xFF, 0x100, 0x13B, 0x141, 0x2028, 0xFEFF, 0xFF1B})
        void charactersOutsideVisibleAsciiDropThePart(int c) {
            String in = ROOT + ";K=a" + (char) c + ";L=ok;" + (char) c + "=v";
            String out = TraceHeader.forward(in, 0);
            forwards(in, "Self={NEW};" + ROOT + ";L=ok");
            for (int i = 0; i < out.length(); i++) {
                char o = out.charAt(i);
                assertTrue(o >= 0x21 && o <= 0x7E, "character " + (int) o + " in " + out);
            }
        }

        @Test
        void charactersWhoseLowByteIsASeparatorAreNotSeparators() {
            // U+013B's low byte is ';' and U+013D's is '=': they must not turn into separators on the way out
            forwards(ROOT + ";K=a\u013Bb=c", "Self={NEW};" + ROOT);
            forwards(ROOT + ";K\u013Dv", "Self={NEW};" + ROOT);
            forwards("Root\u013D" + R, "Root={NEW}");
        }

        @Test
        void accentsAndEmoji() {
            forwards(ROOT + ";City=Montr\u00e9al;K=v", "Self={NEW};" + ROOT + ";K=v");
            forwards(ROOT + ";Mood=\ud83d\ude00", "Self={NEW};" + ROOT);
            forwards(ROOT + ";Half=\ud83d", "Self={NEW};" + ROOT);
            forwards("R\u00f6\u00f6t=" + R, "Root={NEW}");
            forwards("Root=1-67891233-abcdef01234567891234567\uff18", "Root={NEW}"); // fullwidth digit
            forwards("Self=\u00e9;" + ROOT, "Self={NEW};" + ROOT);
        }
    }

    @Nested
    class LongInput {

        @Test
        void oneMegabyteValue() {
            String value = repeat('a', 1 << 20);
            String in = ROOT + ";Big=" + value;
            assertEquals(ROOT, TraceHeader.forward(in, 0));
            String out = TraceHeader.forward(in, 0, Integer.MAX_VALUE);
            forwards(in, 0, Integer.MAX_VALUE, "Self={NEW};" + in);
            assertEquals(5 + 35 + 1 + in.length(), out.length());
            assertSame(in, TraceHeader.entry(in, Integer.MAX_VALUE));
            assertEquals(ROOT, TraceHeader.entry(in));
            assertEquals(R, TraceHeader.root(in));
            forwards("Big=" + value, "Root={NEW}");
            forwards("Big=" + value, 0, Integer.MAX_VALUE, "Root={NEW};Big=" + value);
            forwards("Big=" + value + " x;" + ROOT, "Self={NEW};" + ROOT);
        }

        @Test
        void tenThousandCustomFields() {
            StringBuilder customs = new StringBuilder();
            for (int i = 0; i < 10_000; i++) {
                customs.append(";k").append(i).append("=v").append(i);
            }
            String in = ROOT + customs;
            forwards(in, 0, Integer.MAX_VALUE, "Self={NEW};" + in);
            assertEquals(ROOT, TraceHeader.forward(in, 0));
            String noRoot = customs.substring(1);
            forwards(noRoot, 0, Integer.MAX_VALUE, "Root={NEW};" + noRoot);
            forwards(noRoot, "Root={NEW}");
            assertSame(in, TraceHeader.entry(in, Integer.MAX_VALUE));
            NewIds.assertMatches("Root=" + NewIds.NEW + ";" + noRoot, TraceHeader.entry(noRoot, Integer.MAX_VALUE),
                    noRoot);
            // a Self after all of them is replaced in place
            String withSelf = in + ";Self=x;Tail=1";
            forwards(withSelf, 0, Integer.MAX_VALUE, "" + in + ";Self={NEW};Tail=1");
        }

        @Test
        void hundredThousandSemicolons() {
            String semis = repeat(';', 100_000);
            forwards(semis, "Root={NEW}");
            forwards(semis + ROOT + semis, "Self={NEW};" + ROOT);
            forwards(semis + "K=v" + semis + ROOT + semis + "L=w" + semis, "Self={NEW};K=v;" + ROOT + ";L=w");
            enters(semis + ROOT + semis, ROOT);
            assertEquals(R, TraceHeader.root(semis + ROOT + semis));
        }

        @Test
        void manyRootsAndSelfs() {
            StringBuilder in = new StringBuilder(ROOT);
            for (int i = 0; i < 5000; i++) {
                in.append(";Root=").append(R2).append(";Self=s").append(i);
            }
            forwards(in.toString(), "" + ROOT + ";Self={NEW}");
            assertEquals(ROOT + ";Self=s0", TraceHeader.entry(in.toString()));
        }
    }

    @Nested
    class RootAndSelf {

        @Test
        void selfWithoutRootIsDropped() {
            forwards("Self=" + S, "Root={NEW}");
            forwards("Self=" + S + ";CalledFrom=app", "Root={NEW};CalledFrom=app");
            forwards("A=1;Self=" + S + ";B=2", "Root={NEW};A=1;B=2");
            forwards("Self=" + S + ";Root=garbage;K=v", "Root={NEW};K=v");
        }

        @Test
        void severalSelfsKeepTheFirstPosition() {
            forwards(ROOT + ";Self=a;Self=b;K=v", ROOT + ";Self={NEW};K=v");
            forwards("Self=a;" + ROOT + ";Self=b", "Self={NEW};" + ROOT);
            forwards("Self=a;Self=b;Self=c;" + ROOT, "Self={NEW};" + ROOT);
            enters("Self=a;" + ROOT + ";Self=b", "Self=a;" + ROOT);
        }

        @Test
        void selfIsNeverValidated() {
            forwards(ROOT + ";Self=", ROOT + ";Self={NEW}");
            forwards(ROOT + ";Self=not-an-id;K=v", ROOT + ";Self={NEW};K=v");
            enters(ROOT + ";Self=not-an-id", ROOT + ";Self=not-an-id");
        }

        @Test
        void emptyValues() {
            forwards(ROOT + ";K=", "Self={NEW};" + ROOT + ";K=");
            forwards("K=", "Root={NEW};K=");
            forwards("Root=;K=v", "Root={NEW};K=v");
            forwards("Root=", "Root={NEW}");
            // the first Root wins even when it is invalid: a later valid one is dropped, not promoted
            forwards("Root=;" + ROOT + ";K=v", "Root={NEW};K=v");
            forwards("Root=garbage;" + ROOT, "Root={NEW}");
        }

        @Test
        void malformedParts() {
            forwards(ROOT + ";=v;=;K;Root;Self;==;K=v", "Self={NEW};" + ROOT + ";K=v");
            forwards(ROOT + ";A==b;B=c=d", "Self={NEW};" + ROOT + ";A==b;B=c=d");
            forwards("=;==;===", "Root={NEW}");
        }

        @Test
        void namesAreCaseSensitive() {
            forwards("ROOT=" + R + ";self=x", "Root={NEW};ROOT=" + R + ";self=x");
            forwards(ROOT + ";self=x;SELF=y", "Self={NEW};" + ROOT + ";self=x;SELF=y");
            forwards(ROOT + ";Roots=x;Selfie=y", "Self={NEW};" + ROOT + ";Roots=x;Selfie=y");
        }

        @Test
        void rootValueIsKeptVerbatim() {
            String mixed = "Root=1-6789ABCD-abcDEF012345678912345678";
            forwards(mixed, "Self={NEW};" + mixed);
            forwards("Root=2-67891233-abcdef012345678912345678", "Root={NEW}");
            forwards("Root=1-67891233-abcdef01234567891234567", "Root={NEW}");
            forwards("Root=1-6789123-abcdef0123456789123456789", "Root={NEW}");
            forwards("Root=1-67891233-abcdef01234567891234567g", "Root={NEW}");
            forwards("Root=1_67891233-abcdef012345678912345678", "Root={NEW}");
        }

        @Test
        void xrayFieldsAreCustom() {
            String in = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a:1";
            forwards(in, "Self={NEW};" + in);
        }
    }

    @Nested
    class Commas {

        @Test
        void onlyTheFirstValueCounts() {
            forwards(ROOT + ", Root=" + R2, "Self={NEW};" + ROOT);
            forwards(ROOT + ";K=v,L=w", "Self={NEW};" + ROOT + ";K=v");
            forwards(ROOT + ",", "Self={NEW};" + ROOT);
            forwards(",", "Root={NEW}");
            forwards("," + ROOT, "Root={NEW}");
            forwards(" , " + ROOT, "Root={NEW}");
            forwards("K=a,b;" + ROOT, "Root={NEW};K=a");
            forwards("Root=" + R2 + ",Root=" + R, "Self={NEW};Root=" + R2);
            forwards("Self=x;" + ROOT + " ,Self=y", "Self={NEW};" + ROOT);
            enters(ROOT + ";K=v, Root=" + R2, ROOT + ";K=v");
            assertEquals(R2, TraceHeader.root("Root=" + R2 + ",Root=" + R));
            assertNull(TraceHeader.root("K=v," + ROOT));
        }
    }

    @Nested
    class Entry {

        @Test
        void validRootKeepsTheFieldsAsReceived() {
            enters(ROOT, ROOT);
            enters("Self=" + S + ";" + ROOT + ";CalledFrom=app", "Self=" + S + ";" + ROOT + ";CalledFrom=app");
            enters(" " + ROOT + " ;; Self=x ;bad; =v;K=v ", ROOT + ";Self=x;K=v");
            enters(ROOT + ";Root=" + R2 + ";Self=a;Self=b", ROOT + ";Self=a");
        }

        @Test
        void canonicalInputIsReturnedAsIs() {
            String[] canonical = {ROOT, "Self=" + S + ";" + ROOT, ROOT + ";K=v;K=w;A=b=c", "K=;" + ROOT + ";L="};
            for (String in : canonical) {
                assertSame(in, TraceHeader.entry(in), in);
            }
            String padded = ROOT + " ";
            assertNotSame(padded, TraceHeader.entry(padded));
            assertEquals(ROOT, TraceHeader.entry(padded));
            assertEquals(ROOT, TraceHeader.entry(ROOT + ";"));
            assertEquals(ROOT, TraceHeader.entry(ROOT + ",x"));
        }

        @Test
        void noOrInvalidRootMakesOne() {
            enters(null, "Root={NEW}");
            enters("", "Root={NEW}");
            enters("CalledFrom=app", "Root={NEW};CalledFrom=app");
            enters("Self=" + S + ";A=1;Root=bad;B=2", "Root={NEW};A=1;B=2");
            enters("root=" + R, "Root={NEW};root=" + R);
            enters("Root=" + R + "0;K=v", "Root={NEW};K=v");
        }

        @Test
        void theContextIsBoundedLikeWhatLeaves() {
            // SPEC 4.5: over the bound, the context is the valid Root (or a new one) and nothing else
            String big = ROOT + ";K=" + repeat('x', 10_000);
            assertEquals(ROOT, TraceHeader.entry(big));
            enters("K=" + repeat('x', 10_000), "Root={NEW}");
            assertSame(big, TraceHeader.entry(big, big.length()), "within a larger bound: as received");
            enters("Self=x;" + ROOT + ";Big=" + repeat('y', 60 * 1024), ROOT);
        }

        @Test
        void exactlyAtTheBoundIsKeptOneByteOverIsRootOnly() {
            for (int max : new int[] {TraceHeader.DEFAULT_MAX_HEADER_BYTES, 100, 2000}) {
                String at = ROOT + ";Pad=" + repeat('p', max - ROOT.length() - 5);
                assertEquals(max, at.length());
                assertSame(at, TraceHeader.entry(at, max), "exactly at the bound");
                assertEquals(ROOT, TraceHeader.entry(at + "q", max), "one byte over");
                // counted as the context is written: blanks and dropped parts are not counted
                String padded = " " + ROOT + " ;; bad ;Pad=" + repeat('p', max - ROOT.length() - 5) + "\t";
                assertEquals(at, TraceHeader.entry(padded, max));
                // no valid Root: counted with the new Root that replaces it
                String customs = "K=" + repeat('k', max - 5 - Ids.LENGTH - 3);
                List<String> kept = NewIds.assertMatches("Root=" + NewIds.NEW + ";" + customs,
                        TraceHeader.entry("Root=bad;" + customs, max), customs);
                assertEquals(max, ("Root=" + kept.get(0) + ";" + customs).length());
                NewIds.assertMatches("Root=" + NewIds.NEW, TraceHeader.entry("Root=bad;" + customs + "k", max),
                        customs);
            }
            if (TraceHeader.DEFAULT_MAX_HEADER_BYTES == 7168) {
                String at = ROOT + ";Pad=" + repeat('p', 7168 - ROOT.length() - 5);
                assertSame(at, TraceHeader.entry(at), "the one-argument entry has the default bound");
                assertEquals(ROOT, TraceHeader.entry(at + "q"));
            }
        }

        @Test
        void tenThousandFieldsAreRootOnly() {
            String customs = io.albtrace.testing.Trace.customFields(10_000);
            assertEquals(ROOT, TraceHeader.entry("Self=" + S + ";" + ROOT + customs));
            enters(customs.substring(1), "Root={NEW}");
        }

        @Test
        void aBoundBelowARootIsStillTheRoot() {
            assertEquals(ROOT, TraceHeader.entry(ROOT + ";K=v", 1));
            enters(null, "Root={NEW}");
            NewIds.assertMatches("Root=" + NewIds.NEW, TraceHeader.entry("K=v", 1), "K=v");
        }
    }

    @Nested
    class RootValue {

        @Test
        void theValidRootOrNull() {
            assertEquals(R, TraceHeader.root(ROOT));
            assertEquals(R, TraceHeader.root("Self=" + S + ";" + ROOT + ";K=v"));
            assertEquals(R, TraceHeader.root(" \t" + ROOT + "\t "));
            assertEquals("1-6789ABCD-ABCDEF012345678912345678", TraceHeader.root("Root=1-6789ABCD-ABCDEF012345678912345678"));
            assertEquals(R, TraceHeader.root(ROOT + ";Root=" + R2));
            assertNull(TraceHeader.root(null));
            assertNull(TraceHeader.root(""));
            assertNull(TraceHeader.root("K=v"));
            assertNull(TraceHeader.root("Root="));
            assertNull(TraceHeader.root("Root=garbage;Root=" + R));
            assertNull(TraceHeader.root("root=" + R));
            assertNull(TraceHeader.root(R));
            assertNull(TraceHeader.root("Root=" + R + "\u0000"));
        }
    }

    @Nested
    class ValidId {

        @ParameterizedTest
        @ValueSource(strings = {R, R2, "1-ABCDEF01-ABCDEF012345678912345678", "1-aBcDeF01-0123456789aBcDeF01234567",
                "1-00000000-000000000000000000000000", "1-ffffffff-ffffffffffffffffffffffff"})
        void valid(String id) {
            assertTrue(TraceHeader.isValidId(id));
            assertEquals(id, TraceHeader.root("Root=" + id));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "1", "1-", "1-67891233-abcdef01234567891234567", "1-67891233-abcdef0123456789123456789",
                "2-67891233-abcdef012345678912345678", "0-67891233-abcdef012345678912345678",
                "1-6789123g-abcdef012345678912345678", "1-67891233-abcdef01234567891234567z",
                "1_67891233-abcdef012345678912345678", "1-67891233_abcdef012345678912345678",
                "1-67891233--bcdef012345678912345678", " 1-67891233-abcdef012345678912345678",
                "1-67891233-abcdef012345678912345678 ", "1-6789123\u0663-abcdef012345678912345678",
                "Root=1-67891233-abcdef012345678912345678", "1-67891233-abcdef01234567891234567\uff18"})
        void invalid(String id) {
            assertFalse(TraceHeader.isValidId(id), id);
        }

        @Test
        void nullIsNotAnId() {
            assertFalse(TraceHeader.isValidId(null));
        }

        /** Every character in every digit position: only 0-9, a-f and A-F are hex, whatever its low bits. */
        @Test
        void everyCharacterInEveryDigitPosition() {
            String zeros = "1-00000000-000000000000000000000000";
            for (int at = 2; at < Ids.LENGTH; at++) {
                if (at == 10) {
                    continue;
                }
                for (int c = 0; c <= Character.MAX_VALUE; c++) {
                    boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                    String id = zeros.substring(0, at) + (char) c + zeros.substring(at + 1);
                    if (TraceHeader.isValidId(id) != hex) {
                        throw new AssertionError("character " + c + " at " + at + ": " + !hex);
                    }
                }
            }
        }

        @Test
        void newIdsAreValid() {
            for (int i = 0; i < 1000; i++) {
                assertTrue(TraceHeader.isValidId(Ids.newId()));
            }
        }
    }

    @Nested
    class LineBytes {

        @Test
        void nameColonSpaceValueCrLf() {
            assertEquals("Host: example.com\r\n".length(), TraceHeader.lineBytes("Host", "example.com"));
            assertEquals(19, TraceHeader.lineBytes("Host", "example.com"));
            assertEquals(22, TraceHeader.lineBytes(TraceHeader.NAME, "abc"));
            assertEquals(19, TraceHeader.lineBytes(TraceHeader.NAME, ""));
            assertEquals(4, TraceHeader.lineBytes("", ""));
            assertEquals(4, TraceHeader.lineBytes(null, null));
            assertEquals(8, TraceHeader.lineBytes("Abcd", null));
            assertEquals(8, TraceHeader.lineBytes(null, "abcd"));
            assertEquals(1 << 20, TraceHeader.lineBytes("K", repeat('v', (1 << 20) - 5)));
        }

        @Test
        void matchesTheSizeRule() {
            String in = ROOT + ";K=v";
            String out = TraceHeader.forward(in, 0);
            int line = TraceHeader.lineBytes(TraceHeader.NAME, out);
            assertEquals(19 + out.length(), line);
            forwards(in, 7168 - line, 7168, "Self={NEW};" + in);
            assertEquals(ROOT, TraceHeader.forward(in, 7168 - line + 1));
        }
    }
}
