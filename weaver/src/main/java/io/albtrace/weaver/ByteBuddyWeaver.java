package io.albtrace.weaver;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.MethodMatcher;

import io.albtrace.core.Config;
import io.albtrace.core.Log;
import java.util.List;
import net.bytebuddy.ClassFileVersion;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.asm.AsmVisitorWrapper;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.ClassFileLocator;
import net.bytebuddy.dynamic.scaffold.TypeInitializer;
import net.bytebuddy.implementation.Implementation;
import net.bytebuddy.implementation.auxiliary.AuxiliaryType;
import net.bytebuddy.implementation.bytecode.StackManipulation;
import net.bytebuddy.implementation.bytecode.constant.TextConstant;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.pool.TypePool;

/**
 * Applies advice to one class's bytes with Byte Buddy's {@link Advice} as an ASM visitor over the class as it
 * is: no members are added, so the same code serves first loads and retransformation. The fallback of
 * {@link AsmWeaver}, for what it cannot do, and the weaver when {@code albtrace.weaver=bytebuddy}; this class, and
 * with it Byte Buddy, is loaded only then.
 */
final class ByteBuddyWeaver {

    private static final AuxiliaryType.NamingStrategy NAMING = new AuxiliaryType.NamingStrategy.Suffixing("albtrace");

    private static final MethodDescription ADVICE_FAILED;

    static {
        try {
            ADVICE_FAILED = new MethodDescription.ForLoadedMethod(
                    Log.class.getMethod("adviceFailed", Throwable.class, String.class));
        } catch (NoSuchMethodException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private ByteBuddyWeaver() {
    }

    /**
     * The changed class file, or null to leave the class as it is. {@code quiet}: say nothing (the warm-up's
     * weave, whose result is thrown away, must not use up the warnings said once).
     */
    static byte[] weave(String binaryName, byte[] bytes, ClassLoader loader, ClassLoader agentLoader,
            List<Installer.Target> targets, boolean quiet) {
        ClassFileLocator locator = new ClassFileLocator.Compound(
                ClassFileLocator.Simple.of(binaryName, bytes),
                ClassFileLocator.ForClassLoader.of(loader),
                ClassFileLocator.ForClassLoader.of(agentLoader));
        TypePool pool = new TypePool.Default.WithLazyResolution(new TypePool.CacheProvider.Simple(), locator,
                TypePool.Default.ReaderMode.FAST);
        TypeDescription type = pool.describe(binaryName).resolve();
        Collector collector = new Collector(type, pool, locator, quiet);
        for (Installer.Target target : targets) {
            collector.module = target.module.name();
            target.type.transform(collector);
        }
        if (collector.applied == 0) {
            return null;
        }
        byte[] changed = apply(collector.visitor, type, pool, bytes);
        if (!quiet && Config.current().debug()) {
            Log.warn("debug: instrumented " + binaryName + " (" + collector.names + ") in "
                    + (loader == null ? "the bootstrap class loader" : loader.toString()));
        }
        return changed;
    }

    /**
     * Runs the class file through the advice visitors with ASM directly: the same result as Byte Buddy's
     * {@code decorate(...).visit(...)}, without the type-builder machinery (fewer classes loaded at start-up).
     */
    private static byte[] apply(AsmVisitorWrapper wrapper, TypeDescription type, TypePool pool, byte[] bytes) {
        int readerFlags = wrapper.mergeReader(0);
        int writerFlags = wrapper.mergeWriter(0);
        ClassReader reader = new ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, writerFlags);
        ClassFileVersion version = ClassFileVersion.ofClassFile(bytes);
        Implementation.Context.ExtractableView context = Implementation.Context.Disabled.Factory.INSTANCE.make(type,
                NAMING, TypeInitializer.None.INSTANCE, version, version, Implementation.Context.FrameGeneration.DISABLED);
        ClassVisitor visitor = wrapper.wrap(type, writer, context, pool, type.getDeclaredFields(),
                type.getDeclaredMethods(), writerFlags, readerFlags);
        reader.accept(visitor, readerFlags);
        return TooLarge.classFile(writer, type.getName());
    }

    /** Gathers the advice a type's instrumentations ask for. */
    private static final class Collector implements AdviceTarget {
        private final TypeDescription type;
        private final TypePool pool;
        private final ClassFileLocator locator;
        private final boolean quiet;
        String module;
        String names = "";
        int applied;
        AsmVisitorWrapper.ForDeclaredMethods visitor = new AsmVisitorWrapper.ForDeclaredMethods();

        Collector(TypeDescription type, TypePool pool, ClassFileLocator locator, boolean quiet) {
            this.type = type;
            this.pool = pool;
            this.locator = locator;
            this.quiet = quiet;
        }

        @Override
        public boolean declares(MethodMatcher methods) {
            return !type.getDeclaredMethods().filter(matcher(methods)).isEmpty();
        }

        /** The same methods, as Byte Buddy matches them. */
        private static ElementMatcher<MethodDescription> matcher(MethodMatcher methods) {
            return method -> !method.isTypeInitializer()
                    && methods.matches(method.getModifiers(), method.getInternalName(), method.getDescriptor());
        }

        @Override
        public void applyAdvice(MethodMatcher methods, String adviceClassName) {
            if (!declares(methods)) {
                if (quiet) {
                    return;
                }
                Log.warnOnce("no-match:" + module + ":" + type.getName(), module + ": " + type.getName()
                        + " has no method this agent knows how to instrument (an unknown library version?);"
                        + " it is left unchanged");
                return;
            }
            StackManipulation onFailure = new StackManipulation.Compound(
                    new TextConstant(module), MethodInvocation.invoke(ADVICE_FAILED));
            Advice advice = Advice.to(pool.describe(adviceClassName).resolve(), locator)
                    .withExceptionHandler(onFailure);
            visitor = visitor.invokable(matcher(methods), advice);
            applied++;
            if (names.indexOf(module) < 0) {
                names = names.isEmpty() ? module : names + ", " + module;
            }
        }
    }
}
