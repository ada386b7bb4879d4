package io.albtrace.core;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * The context a servlet request keeps for itself, read through its {@code AsyncContext} (either servlet API,
 * {@code javax.servlet} or {@code jakarta.servlet}, found by method name): the servlet entry keeps each request's
 * context in the request attribute {@value #ATTRIBUTE} at its first pass, so that a task given to
 * {@code AsyncContext.start} from a thread that has no context (the application's own) still runs with its
 * request's context. The methods are found once per container class, by reflection, and called through method
 * handles; only that rare call (a start from a thread with no context) pays for it.
 */
public final class AsyncContexts {

    /** The request attribute in which the servlet entry keeps the request's context. */
    public static final String ATTRIBUTE = "io.albtrace.context";
    /**
     * The request attribute in which the servlet entry keeps, while the request is asynchronous, what the threads
     * started from its handler last for ({@link ServerEntry#keepForAsync}).
     */
    public static final String KEPT = "io.albtrace.kept";

    /** Orders {@link #keepForAsync} and {@link #completed}; held for two attribute reads or writes at most. */
    private static final Object LOCK = new Object();
    /** The value of {@value #KEPT} once the request completed: nothing is kept for it after that. */
    private static final String COMPLETE = "complete";
    private static final MethodType GETTER = MethodType.methodType(Object.class, Object.class);
    private static final MethodType TEST = MethodType.methodType(boolean.class, Object.class);
    private static final MethodType ATTRIBUTE_SETTER = MethodType.methodType(void.class, Object.class, String.class,
            Object.class);
    private static final MethodType ATTRIBUTE_GETTER = MethodType.methodType(Object.class, Object.class, String.class);

    /** {@code getRequest()} of an {@code AsyncContext} class, or null where it has none. */
    private static final ClassValue<MethodHandle> GET_REQUEST = new ClassValue<MethodHandle>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            return handle(type, "getRequest", GETTER);
        }
    };

    /** {@code getAttribute(String)} of a request class, or null where it has none. */
    private static final ClassValue<MethodHandle> GET_ATTRIBUTE = new ClassValue<MethodHandle>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            return handle(type, "getAttribute", ATTRIBUTE_GETTER, String.class);
        }
    };

    /** {@code isAsyncStarted()} of a request class, or null. */
    private static final ClassValue<MethodHandle> IS_ASYNC_STARTED = new ClassValue<MethodHandle>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            return handle(type, "isAsyncStarted", TEST);
        }
    };

    /** {@code setAttribute(String, Object)} of a request class, or null. */
    private static final ClassValue<MethodHandle> SET_ATTRIBUTE = new ClassValue<MethodHandle>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            return handle(type, "setAttribute", ATTRIBUTE_SETTER, String.class, Object.class);
        }
    };

    private AsyncContexts() {
    }

    /** The context kept by the request of {@code asyncContext}, or null (none kept, or not a servlet's). */
    public static String requestContext(Object asyncContext) {
        Object context = attribute(asyncContext, ATTRIBUTE);
        return context instanceof String ? (String) context : null;
    }

    /**
     * The servlet entry's exit, where the handler started threads that inherited the request's context: when the
     * request goes on asynchronously ({@code request.isAsyncStarted()}), they keep it until it completes
     * ({@link #completed}) or is dispatched again ({@link #redispatched}), not just until the handler returns.
     * Whichever of this and {@code complete()} (on another thread) comes second ends it: the two agree under one
     * lock (not the request's: the container may hand the entry and the {@code AsyncContext} different objects for
     * one request), through the attribute {@value #KEPT}. Never throws.
     */
    public static void keepForAsync(Object request, ServerEntry entry) {
        try {
            MethodHandle isAsyncStarted = IS_ASYNC_STARTED.get(request.getClass());
            MethodHandle getAttribute = GET_ATTRIBUTE.get(request.getClass());
            MethodHandle setAttribute = SET_ATTRIBUTE.get(request.getClass());
            if (isAsyncStarted == null || getAttribute == null || setAttribute == null) {
                return;
            }
            synchronized (LOCK) {
                if ((boolean) isAsyncStarted.invokeExact(request)
                        && (Object) getAttribute.invokeExact(request, KEPT) != COMPLETE) {
                    setAttribute.invokeExact(request, KEPT, entry.keepForAsync());
                }
            }
        } catch (Throwable e) {
            Log.warnOnce("servlet-entry-async", "could not keep the context for the threads of an asynchronous"
                    + " request (said once); they lose it when the servlet returns: " + e.getClass().getName());
        }
    }

    /**
     * {@code AsyncContext.complete()}: the request is over, so the threads its handler started lose its context
     * (SPEC 5.5), where the entry kept it for them ({@link #keepForAsync}). Never throws.
     */
    public static void completed(Object asyncContext) {
        try {
            Object request = request(asyncContext);
            if (request == null) {
                return;
            }
            MethodHandle getAttribute = GET_ATTRIBUTE.get(request.getClass());
            MethodHandle setAttribute = SET_ATTRIBUTE.get(request.getClass());
            if (getAttribute == null || setAttribute == null) {
                return;
            }
            Object kept;
            synchronized (LOCK) {
                kept = (Object) getAttribute.invokeExact(request, KEPT);
                setAttribute.invokeExact(request, KEPT, (Object) COMPLETE);
            }
            Context.endKept(kept);
        } catch (Throwable e) {
            Log.warnOnce("async-context-complete", "could not end the context of an asynchronous request's threads"
                    + " (said once); they keep it until they end: " + e.getClass().getName());
        }
    }

    /**
     * A later pass of an asynchronous request (a {@code dispatch}) enters: what its earlier pass kept for its
     * threads ends now. {@code kept} is the attribute {@value #KEPT} the entry read. Never throws.
     */
    public static void redispatched(Object kept) {
        if (kept != COMPLETE) {
            Context.endKept(kept);
        }
    }

    /** {@code getAsyncContext()} of a request class, or null. */
    private static final ClassValue<MethodHandle> GET_ASYNC_CONTEXT = new ClassValue<MethodHandle>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            return handle(type, "getAsyncContext", GETTER);
        }
    };

    /** {@code getStatus()} of a response class, or null. */
    private static final ClassValue<MethodHandle> GET_STATUS = new ClassValue<MethodHandle>() {
        @Override
        protected MethodHandle computeValue(Class<?> type) {
            return handle(type, "getStatus", MethodType.methodType(int.class, Object.class));
        }
    };

    /** {@code addListener(AsyncListener)} of an {@code AsyncContext} class, or null. */
    private static final ClassValue<Method> ADD_LISTENER = new ClassValue<Method>() {
        @Override
        protected Method computeValue(Class<?> type) {
            for (Class<?> c = type; c != null; c = c.getSuperclass()) {
                for (Class<?> i : c.getInterfaces()) {
                    if (Modifier.isPublic(i.getModifiers()) && i.getName().endsWith(".servlet.AsyncContext")) {
                        for (Method m : i.getMethods()) {
                            if (m.getName().equals("addListener") && m.getParameterCount() == 1
                                    && m.getParameterTypes()[0].isInterface()) {
                                return m;
                            }
                        }
                    }
                }
            }
            return null;
        }
    };

    /**
     * The servlet entry's exit, for a request that went asynchronous: its hop log line ({@link ServerEntry#finish})
     * is made when it completes, whether by {@code AsyncContext.complete()}, after a {@code dispatch}, or by the
     * container at a time-out or an error, with the response's status then. An {@code AsyncListener} (a proxy of the
     * container's own interface, in its class loader) is added to the request's {@code AsyncContext}; it adds itself
     * again when the request starts another asynchronous cycle, as the API requires. Where it cannot be added (the
     * request completed already), the line is made now, with the status now. Never throws.
     */
    public static void finishWhenComplete(Object request, ServerEntry entry) {
        Object asyncContext = null;
        try {
            MethodHandle getAsyncContext = GET_ASYNC_CONTEXT.get(request.getClass());
            asyncContext = getAsyncContext == null ? null : (Object) getAsyncContext.invokeExact(request);
            Method add = asyncContext == null ? null : ADD_LISTENER.get(asyncContext.getClass());
            if (add != null) {
                Class<?> listenerType = add.getParameterTypes()[0];
                Object listener = java.lang.reflect.Proxy.newProxyInstance(listenerType.getClassLoader(),
                        new Class<?>[] {listenerType}, new HopListener(entry, add));
                add.invoke(asyncContext, listener);
                return;
            }
        } catch (Throwable e) {
            // below: the line now
        }
        entry.finish(status(responseOf(asyncContext)));
    }

    /** The response of an {@code AsyncContext} or {@code AsyncEvent} ({@code getSuppliedResponse}), or null. */
    private static Object responseOf(Object asyncContextOrEvent) {
        if (asyncContextOrEvent == null) {
            return null;
        }
        try {
            for (String name : new String[] {"getSuppliedResponse", "getResponse"}) {
                Method m = publicMethod(asyncContextOrEvent.getClass(), name);
                Object response = m == null ? null : m.invoke(asyncContextOrEvent);
                if (response != null) {
                    return response;
                }
            }
        } catch (Throwable e) {
            // none
        }
        return null;
    }

    /** The status of a servlet response, or -1. */
    private static int status(Object response) {
        try {
            MethodHandle getStatus = response == null ? null : GET_STATUS.get(response.getClass());
            return getStatus == null ? -1 : (int) getStatus.invokeExact(response);
        } catch (Throwable e) {
            return -1;
        }
    }

    private static Method publicMethod(Class<?> type, String name) {
        try {
            Method m = type.getMethod(name);
            return Modifier.isPublic(m.getDeclaringClass().getModifiers()) ? m : fromInterfaces(type, name);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    /** The {@code AsyncListener} that makes an asynchronous request's hop log line when it completes. */
    static final class HopListener implements java.lang.reflect.InvocationHandler {
        private final ServerEntry entry;
        private final Method add;

        HopListener(ServerEntry entry, Method add) {
            this.entry = entry;
            this.add = add;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) {
            try {
                switch (method.getName()) {
                    case "onComplete":
                        entry.finish(status(responseOf(args[0])));
                        return null;
                    case "onStartAsync":
                        // a new asynchronous cycle (a dispatch that went asynchronous again): listen to it too
                        Method getAsyncContext = publicMethod(args[0].getClass(), "getAsyncContext");
                        Object next = getAsyncContext == null ? null : getAsyncContext.invoke(args[0]);
                        if (next != null) {
                            add.invoke(next, proxy);
                        }
                        return null;
                    case "equals":
                        return proxy == args[0];
                    case "hashCode":
                        return System.identityHashCode(proxy);
                    case "toString":
                        return "albtrace hop log listener";
                    default:
                        return null; // onTimeout, onError: onComplete follows
                }
            } catch (Throwable e) {
                Log.adviceFailed(e, "hoplog");
                return method.getReturnType() == boolean.class ? Boolean.FALSE
                        : method.getReturnType() == int.class ? 0 : null;
            }
        }
    }

    /** An attribute of the request of {@code asyncContext}, or null. */
    private static Object attribute(Object asyncContext, String name) {
        try {
            Object request = request(asyncContext);
            MethodHandle getAttribute = request == null ? null : GET_ATTRIBUTE.get(request.getClass());
            return getAttribute == null ? null : (Object) getAttribute.invokeExact(request, name);
        } catch (Throwable e) {
            Log.warnOnce("async-context-request", "could not read the request of an AsyncContext (said once): "
                    + e.getClass().getName());
            return null;
        }
    }

    private static Object request(Object asyncContext) throws Throwable {
        if (asyncContext == null) {
            return null;
        }
        MethodHandle getRequest = GET_REQUEST.get(asyncContext.getClass());
        return getRequest == null ? null : (Object) getRequest.invokeExact(asyncContext);
    }

    /** A public method {@code name} of {@code type}, declared by a public class or interface, as a handle. */
    private static MethodHandle handle(Class<?> type, String name, MethodType as, Class<?>... parameters) {
        try {
            Method method = type.getMethod(name, parameters);
            if (!Modifier.isPublic(method.getDeclaringClass().getModifiers())) {
                method = fromInterfaces(type, name, parameters);
            }
            return method == null ? null : MethodHandles.publicLookup().unreflect(method).asType(as);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static Method fromInterfaces(Class<?> type, String name, Class<?>... parameters) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                if (Modifier.isPublic(i.getModifiers())) {
                    try {
                        return i.getMethod(name, parameters);
                    } catch (NoSuchMethodException e) {
                        // the next
                    }
                }
            }
        }
        return null;
    }
}
