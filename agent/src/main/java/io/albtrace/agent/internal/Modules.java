package io.albtrace.agent.internal;

import io.albtrace.core.Log;
import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.helidon.HelidonInstrumentationModule;
import io.albtrace.instrumentation.httpclient.ApacheHttpAsyncClientInstrumentationModule;
import io.albtrace.instrumentation.httpclient.ApacheHttpClientInstrumentationModule;
import io.albtrace.instrumentation.jdk.executors.ExecutorsInstrumentationModule;
import io.albtrace.instrumentation.jetty.client.JettyHttpClientInstrumentationModule;
import io.albtrace.instrumentation.jetty.server.JettyServerInstrumentationModule;
import io.albtrace.instrumentation.jdk.urlconnection.HttpUrlConnectionInstrumentationModule;
import io.albtrace.instrumentation.jdk.httpclient.JdkHttpClientInstrumentationModule;
import io.albtrace.instrumentation.jdk.httpserver.JdkHttpServerInstrumentationModule;
import io.albtrace.instrumentation.netty.NettyInstrumentationModule;
import io.albtrace.instrumentation.okhttp.OkHttpInstrumentationModule;
import io.albtrace.instrumentation.reactor.ReactorInstrumentationModule;
import io.albtrace.instrumentation.servlet.ServletInstrumentationModule;
import io.albtrace.instrumentation.undertow.UndertowInstrumentationModule;
import java.util.ArrayList;
import java.util.List;

/**
 * The instrumentation modules the agent jar ships, created with {@code new}. {@code ServiceLoader} found the same
 * modules by reading the merged {@code META-INF/services} file through a {@code jar:} URL connection and creating
 * them by reflection: a measurable part of every start (reflection's first use costs more on Java
 * 18+). {@code ModulesTest} fails when this list and the services files differ.
 */
final class Modules {

    private Modules() {
    }

    /** Every module; one whose class cannot be loaded or created is reported and skipped. */
    static List<InstrumentationModule> all() {
        List<InstrumentationModule> modules = new ArrayList<>();
        for (int i = 0; ; i++) {
            try {
                InstrumentationModule module = create(i);
                if (module == null) {
                    return modules;
                }
                modules.add(module);
            } catch (RuntimeException | LinkageError e) {
                Log.warn("an instrumentation module could not be loaded and is skipped: " + e);
            }
        }
    }

    /** Module number {@code i}, or null after the last; each {@code new} in its own branch, so one failing is one. */
    private static InstrumentationModule create(int i) {
        switch (i) {
            case 0:
                return new OkHttpInstrumentationModule();
            case 1:
                return new ApacheHttpClientInstrumentationModule();
            case 2:
                return new JdkHttpClientInstrumentationModule();
            case 3:
                return new HttpUrlConnectionInstrumentationModule();
            case 4:
                return new JdkHttpServerInstrumentationModule();
            case 5:
                return new ExecutorsInstrumentationModule();
            case 6:
                return new ServletInstrumentationModule();
            case 7:
                return new ReactorInstrumentationModule();
            case 8:
                return new ApacheHttpAsyncClientInstrumentationModule();
            case 9:
                return new JettyHttpClientInstrumentationModule();
            case 10:
                return new NettyInstrumentationModule();
            case 11:
                return new UndertowInstrumentationModule();
            case 12:
                return new JettyServerInstrumentationModule();
            case 13:
                return new HelidonInstrumentationModule();
            default:
                return null;
        }
    }
}
