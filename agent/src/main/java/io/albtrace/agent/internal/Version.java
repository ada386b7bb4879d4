package io.albtrace.agent.internal;

import java.io.InputStream;
import java.util.Properties;

/** The agent's version, written into {@code version.properties} by the build. */
final class Version {

    private Version() {
    }

    static String get() {
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
