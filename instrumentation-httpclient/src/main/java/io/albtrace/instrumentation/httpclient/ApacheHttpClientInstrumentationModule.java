package io.albtrace.instrumentation.httpclient;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;

/**
 * Apache HttpClient 5.0 to 5.6 (classic, fluent, async and minimal async over HTTP/1.1 and HTTP/2) and 4.5
 * (classic):
 * {@code albtrace.instrumentation.apache-httpclient.enabled}.
 *
 * <p>Each logical request (what the application asked for, with the redirects, authentication follow-ups and
 * retries the client derives from it) is one {@link io.albtrace.core.OutgoingCall}: its header is forwarded once,
 * from the application's own header or the caller's context, and every send of it carries that value.
 * <ul>
 *   <li>Classic (5.x and 4.5) is synchronous: the call is begun on the caller's thread around {@code doExecute}
 *       ({@link ClassicHttpClientInstrumentation}, {@link HttpClient4Instrumentation}) and each send is written
 *       on that thread by the connection, where the header is set and the size rule applied over the real
 *       headers ({@link ClassicConnectionInstrumentation}, {@link HttpClient4ConnectionInstrumentation}). The
 *       application's request object is not changed (MinimalHttpClient sends it as it is: it is put back).</li>
 *   <li>Async (5.x) sends on the I/O reactor after {@code execute} returned: the call, with the caller's
 *       context, is kept in the request's {@code HttpContext} ({@link AsyncHttpClientInstrumentation}); the last
 *       element of the execution chain sets the header on every send it is given, its redirects and retries
 *       included ({@link AsyncMainClientExecInstrumentation}); the HTTP/1.1 writer and the HTTP/2 converter apply
 *       the size rule over the final headers ({@link AsyncRequestWriterInstrumentation},
 *       {@link H2RequestConverterInstrumentation}).</li>
 *   <li>The minimal async clients (5.x, {@code createMinimal()}, {@code createHttp2Minimal()}) have no execution
 *       chain: their {@code execute} keeps the call in the {@code HttpContext} the same way
 *       ({@link AsyncMinimalClientInstrumentation}), and the connection sets its value when it commits the request
 *       on the I/O reactor, then puts the application's request object back as it was
 *       ({@link AsyncStreamHandlerInstrumentation}).</li>
 * </ul>
 *
 * <p>A retry made by calling {@code execute} again, outside the client (HttpClient 4's deprecated
 * {@code AutoRetryHttpClient}, an application's retry loop), is a new logical call: each gets its own
 * {@code Self} ({@link io.albtrace.core.OutgoingCall}).
 */
public final class ApacheHttpClientInstrumentationModule extends InstrumentationModule {

    public ApacheHttpClientInstrumentationModule() {
        super("apache-httpclient");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return Arrays.asList(
                new ClassicHttpClientInstrumentation(),
                new ClassicConnectionInstrumentation(),
                new AsyncHttpClientInstrumentation(),
                new AsyncMinimalClientInstrumentation(),
                new AsyncStreamHandlerInstrumentation(),
                new AsyncMainClientExecInstrumentation(),
                new AsyncConnectExecInstrumentation(),
                new AsyncRequestWriterInstrumentation(),
                new H2RequestConverterInstrumentation(),
                new HttpClient4Instrumentation(),
                new HttpClient4ConnectionInstrumentation());
    }

    /**
     * The classes the type instrumentations above change. The installer reads these at start-up and creates the
     * type instrumentations only when one of these classes is loaded ({@link InstrumentationModule#typeNames()}).
     */
    @Override
    public List<String> typeNames() {
        return Arrays.asList(
                "org.apache.hc.client5.http.impl.classic.InternalHttpClient",
                "org.apache.hc.client5.http.impl.classic.MinimalHttpClient",
                "org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection",
                "org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient",
                "org.apache.hc.client5.http.impl.async.MinimalHttpAsyncClient",
                "org.apache.hc.client5.http.impl.async.MinimalH2AsyncClient",
                "org.apache.hc.core5.http.impl.nio.ClientHttp1StreamHandler",
                "org.apache.hc.core5.http2.impl.nio.ClientH2StreamHandler",
                "org.apache.hc.client5.http.impl.async.HttpAsyncMainClientExec",
                "org.apache.hc.client5.http.impl.async.H2AsyncMainClientExec",
                "org.apache.hc.client5.http.impl.async.AsyncConnectExec",
                "org.apache.hc.core5.http.impl.nio.DefaultHttpRequestWriter",
                "org.apache.hc.core5.http2.impl.DefaultH2RequestConverter",
                "org.apache.http.impl.client.InternalHttpClient",
                "org.apache.http.impl.client.MinimalHttpClient",
                "org.apache.http.impl.client.AbstractHttpClient",
                "org.apache.http.impl.DefaultBHttpClientConnection",
                "org.apache.http.impl.AbstractHttpClientConnection");
    }
}
