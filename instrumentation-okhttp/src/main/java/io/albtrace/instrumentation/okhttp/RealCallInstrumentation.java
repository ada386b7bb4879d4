package io.albtrace.instrumentation.okhttp;

import static io.albtrace.instrumentation.api.Methods.isConstructor;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.namedOneOf;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.core.Context;
import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.Log;
import io.albtrace.core.Outgoing;
import io.albtrace.core.OutgoingCall;
import io.albtrace.core.OutgoingHop;
import io.albtrace.core.TraceHeader;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.MethodMatcher;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import kotlin.jvm.JvmClassMappingKt;
import kotlin.reflect.KClass;
import net.bytebuddy.asm.Advice;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.OkHttp;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.internal.Tags;
import okhttp3.internal.connection.RealCall;

/**
 * {@code RealCall}, OkHttp's one call object: {@code okhttp3.RealCall} in 3.x,
 * {@code okhttp3.internal.connection.RealCall} in 4.x and 5.x. Every call is constructed as
 * {@code RealCall(OkHttpClient, Request originalRequest, boolean forWebSocket)} on the thread that makes it:
 * {@code newCall} for {@code execute()} and {@code enqueue()}, and the WebSocket upgrade. What the constructor
 * takes from that thread is what the call forwards, so the context is the caller's, also for {@code enqueue()}
 * (SPEC 5.2). Two ways:
 * <ul>
 *   <li><b>Forwarded when the call is made</b> (OkHttp 3.14, 4.x and 5.0 to 5.2, which have no call tags; a 5.x
 *       version after 5.5.1, whose codecs the agent does not know, below; and on 5.3+ a request whose application
 *       set the header): the constructor is given the request with its {@code X-Amzn-Trace-Id} already forwarded
 *       (a rebuilt {@code Request}), so redirects and retries carry it,
 *       {@code call.request()} shows the header that is sent, and a clone forwards it again. Only the headers the
 *       application set are known here, so the size rule over all request headers, OkHttp's own included, is
 *       applied where they are written ({@link ExchangeInstrumentation}).</li>
 *   <li><b>Forwarded on the wire</b> (OkHttp 5.3.0 to 5.5.1, a request without the header, the usual case): no
 *       {@code Request} is made. The constructor only captures the caller's context, as an {@link OutgoingCall}
 *       kept in the call's own tags ({@code Call.tag(Class, Function0)}, new in 5.3); the header is forwarded and
 *       written where the request goes on the wire ({@link Http1ExchangeCodecInstrumentation},
 *       {@link Http2ExchangeCodecInstrumentation}), once per call: redirects, authentication and retries, which
 *       OkHttp derives from the call's request inside the call, carry the same value (SPEC 3). The header never
 *       becomes part of a {@code Request}: {@code call.request()}, interceptors, event listeners and
 *       {@code response.request()} do not show it. The call's state is kept under the agent's own key
 *       ({@link OutgoingCallKey}, one per OkHttp class loader, from {@code LibraryHelpers}), not under
 *       {@code OutgoingCall}'s Kotlin class: making that one initialises Kotlin's {@code ClassReference}, 6 to 35 ms
 *       of the first call of an application that does not use Kotlin classes as keys itself. Should the key not be
 *       made for a loader, the advice uses that Kotlin class there, always.
 *       {@code clone()} makes a new call whose value is forwarded from the original's: its own new {@code Self},
 *       the same {@code Root}.</li>
 * </ul>
 *
 * <p><b>Which OkHttp 5 versions are forwarded on the wire.</b> The HTTP/1.1 codec's advice writes the request line
 * and the trace header line to the socket itself and hands {@code Http1ExchangeCodec.writeRequest} an empty request
 * line, which works only as long as that method writes the request line, then {@code "\r\n"}, then the headers;
 * and both codecs' advice is matched by signature, so a codec changed in a later OkHttp could also take no advice
 * at all and the header would be lost. So the wire is used only on the versions whose codecs were checked:
 * {@value #FIRST_ON_THE_WIRE} (the first with call tags) to {@value #LAST_ON_THE_WIRE}, read from
 * {@code okhttp3.OkHttp.VERSION} when each call is made. Any other version with call tags (a later one, a
 * snapshot) is forwarded when the call is made, like 5.0 to 5.2. The decision is made here and only here: the codecs
 * act only on calls given an {@link OutgoingCall}, so the two cannot disagree, although the codec classes are
 * loaded, and woven, long after this class. (The agent's weaver shows a type instrumentation a class's method
 * signatures, not its code, and not the codec's class file when this class is woven; a check of
 * {@code writeRequest}'s code itself would need that.) To add a version: check that its
 * {@code Http1ExchangeCodec.writeRequest} still starts {@code sink.writeUtf8(requestLine).writeUtf8("\r\n")}
 * and that the codecs' advice still matches, run the module's tests against it, then move
 * {@link #LAST_ON_THE_WIRE}.
 */
