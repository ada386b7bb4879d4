package io.albtrace.smoke.webflux;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.SpringVersion;
import org.springframework.http.HttpHeaders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code GET /chain}: calls the back service ({@code io.albtrace.smoke.apps.BackApp}, which answers with the
 * {@code X-Amzn-Trace-Id} values it received) the ways a WebFlux service does, logs a line on the event loop, and
 * reports in the smoke tests' format (see {@code FrontApp}): {@code incoming}, {@code mdc} and one {@code call} line
 * per way:
 * <ul>
 * <li>{@code webclient}: Spring's {@code WebClient} on Reactor Netty, subscribed by WebFlux on the server's event
 * loop;</li>
 * <li>{@code webclient-then}: a second {@code WebClient} call made in a {@code flatMap} after the first one's response
 * (on the client connection's event loop, which may have served other requests);</li>
 * <li>{@code boundedelastic}: the JDK's {@code HttpClient} inside {@code Mono.fromCallable(...)
 * .subscribeOn(Schedulers.boundedElastic())};</li>
 * <li>{@code parallel-map}: the JDK's {@code HttpClient} in a {@code map} after {@code publishOn(Schedulers.parallel())};</li>
 * <li>{@code restclient}: Spring's {@code RestClient.create()}, which takes Reactor Netty when it is on the class
 * path, blocking, on {@code boundedElastic}.</li>
 * </ul>
 * The calls run one after the other, so their lines come in this order.
 */
@RestController
public class ChainController {

    private static final Logger LOG = LoggerFactory.getLogger(ChainController.class);
    private static final String SPRING = "spring-webflux " + SpringVersion.getVersion();
    private static final String HEADER = "X-Amzn-Trace-Id";

    private final String back;
    private final WebClient webClient = WebClient.create();
    private final RestClient restClient = RestClient.create();
    private final HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    public ChainController(@Value("${back.url}") String back) {
        this.back = back;
    }

    @GetMapping(value = "/chain", produces = "text/plain")
    public Mono<String> chain(@RequestHeader HttpHeaders headers) {
        StringBuilder head = new StringBuilder();
        List<String> incoming = headers.get(HEADER);
        for (String value : incoming == null ? List.<String>of() : incoming) {
            head.append("incoming\t").append(value).append('\n');
        }
        head.append("mdc\t").append(orDash(MDC.get("amzn.trace.id"))).append('\t')
                .append(orDash(MDC.get("amzn.trace.root"))).append('\n');
        LOG.info("chain served");

        Mono<String> webclient = get().map(body -> line("webclient", SPRING + " WebClient", body));
        Mono<String> then = get().flatMap(first -> get())
                .map(body -> line("webclient-then", SPRING + " WebClient in flatMap", body));
        Mono<String> elastic = Mono.fromCallable(this::jdkGet).subscribeOn(Schedulers.boundedElastic())
                .map(body -> line("boundedelastic", "java.net.http on boundedElastic", body));
        Mono<String> parallel = Mono.just(back).publishOn(Schedulers.parallel())
                .map(url -> line("parallel-map", "java.net.http after publishOn(parallel)", call(this::jdkGet)));
        Mono<String> rest = Mono.fromCallable(() -> String.valueOf(restClient.get().uri(back).retrieve()
                        .body(String.class))).subscribeOn(Schedulers.boundedElastic())
                .map(body -> line("restclient", SPRING + " RestClient", body));
        return Flux.concat(webclient, then, elastic, parallel, rest)
                .onErrorResume(e -> Mono.just("call\terror\t-\t" + e.toString().replace('\n', ' ') + "\n"))
                .collectList().map(lines -> head + String.join("", lines));
    }

    private Mono<String> get() {
        return webClient.get().uri(back).retrieve().bodyToMono(String.class).defaultIfEmpty(""); // no header, no body
    }

    private String jdkGet() throws Exception {
        return jdk.send(HttpRequest.newBuilder(URI.create(back)).build(), HttpResponse.BodyHandlers.ofString())
                .body();
    }

    private static String call(Callable<String> get) {
        try {
            return get.call();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A report's call line: the values of the trace header the back service said it received. */
    private static String line(String client, String library, String body) {
        StringBuilder out = new StringBuilder("call\t").append(client).append('\t').append(library).append("\tok");
        List<String> values = new ArrayList<>();
        for (String l : (body == null ? "" : body).split("\n")) {
            if (l.startsWith("x-amzn-trace-id: ")) {
                values.add(l.substring("x-amzn-trace-id: ".length()));
            }
        }
        for (String v : values) {
            out.append('\t').append(v);
        }
        return out.append('\n').toString();
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
