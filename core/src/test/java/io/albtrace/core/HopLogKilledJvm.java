package io.albtrace.core;

import java.util.Map;
import java.util.Properties;

/**
 * A JVM that writes hop log lines as fast as it can until it is killed ({@link HopLogTest}): the lines of requests
 * served one after another, each with a 300-character path, numbered in their order.
 */
public final class HopLogKilledJvm {

    private HopLogKilledJvm() {
    }

    public static void main(String[] args) {
        Properties p = new Properties();
        p.setProperty(Config.HOPLOG, args[0]);
        p.setProperty(Config.SERVICE_NAME, "killed");
        p.setProperty(Config.MDC_ENABLED, "false");
        Config.install(Config.load(p, Map.of()));
        String pad = "/" + "p".repeat(300) + "/";
        for (long i = 0; ; i++) {
            ServerEntry entry = ServerEntry.enter("Root=1-67891233-abcdef012345678912345678", null, null, true);
            entry.request("GET", "h", 80, pad + i);
            entry.close();
            entry.finish(200);
            if ((i & 1023) == 0) {
                Thread.yield();
            }
        }
    }
}
