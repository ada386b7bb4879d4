package io.albtrace.agent.internal;

import io.albtrace.agent.AlbtraceAgent;
import io.albtrace.core.Config;
import io.albtrace.core.Log;
import io.albtrace.weaver.Installer;
import java.lang.instrument.Instrumentation;

/** Reads the settings and installs the enabled instrumentations; runs after the core classes are defined. */
final class Installation {

    private Installation() {
    }

    /**
     * Returns the outcome: a status line ({@link AlbtraceAgent#STARTED} ...), then one line per settings problem.
     *
     * @param started      when the agent's start began ({@link System#nanoTime()}), for the debug line
     * @param coreDefined  when the core classes were defined in the bootstrap loader, for the debug line
     * @param training     the JVM runs the application and writes an archive of what it loaded (a CDS dump at exit,
     *                     an AOT training run): the classes loaded already stay as they are (see Installer.install)
     */
    static String run(Instrumentation instrumentation, String how, String settings, long started, long coreDefined,
            boolean training) {
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
            long configured = System.nanoTime();
            if (training && "agentmain".equals(how)) {
                Log.warn("this JVM writes a class-data sharing archive or an AOT cache: the classes it loaded before"
                        + " the agent was attached are left as they are (the JVM cannot archive a changed class)");
            }
            Installer.install(instrumentation, Installation.class.getClassLoader(), Modules.all(), training);
            if (config.debug()) {
                long installed = System.nanoTime();
                // what this start cost the application, by step (the warm-up thread's work is not in it)
                Log.warn("debug: " + how + " took " + micros(installed - started) + " us: core classes "
                        + micros(coreDefined - started) + " us, settings " + micros(configured - coreDefined)
                        + " us, modules and transformer " + micros(installed - configured) + " us");
            }
            outcome.append(AlbtraceAgent.STARTED).append(" albtrace ").append(Version.get()).append(" started on Java ")
                    .append(System.getProperty("java.version"));
        }
        for (String problem : config.problems()) {
            outcome.append('\n').append(AlbtraceAgent.PROBLEM).append(' ').append(problem.replace('\n', ' '));
        }
        return outcome.toString();
    }

    private static long micros(long nanos) {
        return nanos / 1000;
    }
}
