package io.albtrace.agent.internal;

import io.albtrace.core.Config;
import io.albtrace.agent.internal.tree.TreeCommand;
import io.albtrace.core.Log;
import java.io.PrintStream;

/** {@code java -jar albtrace-agent.jar [help|version|attach PID [settings]|tree ...]}. */
public final class Cli {

    private Cli() {
    }

    /** Runs a command; returns the process exit status. */
    public static int run(String[] args) {
        String command = args.length == 0 ? "help" : args[0];
        switch (command) {
            case "help":
            case "-h":
            case "--help":
                usage(System.out);
                return 0;
            case "version":
            case "--version":
                System.out.println("albtrace " + Version.get());
                return 0;
            case "attach":
                return new Attach(System.out, System.err).run(args);
            case "tree":
                return new TreeCommand(System.out, System.err).run(args);
            default:
                System.err.println("[albtrace] unknown command '" + Log.value(command) + "'");
                usage(System.err);
                return 2;
        }
    }

    private static void usage(PrintStream out) {
        out.println("albtrace " + Version.get() + ": every JVM service an AWS Application Load Balancer hop for X-Amzn-Trace-Id.");
        out.println();
        out.println("Attach it to an application:");
        out.println("  java -javaagent:/path/to/albtrace-agent.jar -jar your-app.jar");
        out.println("  JAVA_TOOL_OPTIONS=-javaagent:/path/to/albtrace-agent.jar   (containers, any launcher)");
        out.println();
        out.println("Commands:");
        out.println("  java -jar albtrace-agent.jar version   print the version");
        out.println("  java -jar albtrace-agent.jar help      print this text");
        out.println("  " + Attach.USAGE_LINE);
        out.println("      attach the agent to the running JVM PID (run it with a JDK's java, as the JVM's user);");
        out.println("      calls made from then on carry the header. Settings as key=value, for example");
        out.println("      albtrace.debug=true,albtrace.instrumentation.okhttp.enabled=false, win over the JVM's own.");
        out.println("      Java 21+ prints a warning about a dynamically loaded agent unless the JVM was started");
        out.println("      with -XX:+EnableDynamicAgentLoading. Setting values cannot contain a comma; report= is");
        out.println("      reserved. Exit status: 0 attached (or albtrace already there), 1 the agent did not start");
        out.println("      there (now or at an earlier attach), 2 bad command line, 3 no such process, 4 not a JVM,");
        out.println("      it refuses attach or did not load the agent within 60 s, 5 this Java cannot attach (no");
        out.println("      jdk.attach module), 6 attached but the agent did not report back (see the JVM's stderr).");
        out.println("  " + TreeCommand.USAGE_LINE);
        out.println("      print the call tree of each Root from hop logs (albtrace.hoplog) of any number of services,");
        out.println("      under the balancer's access-log entries when given (--alb, plain or .gz, trace_id the 18th");
        out.println("      field): each service's incoming request, the calls it made and, matched by Self, the service");
        out.println("      that received each, with times from the first line, and where the two ends disagree.");
        out.println("      --root ROOT reads any amount in bounded memory; --json prints the trees for other tools;");
        out.println("      --svg FILE draws them as a waterfall. Damaged lines are skipped and counted. Exit status:");
        out.println("      0 printed, 1 nothing found or a file unreadable, 2 bad command line.");
        out.println();
        out.println("Settings: system property -Dkey=value, or environment variable KEY (dots and dashes as");
        out.println("underscores, upper case); the property wins; -Dalbtrace.config=FILE reads a properties file first.");
        out.println("Settings given to attach, or as -javaagent:/path/to/albtrace-agent.jar=key=value,..., win over all.");
        for (String key : Config.knownKeys()) {
            out.println("  " + key + "   (" + Config.envName(key) + ")");
        }
    }
}
