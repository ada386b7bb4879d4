package io.albtrace.agent;

import java.io.File;
import java.lang.instrument.Instrumentation;
import java.net.URL;
import java.util.jar.JarFile;

/**
 * The agent's entry points: {@code -javaagent} ({@link #premain}), attach ({@link #agentmain}) and
 * {@code java -jar} ({@link #main}). This class and {@link AgentClassLoader} are the only agent classes the
 * application's class loader can see. Everything else is read from the jar by an {@link AgentClassLoader}:
 * the core classes, which it defines in the bootstrap loader, and the installer, the instrumentations and the
 * relocated Byte Buddy, which stay private to the agent.
 */
public final class AlbtraceAgent {

    static final String AGENT_PREFIX = "albtrace/agent/";
    static final String BOOT_PREFIX = "albtrace/boot/";
    private static final String STARTER = "io.albtrace.agent.internal.AgentStarter";
    private static final String CLI = "io.albtrace.agent.internal.Cli";

    private static boolean started;

    private AlbtraceAgent() {
    }

    public static void premain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, "premain");
    }

    public static void agentmain(String arguments, Instrumentation instrumentation) {
        start(arguments, instrumentation, "agentmain");
    }

    /** {@code java -jar albtrace-agent.jar ...}: the version, usage and settings. */
    public static void main(String[] args) throws Exception {
        AgentClassLoader loader = new AgentClassLoader(openJar(), location(), AGENT_PREFIX, BOOT_PREFIX);
        int status = (Integer) loader.loadClass(CLI).getMethod("run", String[].class).invoke(null, (Object) args);
        System.exit(status);
    }

    private static synchronized void start(String arguments, Instrumentation instrumentation, String how) {
        try {
            if (started || alreadyInBootstrap()) {
                System.err.println("[albtrace] the agent is already installed in this JVM; this second copy ("
                        + location() + ") is ignored");
                return;
            }
            started = true;
            AgentClassLoader loader = new AgentClassLoader(openJar(), location(), AGENT_PREFIX);
            loader.loadClass(STARTER)
                    .getMethod("start", Instrumentation.class, JarFile.class, String.class, String.class)
                    .invoke(null, instrumentation, loader.jar(), BOOT_PREFIX, how);
        } catch (Throwable e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
            System.err.println("[albtrace] the agent could not start; the application runs without it: " + cause);
        }
    }

    private static boolean alreadyInBootstrap() {
        try {
            Class.forName("io.albtrace.core.Outgoing", false, null);
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static URL location() {
        return AlbtraceAgent.class.getProtectionDomain().getCodeSource().getLocation();
    }

    private static JarFile openJar() throws Exception {
        return new JarFile(new File(location().toURI()), false);
    }
}