public final class RealCallInstrumentation implements TypeInstrumentation {

    /**
     * The class of the key under which a call's state is kept in its tags, {@link OutgoingCallKey}, by name: the
     * advice, inlined into OkHttp's classes, cannot name the class itself (it is defined next to OkHttp's loader).
     */
    static final String OUTGOING_CALL_KEY = "io.albtrace.instrumentation.okhttp.OutgoingCallKey";

    /** The first OkHttp version forwarded on the wire: the first with call tags. */
    static final String FIRST_ON_THE_WIRE = "5.3.0";
    /** The last OkHttp version forwarded on the wire: the newest whose codecs were checked (see above). */
    static final String LAST_ON_THE_WIRE = "5.5.1";

    @Override
    public List<String> typeNames() {
        return Arrays.asList("okhttp3.RealCall", "okhttp3.internal.connection.RealCall");
    }

    @Override
    public void transform(AdviceTarget target) {
        // the call's run, on the caller's thread (execute) or the dispatcher's (enqueue): 3.14, and 4.x/5.x's
        // Kotlin-internal name
        MethodMatcher run = namedOneOf("getResponseWithInterceptorChain", "getResponseWithInterceptorChain$okhttp")
                .and(takesArguments(0));
        MethodMatcher constructor = isConstructor()
                .and(takesArguments(3))
                .and(takesArgument(0, named("okhttp3.OkHttpClient")))
                .and(takesArgument(1, named("okhttp3.Request")))
                .and(takesArgument(2, boolean.class));
        // OkHttp 5's call tags: tag(Class, Function0) and tag(KClass, Function0), backed by a field `tags`
        if (target.declares(named("tag").and(takesArguments(2)))) {
            target.applyAdvice(run, RealCallInstrumentation.class.getName() + "$TaggedCallHopAdvice");
            target.applyAdvice(constructor, RealCallInstrumentation.class.getName() + "$CaptureAdvice");
            // Call clone(), and the bridge Object clone() that calls it: the advice does its work once
            target.applyAdvice(named("clone").and(takesArguments(0)),
                    RealCallInstrumentation.class.getName() + "$CloneAdvice");
        } else {
            target.applyAdvice(run, RealCallInstrumentation.class.getName() + "$HopAdvice");
            target.applyAdvice(constructor, RealCallInstrumentation.class.getName() + "$ConstructorAdvice");
        }
    }

    /** OkHttp 3.14 and 4.x: replaces the call's request by one that carries exactly one, forwarded, trace header. */
    public static final class ConstructorAdvice {

        private ConstructorAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static void enter(@Advice.Argument(value = 1, readOnly = false) Request request) {
            // every copy, names matched case-insensitively; the first value counts (SPEC 2.1). It is the
            // application's: no interceptor, another agent's included, has run yet (OtherAgents)
            List<String> own = request.headers(TraceHeader.NAME);
            // the size rule is applied where all headers are known (ExchangeInstrumentation), so none counted here;
            // header() replaces every copy: exactly one leaves (SPEC 3)
            Request.Builder b = request.newBuilder()
                    .header(TraceHeader.NAME, own.isEmpty() ? Outgoing.header(null, 0)
                            : Outgoing.applicationHeader(own.get(0)));
            // the hop log's line (null when it is off), kept in the request's tags until the call runs (HopAdvice)
            OutgoingHop hop = OutgoingHop.of(Context.current(), request.method(), request.url());
            if (hop != null) {
                b.tag(OutgoingHop.class, hop);
            }
            request = b.build();
        }
    }

