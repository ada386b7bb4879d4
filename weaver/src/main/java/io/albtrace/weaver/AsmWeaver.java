package io.albtrace.weaver;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.MethodMatcher;

import io.albtrace.core.Config;
import io.albtrace.core.Log;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import net.bytebuddy.jar.asm.ClassReader;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.FieldVisitor;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;

/**
 * Applies advice to one class's bytes with ASM alone: the advice classes are read as class files
 * ({@link AdviceClass}) and their code inlined ({@link AdviceInliner}), the methods matched on the class file
 * ({@link MethodMatcher}). No Byte Buddy class beyond its copy of ASM is loaded (benchmarks/RESULTS.md has what that
 * saves). Unchanged methods are copied as they are. What it cannot do throws {@link Unsupported} and the caller
 * weaves the class with Byte Buddy ({@link ByteBuddyWeaver}) instead.
 */
final class AsmWeaver {

    /** Advice classes read so far, by binary name. */
    private static final Map<String, AdviceClass> ADVICE = new ConcurrentHashMap<>();

    private AsmWeaver() {
    }

    /**
     * The changed class file, or null to leave the class as it is; {@code quiet} as for {@link ByteBuddyWeaver}.
     *
     * @throws Unsupported when Byte Buddy must weave this class instead
     * @throws TooLarge when the woven class would be over a limit of the class file
     */
    static byte[] weave(String binaryName, byte[] bytes, ClassLoader loader, ClassLoader agentLoader,
            List<Installer.Target> targets, boolean quiet) {
        return weave(binaryName, bytes, loader, agentLoader, targets, quiet, UnaryOperator.identity());
    }

    /**
     * As above; what the weaver writes goes through {@code output} (given the class writer) first: the tests put
     * ASM's own checker there, which sees the order of the calls that the class file no longer shows.
     */
    static byte[] weave(String binaryName, byte[] bytes, ClassLoader loader, ClassLoader agentLoader,
            List<Installer.Target> targets, boolean quiet, UnaryOperator<ClassVisitor> output) {
        long started = System.nanoTime();
        ClassReader reader = new ClassReader(bytes);
        Shape shape = new Shape();
        reader.accept(shape, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        Collector collector = new Collector(binaryName, shape, agentLoader, quiet);
        for (Installer.Target target : targets) {
            collector.module = target.module.name();
            target.type.transform(collector);
        }
        if (collector.advice.isEmpty()) {
            return null;
        }
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, output.apply(writer)) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor visitor = super.visitMethod(access, name, descriptor, signature, exceptions);
                List<Applied> applied = collector.advice.get(name + descriptor);
                if (applied == null || visitor == null) {
                    return visitor;
                }
                // the first advice given is the outermost: its enter runs first, its exit last
                for (int i = 0; i < applied.size(); i++) {
                    Applied a = applied.get(i);
                    visitor = new AdviceInliner(visitor, shape.name, shape.version, access, name, descriptor,
                            a.advice, a.module, shape.fields);
                }
                return visitor;
            }
        }, ClassReader.EXPAND_FRAMES);
        byte[] changed = TooLarge.classFile(writer, binaryName);
        if (!quiet && Config.current().debug()) {
            Log.warn("debug: instrumented " + binaryName + " (" + collector.names + ") in "
                    + (loader == null ? "the bootstrap class loader" : loader.toString()) + ", "
                    + (System.nanoTime() - started) / 1000 + " us on " + Thread.currentThread().getName());
        }
        return changed;
    }

    /** The major version of a class file from the version ASM reports (the minor version in its upper 16 bits). */
    static int majorVersion(int asmVersion) {
        return asmVersion & 0xFFFF;
    }

    private static AdviceClass advice(String name, ClassLoader agentLoader) {
        AdviceClass advice = ADVICE.get(name);
        if (advice != null) {
            return advice;
        }
        byte[] bytes;
        try {
            bytes = Installer.ClassFiles.read(agentLoader, name);
        } catch (IOException e) {
            throw new Unsupported("advice class " + name + " could not be read: " + e);
        }
        if (bytes == null) {
            throw new Unsupported("advice class " + name + " not found");
        }
        advice = AdviceClass.read(name, bytes);
        ADVICE.put(name, advice);
        return advice;
    }

    /** The class's name, version, methods and fields, from one pass that skips all code. */
    private static final class Shape extends ClassVisitor {
        String name;
        /** The class file's major version ({@link #majorVersion}). */
        int version;
        /** Its methods but the static initializer. */
        final List<Member> methods = new ArrayList<>();
        /** Its fields, by name. */
        final Map<String, Member> fields = new HashMap<>();

        Shape() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                String[] interfaces) {
            this.name = name;
            this.version = majorVersion(version);
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            fields.put(name, new Member(access, name, descriptor));
            return null;
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                String[] exceptions) {
            if (!"<clinit>".equals(name)) {
                methods.add(new Member(access, name, descriptor));
            }
            return null;
        }
    }

    /** A field or method of the class being woven, as its class file declares it. */
    static final class Member {
        final int access;
        final String name;
        final String descriptor;

        Member(int access, String name, String descriptor) {
            this.access = access;
            this.name = name;
            this.descriptor = descriptor;
        }

        boolean isStatic() {
            return (access & Opcodes.ACC_STATIC) != 0;
        }

        /** Whether it is a method with code (not abstract, not native). */
        boolean hasCode() {
            return (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0;
        }
    }

    /** One advice class applied to one method. */
    private static final class Applied {
        final AdviceClass advice;
        final String module;

        Applied(AdviceClass advice, String module) {
            this.advice = advice;
            this.module = module;
        }
    }

    /** Gathers the advice a type's instrumentations ask for, per method. */
    private static final class Collector implements AdviceTarget {
        private final String binaryName;
        private final Shape shape;
        private final ClassLoader agentLoader;
        private final boolean quiet;
        final Map<String, List<Applied>> advice = new HashMap<>();
        String module;
        String names = "";

        Collector(String binaryName, Shape shape, ClassLoader agentLoader, boolean quiet) {
            this.binaryName = binaryName;
            this.shape = shape;
            this.agentLoader = agentLoader;
            this.quiet = quiet;
        }

        @Override
        public boolean declares(MethodMatcher methods) {
            for (Member method : shape.methods) {
                if (methods.matches(method.access, method.name, method.descriptor)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void applyAdvice(MethodMatcher methods, String adviceClassName) {
            if (!declares(methods)) {
                if (!quiet) {
                    Log.warnOnce("no-match:" + module + ":" + binaryName, module + ": " + binaryName
                            + " has no method this agent knows how to instrument (an unknown library version?);"
                            + " it is left unchanged");
                }
                return;
            }
            AdviceClass adviceClass = advice(adviceClassName, agentLoader);
            for (Member method : shape.methods) {
                if (!method.hasCode() || !methods.matches(method.access, method.name, method.descriptor)) {
                    continue;
                }
                // no lambda (computeIfAbsent): the first one made in a JVM costs milliseconds, and with an AOT cache
                // the first weave is in premain (the classes the cache loads before the agent are changed there)
                String key = method.name + method.descriptor;
                List<Applied> applied = advice.get(key);
                if (applied == null) {
                    applied = new ArrayList<>(1);
                    advice.put(key, applied);
                }
                applied.add(new Applied(adviceClass, module));
            }
            if (names.indexOf(module) < 0) {
                names = names.isEmpty() ? module : names + ", " + module;
            }
        }
    }
}
