package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.MethodMatcher;
import io.albtrace.instrumentation.api.Methods;

import io.albtrace.instrumentation.testing.AsmBridge;
import io.albtrace.instrumentation.testing.ClassHierarchy;
import io.albtrace.instrumentation.testing.SweepAdvice;
import io.albtrace.instrumentation.testing.VerifyWoven;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import net.bytebuddy.jar.asm.ClassVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.jar.asm.Type;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.tree.ClassNode;
import org.objectweb.asm.tree.MethodNode;
import org.objectweb.asm.tree.analysis.Analyzer;
import org.objectweb.asm.tree.analysis.AnalyzerException;
import org.objectweb.asm.tree.analysis.BasicValue;
import org.objectweb.asm.util.CheckClassAdapter;

/**
 * The weaver sweep: every method of every class that instrumentation modules target, as the class path (a library
 * version) and the running JDK have them, woven by {@link AsmWeaver} with each generic advice of
 * {@link SweepAdvice} where it applies, then checked three ways:
 * <ol>
 * <li>while it is written, by ASM's {@link CheckClassAdapter} (the order of the weaver's calls, labels, frames,
 * and a data-flow analysis of each method);</li>
 * <li>once written, by ASM's {@link Analyzer} with a {@code SimpleVerifier} that knows the class hierarchy from the
 * class files ({@link ClassHierarchy}), which checks every instruction's types;</li>
 * <li>by the JVM's own verifier: the classes woven with all the advice at once are loaded in a forked JVM
 * ({@link VerifyWoven}) that verifies every class, the JDK's own included
 * ({@code -XX:+BytecodeVerificationLocal}, which the JVM otherwise skips for them).</li>
 * </ol>
 * A class of the JDK is woven twice: as its class file is, and without its stack map frames, as a JVM that does not
 * verify the JDK's classes (every JVM by default) hands a class it loaded itself to retransformation.
 *
 * <p>Each instrumentation module's tests run it ({@code WeaverSweepTest}) in every test execution they have, so it
 * covers every library version and both JDKs the build tests.
 */
public final class WeaverSweep {

    private static final String ADVICE = SweepAdvice.class.getName() + "$";

    /** The generic advice, each with the methods it applies to (where Byte Buddy's {@code Advice} allows it). */
    enum Kind {
        PLAIN("Plain", Where.EVERY_METHOD),
        ENTER_VALUE("EnterValue", Where.EVERY_METHOD),
        THIS("This", Where.INSTANCE_METHODS),
        CONSTRUCTED_THIS("ConstructedThis", Where.CONSTRUCTORS),
        ALL_ARGUMENTS("AllArguments", Where.EVERY_METHOD),
        REFERENCE_ARGUMENT("ReferenceArgument", Where.FIRST_ARGUMENT_REFERENCE),
        INT_ARGUMENT("IntArgument", Where.FIRST_ARGUMENT_INT),
        LONG_ARGUMENT("LongArgument", Where.FIRST_ARGUMENT_LONG),
        REFERENCE_RETURN("ReferenceReturn", Where.RETURNS_REFERENCE),
        INT_RETURN("IntReturn", Where.RETURNS_INT),
        LONG_RETURN("LongReturn", Where.RETURNS_LONG),
        ON_THROWABLE("OnThrowable", Where.NOT_CONSTRUCTORS),
        LOCAL("Local", Where.EVERY_METHOD);

        final String advice;
        final Where where;

        Kind(String advice, Where where) {
            this.advice = ADVICE + advice;
            this.where = where;
        }
    }

    /** Which methods an advice applies to, by their access flags, name and descriptor. */
    enum Where {
        EVERY_METHOD, INSTANCE_METHODS, CONSTRUCTORS, NOT_CONSTRUCTORS, FIRST_ARGUMENT_REFERENCE, FIRST_ARGUMENT_INT,
        FIRST_ARGUMENT_LONG, RETURNS_REFERENCE, RETURNS_INT, RETURNS_LONG;

        boolean matches(int access, String name, String descriptor) {
            boolean constructor = "<init>".equals(name);
            Type[] arguments = Type.getArgumentTypes(descriptor);
            int first = arguments.length == 0 ? Type.VOID : arguments[0].getSort();
            int returned = Type.getReturnType(descriptor).getSort();
            switch (this) {
                case EVERY_METHOD: return true;
                case INSTANCE_METHODS: return (access & Opcodes.ACC_STATIC) == 0 && !constructor;
                case CONSTRUCTORS: return constructor;
                case NOT_CONSTRUCTORS: return !constructor;
                case FIRST_ARGUMENT_REFERENCE: return first == Type.OBJECT || first == Type.ARRAY;
                case FIRST_ARGUMENT_INT: return first == Type.INT;
                case FIRST_ARGUMENT_LONG: return first == Type.LONG;
                case RETURNS_REFERENCE: return returned == Type.OBJECT || returned == Type.ARRAY;
                case RETURNS_INT: return returned == Type.INT;
                case RETURNS_LONG: return returned == Type.LONG;
                default: throw new AssertionError(this);
            }
        }