    /**
     * OkHttp 5.3+: a request without a trace header of its own is left as it is, and the caller's context is kept
     * with the call, in its tags, for the codecs' advice (the call is not yet visible to any other thread, so a
     * plain set is enough). A request with one is forwarded here, as {@link ConstructorAdvice} does: such a call
     * needs nothing more from the codecs, which leave any call whose request has the header alone. So is every
     * request on an OkHttp version outside {@value #FIRST_ON_THE_WIRE} to {@value #LAST_ON_THE_WIRE}, whose codecs
     * the agent does not know.
     */
    public static final class CaptureAdvice {

        private CaptureAdvice() {
        }

        /** True when the call is to be forwarded on the wire; false (also after a failure) when not. */
        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static boolean enter(@Advice.Argument(value = 1, readOnly = false) Request request) {
            Headers headers = request.headers();
            for (int i = 0, n = headers.size(); i < n; i++) {
                if (TraceHeader.NAME.equalsIgnoreCase(headers.name(i))) {
                    // the first copy counts (SPEC 2.1), the application's (no interceptor ran yet); header()
                    // replaces every copy: exactly one leaves (SPEC 3)
                    Request.Builder b = request.newBuilder()
                            .header(TraceHeader.NAME, Outgoing.applicationHeader(headers.value(i)));
                    OutgoingHop hop = OutgoingHop.of(Context.current(), request.method(), request.url());
                    if (hop != null) {
                        b.tag(OutgoingHop.class, hop); // the hop log's line, for HopAdvice
                    }
                    request = b.build();
                    return false;
                }
            }
            // "5.M.P" from FIRST_ON_THE_WIRE to LAST_ON_THE_WIRE, else forwarded here (for one-digit parts the order
            // of the strings is that of the versions; "5.5.1-SNAPSHOT", "5.10.0" are longer). Read as each call is
            // made: OkHttp 5's VERSION is a field, not a constant (VersionGateTest fails if it is compiled in here).
            String v = OkHttp.VERSION;
            if (v.length() == FIRST_ON_THE_WIRE.length() && v.charAt(3) == '.'
                    && v.compareTo(FIRST_ON_THE_WIRE) >= 0 && v.compareTo(LAST_ON_THE_WIRE) <= 0) {
                return true;
            }
            if (Log.debugEnabled()) {
                Log.warnOnce("okhttp-unchecked:" + v, "debug: okhttp " + v + " is not a version whose codecs were"
                        + " checked (" + FIRST_ON_THE_WIRE + " to " + LAST_ON_THE_WIRE + "): its calls are forwarded"
                        + " when they are made, as on 5.0 to 5.2");
            }
            Request.Builder b = request.newBuilder().header(TraceHeader.NAME, Outgoing.header(null, 0));
            OutgoingHop hop = OutgoingHop.of(Context.current(), request.method(), request.url());
            if (hop != null) {
                b.tag(OutgoingHop.class, hop); // the hop log's line, for HopAdvice
            }
            request = b.build();
            return false;
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Enter boolean onTheWire, @Advice.FieldValue("tags") AtomicReference<Tags> tags,
                @Advice.Argument(1) Request request) {
            if (onTheWire) {
                // the agent's own key (OutgoingCallKey); without it, OutgoingCall's Kotlin class, as the codecs do
                Object key = LibraryHelpers.instance(RealCall.class, OUTGOING_CALL_KEY);
                @SuppressWarnings("unchecked")
                KClass<OutgoingCall> kotlinClass = key != null ? (KClass<OutgoingCall>) key
                        : JvmClassMappingKt.getKotlinClass(OutgoingCall.class);
                OutgoingCall call = OutgoingCall.capture();
                // the hop log's line (null when it is off): its trace is the value the codec forwards
                call.hop(OutgoingHop.of(call.context(), request.method(), request.url()));
                tags.set(tags.get().plus(kotlinClass, call));
            }
        }
    }

