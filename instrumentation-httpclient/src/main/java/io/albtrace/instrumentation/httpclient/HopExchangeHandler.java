package io.albtrace.instrumentation.httpclient;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingHop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.BiFunction;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.HttpRequest;
import org.apache.hc.core5.http.HttpResponse;
import org.apache.hc.core5.http.nio.AsyncClientExchangeHandler;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.RequestChannel;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.net.URIAuthority;

/**
 * Wraps the exchange handler of a call of HttpClient 5's minimal async clients ({@link
 * AsyncMinimalClientInstrumentation}), which have no execution chain and no callback of their own to finish a hop
 * log line with: every method is handed to the application's handler as it is; the final response's status is
 * kept as it arrives ({@code consumeResponse}), the request as the client takes it from the application's handler,
 * before it connects (the request channel given to {@code produceRequest}), and the line is finished when the exchange is over, before the
 * application's handler hears of it ({@code releaseResources}, {@code failed}, {@code cancel}: a failure with no
 * response, a refused connection among them, has no status). Those clients follow no redirect and retry nothing,
 * so the exchange is the hop. One instance per httpcore5 class loader, defined next to it ({@link LibraryHelpers}).
 */
public final class HopExchangeHandler implements BiFunction<OutgoingHop, AsyncClientExchangeHandler,
        AsyncClientExchangeHandler>, AsyncClientExchangeHandler, RequestChannel {

    static {
        LibraryHelpers.created(new HopExchangeHandler(null, null, null));
    }

    // one class (a helper is defined alone in its loader): the instance made above wraps handlers; the handlers it
    // makes finish the line; and, as the request channel given to the application's handler, give the hop its
    // request as the client takes it, before it connects (so a refused connection's line has it too)
    private final OutgoingHop hop;
    private final AsyncClientExchangeHandler app;
    private final RequestChannel channel;
    private volatile int status = -1;

    private HopExchangeHandler(OutgoingHop hop, AsyncClientExchangeHandler app, RequestChannel channel) {
        this.hop = hop;
        this.app = app;
        this.channel = channel;
    }

    @Override
    public AsyncClientExchangeHandler apply(OutgoingHop hop, AsyncClientExchangeHandler handler) {
        return new HopExchangeHandler(hop, handler, null);
    }

    @Override
    public void produceRequest(RequestChannel channel, HttpContext context) throws HttpException, IOException {
        app.produceRequest(channel == null ? null : new HopExchangeHandler(hop, null, channel), context);
    }

    /** The request channel's side: the request as the application's handler produced it. */
    @Override
    public void sendRequest(HttpRequest request, EntityDetails entityDetails, HttpContext context)
            throws HttpException, IOException {
        try {
            URIAuthority authority = request.getAuthority();
            hop.request(request.getMethod(), request.getScheme(),
                    authority == null ? null : authority.getHostName(), authority == null ? -1 : authority.getPort(),
                    request.getPath());
        } catch (RuntimeException e) {
            // a request of the application's own type that fails: the line goes without it
        }
        channel.sendRequest(request, entityDetails, context);
    }

    @Override
    public void consumeResponse(HttpResponse response, EntityDetails entityDetails, HttpContext context)
            throws HttpException, IOException {
        status = response.getCode();
        app.consumeResponse(response, entityDetails, context);
    }

    @Override
    public void consumeInformation(HttpResponse response, HttpContext context) throws HttpException, IOException {
        app.consumeInformation(response, context);
    }

    @Override
    public void cancel() {
        hop.finish(status);
        app.cancel();
    }

    @Override
    public void failed(Exception cause) {
        hop.finish(status);
        app.failed(cause);
    }

    @Override
    public void updateCapacity(CapacityChannel capacityChannel) throws IOException {
        app.updateCapacity(capacityChannel);
    }

    @Override
    public void consume(ByteBuffer src) throws IOException {
        app.consume(src);
    }

    @Override
    public void streamEnd(List<? extends Header> trailers) throws HttpException, IOException {
        app.streamEnd(trailers);
    }

    @Override
    public int available() {
        return app.available();
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
        app.produce(channel);
    }

    @Override
    public void releaseResources() {
        hop.finish(status);
        app.releaseResources();
    }

    @Override
    public String toString() {
        return app.toString();
    }
}
