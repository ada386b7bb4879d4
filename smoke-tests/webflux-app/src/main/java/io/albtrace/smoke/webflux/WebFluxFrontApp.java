package io.albtrace.smoke.webflux;

import java.io.IOException;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;

/**
 * The smoke tests' Spring WebFlux front service: Spring Boot with WebFlux on the Reactor Netty server Spring Boot
 * brings, logging through Logback. It knows nothing of the agent. {@link ChainController} serves {@code GET /chain}.
 *
 * <pre>java -cp 'albtrace-webflux-front.jar:lib/*' io.albtrace.smoke.webflux.WebFluxFrontApp --server.port=0 --back.url=URL</pre>
 *
 * Prints {@code front versions: spring-boot V reactor-netty V netty V} and then {@code front listening on PORT} when
 * ready. With {@code -Dsmoke.exitOnStdinEof=true} (as the smoke tests start it) it exits when its stdin reaches end
 * of file. The same sources are built against Spring Boot 4 and 3.5 (webflux-app and webflux-app/boot35).
 */
@SpringBootApplication
public class WebFluxFrontApp {

    public static void main(String[] args) {
        if (Boolean.getBoolean("smoke.exitOnStdinEof")) {
            Thread watcher = new Thread(WebFluxFrontApp::exitAtEndOfStdin, "exit-on-stdin-eof");
            watcher.setDaemon(true);
            watcher.start();
        }
        SpringApplication.run(WebFluxFrontApp.class, args);
    }

    private static void exitAtEndOfStdin() {
        try {
            System.in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            // stdin is gone: the same as its end
        }
        System.exit(0);
    }

    @EventListener
    public void ready(ApplicationReadyEvent event) {
        String port = event.getApplicationContext().getEnvironment().getProperty("local.server.port");
        System.out.println("front versions: spring-boot " + SpringBootVersion.getVersion() + " reactor-netty "
                + version(reactor.netty.http.server.HttpServer.class) + " netty "
                + io.netty.util.Version.identify().get("netty-codec-http").artifactVersion());
        System.out.println("front listening on " + port);
    }

    /** The version in the manifest of the jar that holds {@code type}. */
    private static String version(Class<?> type) {
        String v = type.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }
}
