package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.instrumentation.testing.ClassHierarchy;
import io.albtrace.instrumentation.testing.VerifyWoven;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The sweep itself: over this module's fixtures and the JDK classes the executors instrumentation targets, and its
 * checks shown to catch a class the JVM rejects (so that a sweep that passes means something).
 */
class WeaverSweepTest {

    private static final String FIXTURES = "io.albtrace.weaver.fixtures.";

    /** The fixtures, and two of the JDK's classes: each swept as a real module's targets are. */
    private static final InstrumentationModule TARGETS = new InstrumentationModule("sweep-fixtures") {
        @Override
        public List<TypeInstrumentation> typeInstrumentations() {
            return Collections.emptyList();
        }

        @Override
        public List<String> typeNames() {
            return List.of(FIXTURES + "WeaveSubject", FIXTURES + "Greeter", FIXTURES + "Counter", FIXTURES + "Echo",
                    "java.util.concurrent.ThreadPoolExecutor", "java.util.concurrent.FutureTask");
        }
    };

    @Test
    void sweepsTheFixturesAndJdkClasses() {
        WeaverSweep.Result result = WeaverSweep.sweep(List.of(TARGETS), getClass().getClassLoader(),
                System.getProperty("java.class.path"));
        System.out.println(result);
        assertEquals(List.of(), result.failures);
        assertEquals(List.of(), result.unsupported);
        assertEquals(6, result.classes.size(), result.classes.toString());
        // each library class once, each JDK class with and without its frames
        assertEquals(4 + 2 * 2, result.verifiedInFork);
    }

    @Test
    void theAnalysisFindsAWrongType() {
        // an int returned where a String is due: the JVM would refuse it
        byte[] broken = generated("gen/Broken", Opcodes.ICONST_1);
        String problem = WeaverSweep.analyze(broken, new ClassHierarchy(getClass().getClassLoader()));
        assertNotNull(problem);
        assertTrue(problem.startsWith("broken()Ljava/lang/String;"), problem);
        assertEquals(null, WeaverSweep.analyze(generated("gen/Sound", Opcodes.ACONST_NULL),
                new ClassHierarchy(getClass().getClassLoader())));
    }

    @Test
    void theForkedJvmRejectsWhatItCannotVerify() throws Exception {
        Path input = Files.createTempDirectory(Paths.get("target"), "verify-woven");
        Path library = Files.createDirectories(input.resolve(VerifyWoven.LIBRARY));
        // WeaveSubject.kind(int) returning an int as its String; Greeter as it is
        Files.write(library.resolve(FIXTURES + "WeaveSubject.class"), withBrokenKind(
                AsmWeaverTest.bytes(FIXTURES + "WeaveSubject")));
        Files.write(library.resolve(FIXTURES + "Greeter.class"), AsmWeaverTest.bytes(FIXTURES + "Greeter"));
        VerifyWoven.Outcome outcome = VerifyWoven.fork(input, System.getProperty("java.class.path"));
        assertEquals(1, outcome.verified, outcome.failures.toString());
        assertTrue(outcome.failures.get(0).startsWith(
                "forked JVM: library " + FIXTURES + "WeaveSubject: java.lang.VerifyError"), outcome.failures.toString());
    }

    private static byte[] withBrokenKind(byte[] bytes) {
        ClassWriter writer = new ClassWriter(0);
        new ClassReader(bytes).accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor method = super.visitMethod(access, name, descriptor, signature, exceptions);
                if (!name.equals("kind")) {
                    return method;
                }
                method.visitCode();
                method.visitInsn(Opcodes.ICONST_1);
                method.visitInsn(Opcodes.ARETURN);
                method.visitMaxs(1, 1);
                method.visitEnd();
                return null;
            }
        }, 0);
        return writer.toByteArray();
    }

    /** A class whose method {@code broken()} returns what {@code push} pushes as its String. */
    private static byte[] generated(String name, int push) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, name, null, "java/lang/Object", null);
        MethodVisitor method = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "broken",
                "()Ljava/lang/String;", null, null);
        method.visitCode();
        method.visitInsn(push);
        method.visitInsn(Opcodes.ARETURN);
        method.visitMaxs(0, 0);
        method.visitEnd();
        writer.visitEnd();
        return writer.toByteArray();
    }
}
