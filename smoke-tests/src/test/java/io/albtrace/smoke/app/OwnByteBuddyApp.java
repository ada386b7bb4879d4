package io.albtrace.smoke.app;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.FixedValue;
import net.bytebuddy.matcher.ElementMatchers;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * A test application that ships its own Byte Buddy (another version than the agent's) and uses it while it
 * makes OkHttp calls. Prints {@code bytebuddy : <jar>}, {@code generated : <toString of a generated subclass>}
 * and, per call, {@code arrived : <X-Amzn-Trace-Id values the back service received>}.
 */
public final class OwnByteBuddyApp {

    private OwnByteBuddyApp() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("bytebuddy : " + ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation());
        System.out.println("bytebuddy loader : " + (ByteBuddy.class.getClassLoader() == ClassLoader.getSystemClassLoader()
                ? "app" : String.valueOf(ByteBuddy.class.getClassLoader())));

        AtomicReference<List<String>> arrived = new AtomicReference<>();
        HttpServer back = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        back.createContext("/", exchange -> {
            List<String> v = exchange.getRequestHeaders().get("X-Amzn-Trace-Id");
            arrived.set(v == null ? List.of() : List.copyOf(v));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        back.start();
        OkHttpClient client = new OkHttpClient.Builder().callTimeout(10, TimeUnit.SECONDS).build();
        try {
            for (int i = 0; i < 2; i++) {
                // The application's Byte Buddy at work between the calls: a new subclass each time.
                Class<?> type = new ByteBuddy()
                        .subclass(Object.class)
                        .name("io.albtrace.smoke.app.Generated" + i)
                        .method(ElementMatchers.named("toString")).intercept(FixedValue.value("made by the app's Byte Buddy " + i))
                        .make()
                        .load(OwnByteBuddyApp.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER)
                        .getLoaded();
                System.out.println("generated : " + type.getDeclaredConstructor().newInstance());

                Request request = new Request.Builder()
                        .url("http://127.0.0.1:" + back.getAddress().getPort() + "/")
                        .header("X-Amzn-Trace-Id", "Root=1-67891233-abcdef012345678912345678;CalledFrom=app")
                        .build();
                try (Response response = client.newCall(request).execute()) {
                    System.out.println("status : " + response.code());
                }
                System.out.println("arrived : " + String.join(" | ", arrived.get()));
            }
        } finally {
            back.stop(0);
            client.dispatcher().executorService().shutdown();
            client.connectionPool().evictAll();
        }
    }
}