    /**
     * OkHttp 5: {@code clone()} makes a new call whose value is forwarded from the original's (SPEC 3: its own
     * {@code Self}, the same {@code Root}), whatever header or context it would find itself; the clone's value is
     * fixed here, the original's too if it was not sent yet (it sends that same value later).
     */
    public static final class CloneAdvice {

        private CloneAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static String enter(@Advice.This Call call) {
            Object key = LibraryHelpers.instance(RealCall.class, OUTGOING_CALL_KEY);
            @SuppressWarnings("unchecked")
            OutgoingCall state = key != null ? call.tag((KClass<OutgoingCall>) key) : call.tag(OutgoingCall.class);
            if (state == null) {
                return null;
            }
            Headers headers = call.request().headers();
            String own = null;
            for (int i = 0, n = headers.size(); i < n; i++) {
                if (TraceHeader.NAME.equalsIgnoreCase(headers.name(i))) {
                    own = headers.value(i);
                    break;
                }
            }
            return state.forward(own);
        }

        @Advice.OnMethodExit(suppress = Throwable.class)
        public static void exit(@Advice.Enter String original, @Advice.Return Object clone) {
            if (original != null) {
                Object key = LibraryHelpers.instance(RealCall.class, OUTGOING_CALL_KEY);
                @SuppressWarnings("unchecked")
                OutgoingCall state = key != null ? ((Call) clone).tag((KClass<OutgoingCall>) key)
                        : ((Call) clone).tag(OutgoingCall.class);
                if (state != null) {
                    state.forward(original);
                }
            }
        }
    }

    /**
     * The hop log's {@code out} line (SPEC 8): the call's run through its interceptors, which makes the redirects,
     * authentication follow-ups and retries of the call inside it, on whatever thread runs it (the caller's for
     * {@code execute}, the dispatcher's for {@code enqueue}). Its line, made when the call was (with the caller's
     * context) and kept in the request's tags, starts here and finishes with the final response's status, or none
     * when the call failed. Nothing when the hop log is off (no line was made). OkHttp 3.14 and 4.x.
     */
    public static final class HopAdvice {

        private HopAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static OutgoingHop enter(@Advice.This Call call) {
            OutgoingHop hop = call.request().tag(OutgoingHop.class);
            if (hop != null) {
                hop.start();
            }
            return hop;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter OutgoingHop hop, @Advice.This Call call,
                @Advice.Return Response response) {
            if (hop != null) {
                hop.sent(call.request().header(TraceHeader.NAME)); // forwarded when the call was made
                hop.finish(response == null ? -1 : response.code());
            }
        }
    }

    /**
     * {@link HopAdvice} on OkHttp 5: the line is in the request's tags when the call was forwarded when it was made,
     * else (forwarded on the wire) with the call's {@link OutgoingCall}, whose value the codec forwarded is its
     * trace.
     */
    public static final class TaggedCallHopAdvice {

        private TaggedCallHopAdvice() {
        }

        @Advice.OnMethodEnter(suppress = Throwable.class)
        public static OutgoingHop enter(@Advice.This Call call) {
            Request request = call.request();
            OutgoingHop hop = request.tag(OutgoingHop.class);
            if (hop == null && request.header(TraceHeader.NAME) == null) {
                Object key = LibraryHelpers.instance(RealCall.class, OUTGOING_CALL_KEY);
                @SuppressWarnings("unchecked")
                OutgoingCall state = key != null ? call.tag((KClass<OutgoingCall>) key) : call.tag(OutgoingCall.class);
                hop = state == null ? null : state.hop();
            }
            if (hop != null) {
                hop.start();
            }
            return hop;
        }

        @Advice.OnMethodExit(onThrowable = Throwable.class, suppress = Throwable.class)
        public static void exit(@Advice.Enter OutgoingHop hop, @Advice.This Call call,
                @Advice.Return Response response) {
            if (hop != null) {
                hop.sent(call.request().header(TraceHeader.NAME)); // forwarded when the call was made, if it was
                hop.finish(response == null ? -1 : response.code());
            }
        }
    }
}
