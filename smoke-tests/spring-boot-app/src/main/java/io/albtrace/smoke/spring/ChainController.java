package io.albtrace.smoke.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.SpringVersion;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestTemplate;

/**
 * {@code GET /chain}: calls the back service ({@code io.albtrace.smoke.apps.BackApp}, which answers with the
 * {@code X-Amzn-Trace-Id} values it received) once with each client, logs a line, and reports in the smoke tests'
 * format (see {@code FrontApp}): {@code incoming}, {@code mdc} and one {@code call} line per client:
 * {@code resttemplate} (Spring's {@code RestTemplate}, on {@code HttpURLConnection} by default), {@code restclient}
 * (Spring's {@code RestClient}, on the JDK's {@code HttpClient} by default) and {@code jdk} (the JDK's
 * {@code HttpClient} called directly).
 */
@RestController
public class ChainController {

    private static final Logger LOG = LoggerFactory.getLogger(ChainController.class);
    private static final String SPRING = "spring-web " + SpringVersion.getVersion();

    private final String back;
    private final RestTemplate restTemplate = new RestTemplate();
    private final RestClient restClient = RestClient.create();
    private final HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public ChainController(@Value("${back.url}") String back) {
        this.back = back;
    }

    @GetMapping(value = "/chain", produces = "text/plain")
    public String chain(HttpServletRequest request) {
        StringBuilder report = new StringBuilder();
        for (String value : Collections.list(request.getHeaders("X-Amzn-Trace-Id"))) {
            report.append("incoming\t").append(value).append('\n');
        }
        report.append("mdc\t").append(orDash(MDC.get("amzn.trace.id"))).append('\t')
                .append(orDash(MDC.get("amzn.trace.root"))).append('\n');
        call(report, "resttemplate", SPRING + " RestTemplate", () -> restTemplate.getForObject(back, String.class));
        call(report, "restclient", SPRING + " RestClient", () -> restClient.get().uri(back).retrieve()
                .body(String.class));
        call(report, "jdk", "java.net.http " + Runtime.version().feature(), () -> jdk.send(
                HttpRequest.newBuilder(URI.create(back)).build(), HttpResponse.BodyHandlers.ofString()).body());
        LOG.info("chain served");
        return report.toString();
    }

    /** A GET that returns the back service's answer. */
    interface Get {
        String body() throws Exception;
    }

    private static void call(StringBuilder report, String client, String library, Get get) {
        report.append("call\t").append(client).append('\t').append(library).append('\t');
        try {
            List<String> values = new ArrayList<>();
            String body = get.body();
            for (String line : (body == null ? "" : body).split("\n")) {
                if (line.startsWith("x-amzn-trace-id: ")) {
                    values.add(line.substring("x-amzn-trace-id: ".length()));
                }
            }
            report.append("ok");
            for (String value : values) {
                report.append('\t').append(value);
            }
        } catch (Exception e) {
            report.append("error\t").append(e.toString().replace('\t', ' ').replace('\n', ' '));
        }
        report.append('\n');
    }

    private static String orDash(String value) {
        return value == null ? "-" : value;
    }
}
