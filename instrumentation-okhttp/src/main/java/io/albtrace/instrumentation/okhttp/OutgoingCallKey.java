package io.albtrace.instrumentation.okhttp;

import io.albtrace.core.LibraryHelpers;
import io.albtrace.core.OutgoingCall;
import java.lang.annotation.Annotation;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import kotlin.jvm.internal.ClassBasedDeclarationContainer;
import kotlin.reflect.KCallable;
import kotlin.reflect.KClass;
import kotlin.reflect.KFunction;
import kotlin.reflect.KType;
import kotlin.reflect.KTypeParameter;
import kotlin.reflect.KVisibility;

/**
 * The key under which a call's {@link OutgoingCall} is kept in its OkHttp 5.3+ tags ({@code Tags.plus(KClass, ...)},
 * {@code Call.tag(KClass)}), instead of {@code OutgoingCall.class}'s Kotlin class: making that one
 * ({@code JvmClassMappingKt.getKotlinClass}, a {@code ClassReference}) runs {@code ClassReference}'s class
 * initialiser the first time in a process, milliseconds on the first call's thread, which no OkHttp code path of the
 * application needs otherwise. One instance per OkHttp class loader, defined next to it by
 * {@link LibraryHelpers#instance} (never loaded by the agent's own class loader, which has no Kotlin).
 *
 * <p>The tags compare keys with {@code equals} (identity here, the only instance) and, for the key found, cast the
 * value with {@code JvmClassMappingKt.getJavaClass(key)}, which reads {@link #getJClass()}: the two things asked of
 * it. The rest of {@code KClass} answers as a class with no Kotlin metadata would, or not at all. The application
 * never sees it: {@code call.tag(OutgoingCall.class)} finds nothing.
 */
public final class OutgoingCallKey implements KClass<OutgoingCall>, ClassBasedDeclarationContainer {

    static {
        LibraryHelpers.created(new OutgoingCallKey());
    }

    private OutgoingCallKey() {
    }

    @Override
    public Class<?> getJClass() {
        return OutgoingCall.class;
    }

    @Override
    public String getSimpleName() {
        return "OutgoingCall";
    }

    @Override
    public String getQualifiedName() {
        return OutgoingCall.class.getName();
    }

    @Override
    public boolean isInstance(Object value) {
        return value instanceof OutgoingCall;
    }

    @Override
    public String toString() {
        return "albtrace's key for " + OutgoingCall.class.getName();
    }

    @Override
    public Collection<KCallable<?>> getMembers() {
        return Collections.emptyList();
    }

    @Override
    public Collection<KFunction<OutgoingCall>> getConstructors() {
        return Collections.emptyList();
    }

    @Override
    public Collection<KClass<?>> getNestedClasses() {
        return Collections.emptyList();
    }

    @Override
    public OutgoingCall getObjectInstance() {
        return null;
    }

    @Override
    public List<KTypeParameter> getTypeParameters() {
        return Collections.emptyList();
    }

    @Override
    public List<KType> getSupertypes() {
        return Collections.emptyList();
    }

    @Override
    public List<KClass<? extends OutgoingCall>> getSealedSubclasses() {
        return Collections.emptyList();
    }

    @Override
    public List<Annotation> getAnnotations() {
        return Collections.emptyList();
    }

    @Override
    public KVisibility getVisibility() {
        return null;
    }

    @Override
    public boolean isFinal() {
        return true;
    }

    @Override
    public boolean isOpen() {
        return false;
    }

    @Override
    public boolean isAbstract() {
        return false;
    }

    @Override
    public boolean isSealed() {
        return false;
    }

    @Override
    public boolean isData() {
        return false;
    }

    @Override
    public boolean isInner() {
        return false;
    }

    @Override
    public boolean isCompanion() {
        return false;
    }

    @Override
    public boolean isFun() {
        return false;
    }

    @Override
    public boolean isValue() {
        return false;
    }
}
