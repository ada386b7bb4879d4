package io.albtrace.smoke.spring;

import java.io.IOException;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootVersion;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.event.EventListener;

/**
 * The smoke tests' Spring Boot front service: Spring MVC on the embedded Tomcat Spring Boot brings, logging through
 * Logback. It knows nothing of the agent. {@link ChainController} serves {@code GET /chain}.
 *
 * <pre>java -cp 'albtrace-spring-front.jar:lib/*' io.albtrace.smoke.spring.SpringFrontApp --server.port=0 --back.url=URL</pre>
 *
 * Prints {@code front versions: spring-boot V tomcat V} and then {@code front listening on PORT} when ready. With
 * {@code -Dsmoke.exitOnStdinEof=true} (as the smoke tests start it) it exits when its stdin reaches end of file.
 */
@SpringBootApplication
public class SpringFrontApp {

    public static void main(String[] args) {
        if (Boolean.getBoolean("smoke.exitOnStdinEof")) {
            Thread watcher = new Thread(SpringFrontApp::exitAtEndOfStdin, "exit-on-stdin-eof");
            watcher.setDaemon(true);
            watcher.start();
        }
        SpringApplication.run(SpringFrontApp.class, args);
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
    public void listening(WebServerInitializedEvent event) {
        System.out.println("front versions: spring-boot " + SpringBootVersion.getVersion() + " tomcat "
                + org.apache.catalina.util.ServerInfo.getServerInfo().replace("Apache Tomcat/", ""));
        System.out.println("front listening on " + event.getWebServer().getPort());
    }
}
