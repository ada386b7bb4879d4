package io.albtrace.agent.internal;

import io.albtrace.agent.AlbtraceAgent;
import io.albtrace.core.Config;
import io.albtrace.core.Log;
import io.albtrace.instrumentation.api.Installer;
import java.lang.instrument.Instrumentation;

/** Reads the settings and installs the enabled instrumentations; runs after the core classes are defined. */
final class Installation {

    private Installation() {
    }

    /** Returns the outcome: a status line ({@link AlbtraceAgent#STARTED} ...), then one line per settings problem. */
    static String run(Instrumentation instrumentation, String how, String settings) {
        Config config = Config.initialize(settings); // reports bad settings, once
        StringBuilder outcome = new StringBuilder();
        if (!config.enabled()) {
            Log.debug(Config.ENABLED + "=false: nothing is installed");
            outcome.append(AlbtraceAgent.DISABLED).append(' ').append(Config.ENABLED).append("=false: nothing installed");
        } else {
            if (config.debug()) {
                Log.warn("debug: albtrace " + Version.get() + " starting (" + how + ") on Java "
                        + System.getProperty("java.version") + " with " + config);
            }
            Installer.install(instrumentation, Installation.class.getClassLoader());
            outcome.append(AlbtraceAgent.STARTED).append(" albtrace ").append(Version.get()).append(" started on Java ")
                    .append(System.getProperty("java.version"));
        }
        for (String problem : config.problems()) {
            outcome.append('\n').append(AlbtraceAgent.PROBLEM).append(' ').append(problem.replace('\n', ' '));
        }
        return outcome.toString();
    }
}
