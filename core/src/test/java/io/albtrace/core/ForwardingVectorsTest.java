package io.albtrace.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The shared vectors (forwarding.tsv, SPEC section 3 without the size rule), one named test per row. */
class ForwardingVectorsTest {

    /** Rows in the shared vectors file; a change there must be noticed here. */
    private static final int ROWS = 20;

    record Vector(int line, String name, String input, String expected) {
    }

    static List<Vector> vectors() throws IOException {
        List<Vector> rows = new ArrayList<>();
        try (InputStream in = ForwardingVectorsTest.class.getResourceAsStream("/forwarding.tsv")) {
            assertNotNull(in, "forwarding.tsv is not on the test class path");
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] columns = line.split("\t", -1);
                assertEquals(3, columns.length, "line " + number + " has " + columns.length + " columns: " + line);
                String input = columns[1].equals("-") ? null : columns[1];
                rows.add(new Vector(number, columns[0], input, columns[2]));
            }
        }
        return rows;
    }

    @TestFactory
    Stream<DynamicTest> forwarding() throws IOException {
        return vectors().stream().map(v -> DynamicTest.dynamicTest(v.name(), () -> {
            String template = v.expected().replace("{NEW}", NewIds.NEW);
            String out = TraceHeader.forward(v.input(), 0);
            NewIds.assertMatches(template, out, v.input());
            // a second request with the same header gets its own Self
            String again = TraceHeader.forward(v.input(), 0);
            List<String> first = NewIds.match(template, out);
            List<String> second = NewIds.match(template, again);
            assertNotNull(second, "second call does not match: " + again);
            for (String id : second) {
                assertTrue(!first.contains(id), "identifier reused across calls: " + id);
            }
        }));
    }

    @Test
    void wholeFileIsRead() throws IOException {
        List<Vector> rows = vectors();
        assertEquals(ROWS, rows.size(), "rows in forwarding.tsv");
        Set<String> names = new HashSet<>();
        for (Vector v : rows) {
            assertTrue(names.add(v.name()), "duplicate vector name " + v.name());
            assertTrue(v.expected().contains("{NEW}"), "every vector makes a new identifier: " + v.name());
        }
        assertEquals(1, rows.stream().filter(v -> v.input() == null).count(), "one row without a header");
        assertEquals("absent", rows.get(0).name());
        assertEquals("lineage-kept", rows.get(ROWS - 1).name());
    }
}
