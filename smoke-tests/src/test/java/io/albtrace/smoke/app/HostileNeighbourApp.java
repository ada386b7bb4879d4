package io.albtrace.smoke.app;

import static net.bytebuddy.matcher.ElementMatchers.named;
import static net.bytebuddy.matcher.ElementMatchers.takesArguments;

import com.sun.net.httpserver.HttpServer;
import java.lang.instrument.Instrumentation;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.ByteBuddyAgent;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.DynamicType;
import net.bytebuddy.utility.JavaModule;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A hostile neighbour: an application with its own Byte Buddy (another version than the agent's), its own OkHttp
 * (3.14 or 4.12, not the agent's tests' 5.x) and its own Java agent, built with its Byte Buddy's {@link AgentBuilder}.
 * Its agent changes a class of the application ({@link Greeting}) and OkHttp itself: {@code OkHttpClient#newCall}
 * adds an {@code X-App: hostile} header to every request, and {@code RealCall#execute} (a class albtrace changes
 * too) counts the calls.
 *
 * <p>{@code args[0]} says when the application's agent is installed:
 * <ul>
 *   <li>{@code late}: after a first OkHttp call, with {@link ByteBuddyAgent#install()} (it attaches to this JVM at
 *       run time): Byte Buddy retransforms {@code OkHttpClient} and {@code RealCall}, already loaded, and already
 *       changed by albtrace when it is attached;</li>
 *   <li>{@code early}: with {@link ByteBuddyAgent#install()} at the start of {@code main}, before any OkHttp class
 *       is loaded;</li>
 *   <li>{@code premain}: by {@link AppAgent#premain}, the JVM started with {@code -javaagent:<a jar naming it>} ahead
 *       of albtrace's {@code -javaagent}: the application's transformer comes first in the JVM's chain.</li>
 * </ul>
 * Three calls to a back service in the same JVM (a JDK {@code HttpServer}), each setting
 * {@code X-Amzn-Trace-Id: Root=1-67891233-abcdef012345678912345678;CalledFrom=app}. Prints, one per line:
 * {@code bytebuddy : <jar>}, {@code bytebuddy-agent : <jar>}, {@code okhttp : <jar>}, {@code app agent : <how>},
 * {@code app agent transformed : <type>} (sorted), {@code app agent error : ...} (none expected),
 * {@code own class : <Greeting.text()>}, per call {@code call <i> : status=<code> x-app=<values or ->}
 * and {@code call <i> trace : <X-Amzn-Trace-Id values, " | " between>}, and {@code app saw execute : <count>}.
 */
public final class HostileNeighbourApp {

    static final String SENT = "Root=1-67891233-abcdef012345678912345678;CalledFrom=app";

    /** RealCall#execute calls the application's own advice saw (advice inlined into OkHttp increments it). */
    public static final AtomicInteger EXECUTES = new AtomicInteger();

    private static final List<String> TRANSFORMED = Collections.synchronizedList(new ArrayList<>());
    private static final List<String> ERRORS = Collections.synchronizedList(new ArrayList<>());
    private static volatile String installedBy = "not installed";

    private HostileNeighbourApp() {
    }

    /** A class of the application's own, which its agent changes. */
    public static final class Greeting {
        private Greeting() {
        }

        public static String text() {
            return "as compiled";
        }
    }

    /** The application's Java agent, when the JVM is started with it ({@code premain} mode). */
    public static final class AppAgent {
        private AppAgent() {
        }

        public static void premain(String arguments, Instrumentation instrumentation) {
            installAppAgent(instrumentation, "premain, before albtrace's");
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Greeting.text(); // loaded before the application's agent is installed at run time: it is retransformed
        System.out.println("bytebuddy : " + jar(ByteBuddy.class));
        System.out.println("bytebuddy-agent : " + jar(ByteBuddyAgent.class));
        if (mode.equals("early")) {
            installAppAgent(ByteBuddyAgent.install(), "ByteBuddyAgent.install(), before OkHttp is loaded");
        } else if (!mode.equals("late") && !mode.equals("premain")) {
            throw new IllegalArgumentException("mode: late, early or premain, not " + mode);
        }

        List<String[]> arrived = Collections.synchronizedList(new ArrayList<>());
        HttpServer back = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        back.createContext("/", exchange -> {
            List<String> trace = exchange.getRequestHeaders().get("X-Amzn-Trace-Id");
            List<String> app = exchange.getRequestHeaders().get("X-App");
            arrived.add(new String[] {trace == null ? "" : String.join(" | ", trace),
                app == null ? "-" : String.join(" | ", app)});
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        back.start();
        OkHttpClient client = new OkHttpClient.Builder().callTimeout(10, TimeUnit.SECONDS).build();
        System.out.println("okhttp : " + jar(OkHttpClient.class));
        try {
            for (int i = 0; i < 3; i++) {
                if (i == 1 && mode.equals("late")) {
                    // OkHttpClient and RealCall are loaded (and changed by albtrace, when it is there): retransformed
                    installAppAgent(ByteBuddyAgent.install(), "ByteBuddyAgent.install(), after a first call");
                }
                Request request = new Request.Builder()
                        .url("http://127.0.0.1:" + back.getAddress().getPort() + "/")
                        .header("X-Amzn-Trace-Id", SENT)
                        .build();
                try (Response response = client.newCall(request).execute()) {
                    String[] got = arrived.remove(0);
                    System.out.println("call " + i + " : status=" + response.code() + " x-app=" + got[1]);
                    System.out.println("call " + i + " trace : " + got[0]);
                }
            }
        } finally {
            back.stop(0);
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
        System.out.println("app agent : " + installedBy);
        List<String> transformed = new ArrayList<>(TRANSFORMED);
        Collections.sort(transformed);
        for (String type : transformed) {
            System.out.println("app agent transformed : " + type);
        }
        for (String error : ERRORS) {
            System.out.println("app agent error : " + error);
        }
        System.out.println("own class : " + Greeting.text());
        System.out.println("app saw execute : " + EXECUTES.get());
    }

    /** The application's own agent: Byte Buddy's AgentBuilder, retransforming what is already loaded. */
    static void installAppAgent(Instrumentation instrumentation, String how) {
        new AgentBuilder.Default()
                .disableClassFormatChanges()
                .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
                .with(new AgentBuilder.Listener.Adapter() {
                    @Override
                    public void onTransformation(TypeDescription type, ClassLoader loader, JavaModule module,
                            boolean loaded, DynamicType dynamicType) {
                        TRANSFORMED.add(type.getName());
                    }

                    @Override
                    public void onError(String type, ClassLoader loader, JavaModule module, boolean loaded,
                            Throwable error) {
                        ERRORS.add(type + ": " + error);
                    }
                })
                .type(named(Greeting.class.getName()))
                .transform((builder, type, loader, module, domain) ->
                        builder.visit(Advice.to(GreetingAdvice.class).on(named("text"))))
                .type(named("okhttp3.OkHttpClient"))
                .transform((builder, type, loader, module, domain) ->
                        builder.visit(Advice.to(NewCallAdvice.class).on(named("newCall").and(takesArguments(1)))))
                .type(named("okhttp3.RealCall").or(named("okhttp3.internal.connection.RealCall")))
                .transform((builder, type, loader, module, domain) ->
                        builder.visit(Advice.to(ExecuteAdvice.class).on(named("execute").and(takesArguments(0)))))
                .installOn(instrumentation);
        installedBy = how;
    }

    /** On the application's own class: a different return value. */
    public static final class GreetingAdvice {
        private GreetingAdvice() {
        }

        @Advice.OnMethodExit
        public static void exit(@Advice.Return(readOnly = false) String text) {
            text = "changed by the app's agent";
        }
    }

    /** On {@code OkHttpClient#newCall(Request)}: the application's own header on every request. */
    public static final class NewCallAdvice {
        private NewCallAdvice() {
        }

        @Advice.OnMethodEnter
        public static void enter(@Advice.Argument(value = 0, readOnly = false) Request request) {
            request = request.newBuilder().header("X-App", "hostile").build();
        }
    }

    /** On {@code RealCall#execute()}, which albtrace changes too: counts. */
    public static final class ExecuteAdvice {
        private ExecuteAdvice() {
        }

        @Advice.OnMethodEnter
        public static void enter() {
            EXECUTES.incrementAndGet();
        }
    }

    private static String jar(Class<?> type) {
        return String.valueOf(type.getProtectionDomain().getCodeSource().getLocation());
    }
}