        MethodMatcher matcher() {
            Where where = this;
            return new MethodMatcher() {
                @Override
                public boolean matches(int access, String name, String descriptor) {
                    return where.matches(access, name, descriptor);
                }

                @Override
                public String toString() {
                    return where.name();
                }
            };
        }
    }

    private WeaverSweep() {
    }

    /** What a sweep found. */
    public static final class Result {
        /** Target classes found, by binary name, with where each came from. */
        public final Map<String, String> classes = new TreeMap<>();
        /** Target classes that this class path or JDK does not have. */
        public final Set<String> absent = new LinkedHashSet<>();
        /** Methods woven, counted once per class variant (all kinds at once). */
        public int methods;
        /** Weaves done (a class variant with one kind, or all at once). */
        public int weaves;
        /** What the ASM weaver refused (Byte Buddy weaves those), one line each. */
        public final List<String> unsupported = new ArrayList<>();
        /** Classes the weaver or a check failed on, one line each: must be empty. */
        public final List<String> failures = new ArrayList<>();
        /** Classes woven with all advice at once, handed to the forked JVM, and how many of them it verified. */
        public int forForkedJvm;
        public int verifiedInFork;
        /** Milliseconds: weaving and ASM's checks, and the forked JVM. */
        public long weaveMillis;
        public long forkMillis;

        /** Everything that is not as it must be: failures, what was left to Byte Buddy, classes not verified. */
        public List<String> problems() {
            List<String> problems = new ArrayList<>(failures);
            problems.addAll(unsupported);
            if (verifiedInFork != forForkedJvm) {
                problems.add("the forked JVM verified " + verifiedInFork + " of " + forForkedJvm + " classes");
            }
            return problems;
        }

        @Override
        public String toString() {
            return "weaver sweep on Java " + Runtime.version().feature() + ": " + classes.size() + " classes ("
                    + absent.size() + " absent here), " + methods + " methods, " + weaves + " weaves in "
                    + weaveMillis + " ms; " + verifiedInFork + " classes verified by a forked JVM in " + forkMillis
                    + " ms; " + unsupported.size() + " left to Byte Buddy, " + failures.size() + " failures";
        }
    }

