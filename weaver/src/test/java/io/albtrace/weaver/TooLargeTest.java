package io.albtrace.weaver;

import static io.albtrace.instrumentation.api.Methods.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.albtrace.weaver.fixtures.ShapeAdvice;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * A method that fits the class file's limits as it is but not once woven: the class is left as it is (what the
 * installer's transformer returns, null, tells the JVM), one warning names the class and the method, and the
 * application runs on with the class unchanged. Byte Buddy's {@code Advice} (the fallback) is over the limit too.
 */
class TooLargeTest {

    /** {@code iinc} takes 3 bytes: with its load and return, 65,528 of the 65,535 bytes a method's code may have. */
    private static final int INCREMENTS = 21_842;
    private static final String INT_ADVICE = ShapeAdvice.class.getName() + "$Int";
    private static final String REFERENCE_ADVICE = ShapeAdvice.class.getName() + "$Reference";

    @Test
    void codePushedOverTheLimitLeavesTheClassUnchangedWithOneWarning() throws Exception {
        // big(int) adds 1 INCREMENTS times; small(int) adds 1 once: both matched, the class is left whole
        byte[] original = ShapesTest.generated("gen.Big", writer -> {
            MethodVisitor big = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "big", "(I)I", null, null);
            big.visitCode();
            for (int i = 0; i < INCREMENTS; i++) {
                big.visitIincInsn(0, 1);
            }
            big.visitVarInsn(Opcodes.ILOAD, 0);
            big.visitInsn(Opcodes.IRETURN);
            big.visitMaxs(0, 0);
            big.visitEnd();
            addSmall(writer);
        });
        List<Installer.Target> targets = targets("gen.Big", INT_ADVICE);
        String err = InstallerTest.capture(() -> {
            assertNull(Installer.weave("gen.Big", original, null, getClass().getClassLoader(), targets, false));
            assertNull(Installer.weave("gen.Big", original, null, getClass().getClassLoader(), targets, false));
        });
        List<String> warnings = InstallerTest.linesWith(err, "gen.Big");
        assertEquals(1, warnings.size(), err);
        // the advice's code, as javac compiled it, decides by how much
        String prefix = "[albtrace] test-too-large: gen.Big.big(I)I would need ";
        String suffix = " bytes of code once instrumented, more than the 65535 a method may have; gen.Big is left"
                + " unchanged (not instrumented)";
        String warning = warnings.get(0);
        assertTrue(warning.startsWith(prefix) && warning.endsWith(suffix), warning);
        int needed = Integer.parseInt(warning.substring(prefix.length(), warning.length() - suffix.length()));
        assertTrue(needed > TooLarge.CLASS_FILE_LIMIT, warning);
        assertEquals(1, err.split("\\R").length, err);
        runsUnchanged("gen.Big", original, "big", 1 + INCREMENTS);
        // the fallback adds as much: the same answer when albtrace.weaver=bytebuddy
        TooLarge byteBuddy = assertThrows(TooLarge.class, () -> ByteBuddyWeaver.weave("gen.Big", original, null,
                getClass().getClassLoader(), targets, true));
        assertTrue(byteBuddy.getMessage().startsWith("gen.Big.big(I)I would need "), byteBuddy.getMessage());
    }

    @Test
    void localsPushedOverTheLimitLeaveTheClassUnchangedWithOneWarning() throws Exception {
        // many(String) declares the most local variable slots a method may have; the advice needs 5 more (its enter
        // value, a long; the returned value; the throwable; the working copy of the parameter): ASM would cut
        // max_locals to 16 bits, a class the JVM refuses
        byte[] original = ShapesTest.withMaxs(ShapesTest.generated("gen.Many", writer -> {
            MethodVisitor many = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "many",
                    "(Ljava/lang/String;)Ljava/lang/String;", null, null);
            many.visitCode();
            many.visitVarInsn(Opcodes.ALOAD, 0);
            many.visitInsn(Opcodes.ARETURN);
            many.visitMaxs(0, 0);
            many.visitEnd();
            addSmall(writer);
        }), "many", ShapesTest.KEEP, TooLarge.CLASS_FILE_LIMIT);
        String err = InstallerTest.capture(() -> assertNull(Installer.weave("gen.Many", original, null,
                getClass().getClassLoader(), targets("gen.Many", REFERENCE_ADVICE), false)));
        assertEquals(List.of("[albtrace] test-too-large: gen.Many.many(Ljava/lang/String;)Ljava/lang/String; would"
                + " need 65540 local variable slots once instrumented, more than the 65535 a method may have;"
                + " gen.Many is left unchanged (not instrumented)"), InstallerTest.linesWith(err, "gen.Many"));
        runsUnchanged("gen.Many", original, "small", 2);
    }

    /** {@code small(int)}: its argument plus 1. */
    private static void addSmall(org.objectweb.asm.ClassWriter writer) {
        MethodVisitor small = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "small", "(I)I", null,
                null);
        small.visitCode();
        small.visitIincInsn(0, 1);
        small.visitVarInsn(Opcodes.ILOAD, 0);
        small.visitInsn(Opcodes.IRETURN);
        small.visitMaxs(0, 0);
        small.visitEnd();
    }

    /** The class as the JVM keeps it when the transformer returns null: loaded, verified and called. */
    private static void runsUnchanged(String name, byte[] original, String method, int expected) throws Exception {
        Class<?> type = new AsmWeaverTest.SingleClassLoader(name, original).loadClass(name);
        Object argument = "small".equals(method) || "big".equals(method) ? (Object) 1 : "x";
        Class<?> parameter = argument instanceof Integer ? int.class : String.class;
        assertEquals(expected, type.getMethod(method, parameter).invoke(null, argument));
    }

    /** The advice on every method of the class, in a module of its own. */
    private static List<Installer.Target> targets(String className, String advice) {
        TypeInstrumentation type = new TypeInstrumentation() {
            @Override
            public List<String> typeNames() {
                return Collections.singletonList(className);
            }

            @Override
            public void transform(AdviceTarget target) {
                target.applyAdvice(named("big").or(named("small")).or(named("many")), advice);
            }
        };
        InstrumentationModule module = new InstrumentationModule("test-too-large") {
            @Override
            public List<TypeInstrumentation> typeInstrumentations() {
                return Collections.singletonList(type);
            }
        };
        return Collections.singletonList(new Installer.Target(module, type));
    }
}
