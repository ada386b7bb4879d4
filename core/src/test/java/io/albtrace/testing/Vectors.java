package io.albtrace.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.provider.Arguments;

/** The shared forwarding vectors (core's copy of ../shared/vectors/forwarding.tsv): name, input (null for "-": none), expected. */
public final class Vectors {

    private Vectors() {
    }

    public static List<Arguments> rows() throws IOException {
        List<Arguments> rows = new ArrayList<>();
        try (InputStream in = Vectors.class.getResourceAsStream("/forwarding.tsv");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t", -1);
                assertEquals(3, cols.length, "a vector row has three tab-separated columns: " + line);
                rows.add(Arguments.of(cols[0], "-".equals(cols[1]) ? null : cols[1], cols[2]));
            }
        }
        if (rows.size() < 20) {
            throw new AssertionError("the shared file has 20 rows or more, read " + rows.size());
        }
        return rows;
    }
}