    /**
     * Sweeps the classes {@code modules} target, read through {@code loader} (the test's class path and, for the
     * JDK's own, the running JDK), and verifies the results in a forked JVM whose class path is {@code classPath}.
     */
    public static Result sweep(List<? extends InstrumentationModule> modules, ClassLoader loader, String classPath) {
        Result result = new Result();
        ClassHierarchy hierarchy = new ClassHierarchy(loader);
        Path forkInput;
        try {
            forkInput = Files.createTempDirectory(Paths.get("target"), "weaver-sweep");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long started = System.nanoTime();
        Set<String> names = new LinkedHashSet<>();
        for (InstrumentationModule module : modules) {
            names.addAll(module.typeNames());
        }
        for (String name : names) {
            URL source = loader.getResource(name.replace('.', '/') + ".class");
            byte[] bytes = read(loader, name);
            if (source == null || bytes == null) {
                result.absent.add(name);
                continue;
            }
            boolean jdk = "jrt".equals(source.getProtocol());
            result.classes.put(name, jdk ? "the JDK" : source.getPath().replaceAll("!/.*", ""));
            sweepClass(name, bytes, jdk ? VerifyWoven.JDK : VerifyWoven.LIBRARY, loader, hierarchy, forkInput,
                    result);
            if (jdk) {
                sweepClass(name, withoutFrames(bytes), VerifyWoven.JDK_WITHOUT_FRAMES, loader, hierarchy,
                        forkInput, result);
            }
        }
        result.weaveMillis = (System.nanoTime() - started) / 1_000_000;
        if (!hierarchy.missing().isEmpty()) {
            result.failures.add("class files not found for the analysis: " + hierarchy.missing());
        }
        started = System.nanoTime();
        VerifyWoven.Outcome outcome = VerifyWoven.fork(forkInput, classPath);
        result.forkMillis = (System.nanoTime() - started) / 1_000_000;
        result.verifiedInFork = outcome.verified;
        result.failures.addAll(outcome.failures);
        return result;
    }

    private static void sweepClass(String name, byte[] bytes, String variant, ClassLoader loader,
            ClassHierarchy hierarchy, Path forkInput, Result result) {
        String what = name + " (" + variant + ")";
        for (Kind kind : Kind.values()) {
            weave(what, name, bytes, Collections.singletonList(kind), loader, hierarchy, result);
        }
        byte[] all = weave(what, name, bytes, List.of(Kind.values()), loader, hierarchy, result);
        if (all != null) {
            result.methods += changedMethods(bytes);
            byte[] forFork = VerifyWoven.JDK_WITHOUT_FRAMES.equals(variant) ? withFrames(all, hierarchy) : all;
            try {
                Path dir = Files.createDirectories(forkInput.resolve(variant));
                Files.write(dir.resolve(name + ".class"), forFork);
                result.forForkedJvm++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Weaves one class with these kinds of advice and checks the result; null when that failed or was refused. */
    private static byte[] weave(String what, String name, byte[] bytes, List<Kind> kinds, ClassLoader loader,
            ClassHierarchy hierarchy, Result result) {
        result.weaves++;
        String label = what + " with " + (kinds.size() == 1 ? kinds.get(0).name() : "all advice");
        byte[] woven;
        try {
            // ASM's checker, fed as the weaver writes; CheckClassAdapter analyses each method's data flow at its end
            UnaryOperator<ClassVisitor> checked = writer -> AsmBridge.tee(writer, new CheckClassAdapter(null, true));
            woven = AsmWeaver.weave(name, bytes, null, loader, targets(kinds), true, checked);
        } catch (Unsupported e) {
            result.unsupported.add(label + ": " + e.getMessage());
            return null;
        } catch (RuntimeException e) {
            result.failures.add(label + ": " + e);
            return null;
        }
        if (woven == null) {
            // no method of this class is one this advice applies to
            result.weaves--;
            return null;
        }
        String problem = analyze(woven, hierarchy);
        if (problem != null) {
            result.failures.add(label + ": " + problem);
            return null;
        }
        return woven;
    }

    static List<Installer.Target> targets(List<Kind> kinds) {
        TypeInstrumentation type = new TypeInstrumentation() {
            @Override
            public List<String> typeNames() {
                return Collections.emptyList();
            }

            @Override
            public void transform(AdviceTarget target) {
                for (Kind kind : kinds) {
                    MethodMatcher where = kind.where.matcher();
                    if (target.declares(where)) {
                        target.applyAdvice(where, kind.advice);
                    }
                }
            }
        };
        InstrumentationModule module = new InstrumentationModule("weaver-sweep") {
            @Override
            public List<TypeInstrumentation> typeInstrumentations() {
                return Collections.singletonList(type);
            }
        };
        return Collections.singletonList(new Installer.Target(module, type));
    }

    /** Every method's types, instruction by instruction; null when they are sound, else what is wrong where. */
    static String analyze(byte[] woven, ClassHierarchy hierarchy) {
        ClassNode node = new ClassNode();
        new ClassReader(woven).accept(node, ClassReader.SKIP_DEBUG);
        for (MethodNode method : node.methods) {
            if (method.instructions.size() == 0) {
                continue;
            }
            try {
                new Analyzer<BasicValue>(hierarchy.verifier(node.name)).analyze(node.name, method);
            } catch (AnalyzerException e) {
                return method.name + method.desc + ": " + e.getMessage();
            }
        }
        return null;
    }

    /** Methods with code, the ones the weaver changes. */
    private static int changedMethods(byte[] bytes) {
        ClassNode node = new ClassNode();
        new ClassReader(bytes).accept(node, ClassReader.SKIP_CODE);
        int count = 0;
        for (MethodNode method : node.methods) {
            if ((method.access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0 && !"<clinit>".equals(method.name)) {
                count++;
            }
        }
        return count;
    }

    /** The class file without its stack map frames, as a JVM that did not verify the class gives it back. */
    static byte[] withoutFrames(byte[] bytes) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(bytes).accept(writer, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }

    /** The class file with its frames computed anew (the woven frameless variant, for the JVM to verify it). */
    static byte[] withFrames(byte[] bytes, ClassHierarchy hierarchy) {
        ClassWriter writer = hierarchy.frameComputingWriter();
        new ClassReader(bytes).accept(writer, ClassReader.SKIP_FRAMES);
        return writer.toByteArray();
    }

    private static byte[] read(ClassLoader loader, String name) {
        try {
            return Installer.ClassFiles.read(loader, name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
