package io.albtrace.instrumentation.jdk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.albtrace.core.Config;
import io.albtrace.testing.Trace;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.logging.log4j.ThreadContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The log MDC inside a JDK HttpServer handler: Logback (through SLF4J) and Log4j 2's ThreadContext. */
@ExtendWith(InstalledAgent.class)
class MdcTest {

    static final String FULL = "Root=" + Trace.ROOT + ";Sampled=1";

    Front front;
    ExecutorService executor;
    ListAppender<ILoggingEvent> appender;
    Logger logger;
    final List<String> log4j = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        logger = (Logger) LoggerFactory.getLogger("albtrace.mdc.test");
        logger.setLevel(Level.INFO);
        appender = new ListAppender<>() {
            @Override
            protected void append(ILoggingEvent event) {
                event.prepareForDeferredProcessing(); // Logback reads the MDC lazily: take it now, on this thread
                super.append(event);
            }
        };
        appender.start();
        logger.addAppender(appender);
        executor = Executors.newSingleThreadExecutor();
        front = new Front(executor, null).handle("/log", exchange -> {
            logger.info("handling {}", exchange.getRequestURI());
            log4j.add(ThreadContext.get("amzn.trace.root") + " | " + ThreadContext.get("amzn.trace.id"));
            Front.respond(exchange, 200, "ok");
        });
    }

    @AfterEach
    void stop() throws InterruptedException {
        logger.detachAppender(appender);
        front.close();
    }

    Map<String, String> onlyEventMdc() {
        assertEquals(1, appender.list.size());
        return appender.list.get(0).getMDCPropertyMap();
    }

    @Test
    void aLogbackLoggerInTheHandlerSeesTheContext() throws Exception {
        assertEquals(200, front.call("/log", FULL).code);
        Map<String, String> mdc = onlyEventMdc();
        assertEquals(Trace.ROOT, mdc.get("amzn.trace.root"));
        assertEquals(FULL, mdc.get("amzn.trace.id"));
        assertEquals(List.of(Trace.ROOT + " | " + FULL), log4j);
        // removed afterwards: the pooled thread's MDCs are empty again
        assertEquals("null null null null", executor.submit(() -> MDC.get("amzn.trace.root") + " "
                + MDC.get("amzn.trace.id") + " " + ThreadContext.get("amzn.trace.root") + " "
                + ThreadContext.get("amzn.trace.id")).get(10, TimeUnit.SECONDS));
    }

    @Test
    void theApplicationsOwnMdcValuesAreRestored() throws Exception {
        executor.submit(() -> MDC.put("amzn.trace.root", "the application's")).get(10, TimeUnit.SECONDS);
        try {
            front.call("/log", FULL);
            assertEquals(Trace.ROOT, onlyEventMdc().get("amzn.trace.root"));
            assertEquals("the application's", executor.submit(() -> MDC.get("amzn.trace.root"))
                    .get(10, TimeUnit.SECONDS));
        } finally {
            executor.submit(MDC::clear).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void mdcDisabled() throws Exception {
        Properties p = new Properties();
        p.setProperty(Config.MDC_ENABLED, "false");
        Config previous = Config.install(Config.load(p, Map.of()));
        try {
            front.call("/log", FULL);
            Map<String, String> mdc = onlyEventMdc();
            assertNull(mdc.get("amzn.trace.root"));
            assertNull(mdc.get("amzn.trace.id"));
            assertEquals(List.of("null | null"), log4j);
        } finally {
            Config.install(previous);
        }
    }
}
