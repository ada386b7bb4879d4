package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.albtrace.instrumentation.api.AdviceTarget;

import static io.albtrace.instrumentation.api.Methods.isConstructor;
import static io.albtrace.instrumentation.api.Methods.named;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.albtrace.weaver.fixtures.ShapeAdvice;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The ASM weaver against Byte Buddy's {@code Advice} on method shapes the first fixture lacks: each class is woven by
 * both, both results are loaded (and so verified) and called the same ways, and what came back, what was thrown and
 * what the advice saw must be the same. Javac's shapes come from {@code fixtures.Shapes}; those javac does not make
 * (a parameter's slot reused for another type, a method near the 64 KB limit, the largest max_stack) are generated.
 */
class ShapesTest {

    private static final String SHAPES = "io.albtrace.weaver.fixtures.Shapes";
    private static final String ADVICE = ShapeAdvice.class.getName() + "$";

    @Test
    void javacShapesBehaveAsByteBuddyWoven() throws Exception {
        TypeInstrumentation shapes = instrumentation(SHAPES, target -> {
            target.applyAdvice(named("reassigned").or(named("nested")).or(named("synchronizedBlock"))
                    .or(named("name")).or(named("returnInsideTry")), ADVICE + "Reference");
            target.applyAdvice(named("switches"), ADVICE + "Int");
            target.applyAdvice(named("synchronizedMethod").or(named("loops")), ADVICE + "Long");
            target.applyAdvice(named("wide"), ADVICE + "Double");
            target.applyAdvice(named("effects").or(isConstructor()), ADVICE + "Void");
            return null;
        });
        List<String> asm = exercise(SHAPES, weave(SHAPES, AsmWeaverTest.bytes(SHAPES), shapes, true), this::javac);
        List<String> byteBuddy = exercise(SHAPES, weave(SHAPES, AsmWeaverTest.bytes(SHAPES), shapes, false),
                this::javac);
        assertEquals(byteBuddy, asm);
        assertNotEquals(exercise(SHAPES, AsmWeaverTest.bytes(SHAPES), this::javac), asm);
        // the exit advice sees a parameter as it was on entry (after the enter advice), not as the method left it
        assertEquals(true, asm.contains("exit 2 [ab, 3] -> ababab"), asm.toString());
        // @Advice.Thrown: what the method threw, null when it returned
        assertEquals(true, asm.stream().anyMatch(e -> e.endsWith(" -> null threw java.lang.IllegalStateException:"
                + " inside the lock")), asm.toString());
        assertEquals(true, asm.contains("exit b=21 c=0.5 -> 89.5"), asm.toString());
    }

    private List<String> javac(Class<?> type) throws Exception {
        List<String> out = new ArrayList<>();
        Constructor<?> byName = type.getConstructor(String.class);
        Object shapes = call(out, "new(String)", () -> byName.newInstance("s"));
        call(out, "new(int)", () -> type.getConstructor(int.class).newInstance(-3));
        call(out, "name", () -> method(type, "name").invoke(shapes));
        call(out, "reassigned", () -> method(type, "reassigned").invoke(null, "ab", 3));
        call(out, "wide", () -> method(type, "wide").invoke(null, 1, 20L, 0.5d, 4L));
        call(out, "synchronizedMethod", () -> method(type, "synchronizedMethod").invoke(shapes, 41L));
        call(out, "synchronizedBlock", () -> method(type, "synchronizedBlock").invoke(shapes, "lock", false));
        call(out, "synchronizedBlock", () -> method(type, "synchronizedBlock").invoke(shapes, "lock", true));
        for (Object[] args : new Object[][] {{1, 7, "a"}, {2, 100000, "b"}, {3, 0, "c"}, {9, -1000, "a"},
                {0, 5, "z"}}) {
            call(out, "switches", () -> method(type, "switches").invoke(null, args));
        }
        for (int path = 0; path <= 4; path++) {
            int p = path;
            call(out, "nested", () -> method(type, "nested").invoke(null, p));
        }
        for (int n : new int[] {0, 3, 5, 8, 10, 20}) {
            call(out, "loops", () -> method(type, "loops").invoke(null, n));
        }
        for (int n : new int[] {4, 0}) {
            call(out, "returnInsideTry", () -> method(type, "returnInsideTry").invoke(null, n));
        }
        StringBuilder effects = new StringBuilder();
        for (int n : new int[] {0, -1, 4}) {
            call(out, "effects", () -> method(type, "effects").invoke(shapes, effects, n));
        }
        out.add("effects " + effects);
        return out;
    }

    @Test
    void aParameterSlotReusedForAnotherType() throws Exception {
        // static String reuse(int n): n's slot then holds a String, which the method returns
        byte[] original = generated("gen.Reuse", writer -> {
            MethodVisitor m = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "reuse",
                    "(I)Ljava/lang/String;", null, null);
            m.visitCode();
            Label negative = new Label();
            Label done = new Label();
            m.visitVarInsn(Opcodes.ILOAD, 0);
            m.visitJumpInsn(Opcodes.IFLT, negative);
            m.visitLdcInsn("positive");
            m.visitVarInsn(Opcodes.ASTORE, 0);
            m.visitJumpInsn(Opcodes.GOTO, done);
            m.visitLabel(negative);
            m.visitLdcInsn("negative");
            m.visitVarInsn(Opcodes.ASTORE, 0);
            m.visitLabel(done);
            m.visitVarInsn(Opcodes.ALOAD, 0);
            m.visitInsn(Opcodes.ARETURN);
            m.visitMaxs(0, 0);
            m.visitEnd();
        });
        TypeInstrumentation reuse = instrumentation("gen.Reuse",
                target -> { target.applyAdvice(named("reuse"), ADVICE + "Reference"); return null; });
        Function<Class<?>, List<String>> calls = type -> {
            List<String> out = new ArrayList<>();
            for (int n : new int[] {5, -5}) {
                call(out, "reuse", () -> method(type, "reuse").invoke(null, n));
            }
            return out;
        };
        List<String> asm = exercise("gen.Reuse", weave("gen.Reuse", original, reuse, true), calls::apply);
        assertEquals(exercise("gen.Reuse", weave("gen.Reuse", original, reuse, false), calls::apply), asm);
        assertEquals(List.of("enter [5]", "exit 1 [5] -> positive", "reuse positive'", "enter [-5]",
                "exit 1 [-5] -> negative", "reuse negative'"), asm);
    }

    @Test
    void moreArgumentsThanAByteCounts() throws Exception {
        // static int sum(int a0, ..., int a129): @AllArguments needs an array of 130, past BIPUSH's 127
        int count = 130;
        String descriptor = "(" + "I".repeat(count) + ")I";
        byte[] original = generated("gen.Sum", writer -> {
            MethodVisitor sum = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "sum", descriptor, null,
                    null);
            sum.visitCode();
            sum.visitVarInsn(Opcodes.ILOAD, 0);
            for (int i = 1; i < count; i++) {
                sum.visitVarInsn(Opcodes.ILOAD, i);
                sum.visitInsn(Opcodes.IADD);
            }
            sum.visitInsn(Opcodes.IRETURN);
            sum.visitMaxs(0, 0);
            sum.visitEnd();
        });
        TypeInstrumentation sum = instrumentation("gen.Sum",
                target -> { target.applyAdvice(named("sum"), ADVICE + "Int"); return null; });
        Object[] arguments = new Object[count];
        for (int i = 0; i < count; i++) {
            arguments[i] = i;
        }
        Function<Class<?>, List<String>> calls = type -> {
            List<String> out = new ArrayList<>();
            call(out, "sum", () -> method(type, "sum").invoke(null, arguments));
            return out;
        };
        List<String> asm = exercise("gen.Sum", weave("gen.Sum", original, sum, true), calls::apply);
        assertEquals(exercise("gen.Sum", weave("gen.Sum", original, sum, false), calls::apply), asm);
        assertEquals(List.of("exit " + java.util.Arrays.toString(arguments) + " -> 8385", "sum 16770"), asm);
    }

    @Test
    void methodsAtTheLimits() throws Exception {
        // big(int): iinc 21,500 times (64,500 bytes of the 65,535 a method may have); deep(int): max_stack 65,535
        byte[] original = generated("gen.Limits", writer -> {
            MethodVisitor big = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "big", "(I)I", null,
                    null);
            big.visitCode();
            for (int i = 0; i < 21_500; i++) {
                big.visitIincInsn(0, 1);
            }
            big.visitVarInsn(Opcodes.ILOAD, 0);
            big.visitInsn(Opcodes.IRETURN);
            big.visitMaxs(0, 0);
            big.visitEnd();
            MethodVisitor deep = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "deep", "(I)I", null,
                    null);
            deep.visitCode();
            deep.visitVarInsn(Opcodes.ILOAD, 0);
            deep.visitInsn(Opcodes.ICONST_1);
            deep.visitInsn(Opcodes.IADD);
            deep.visitInsn(Opcodes.IRETURN);
            deep.visitMaxs(0, 0);
            deep.visitEnd();
        });
        // COMPUTE_MAXS gave deep a max_stack of 2: declare the largest there is instead
        original = withMaxs(original, "deep", 65_535, KEEP);
        TypeInstrumentation limits = instrumentation("gen.Limits", target -> {
            target.applyAdvice(named("big").or(named("deep")), ADVICE + "Int");
            return null;
        });
        Function<Class<?>, List<String>> calls = type -> {
            List<String> out = new ArrayList<>();
            call(out, "big", () -> method(type, "big").invoke(null, 1));
            call(out, "deep", () -> method(type, "deep").invoke(null, 1));
            return out;
        };
        List<String> asm = exercise("gen.Limits", weave("gen.Limits", original, limits, true), calls::apply);
        assertEquals(exercise("gen.Limits", weave("gen.Limits", original, limits, false), calls::apply), asm);
        assertEquals(List.of("exit [1] -> 21501", "big 43002", "exit [1] -> 2", "deep 4"), asm);
    }

    // ---- helpers ----

    private interface Calls {
        List<String> on(Class<?> type) throws Exception;
    }

    private interface Call {
        Object run() throws Exception;
    }

    /** Calls {@code what}: what came back, or what it threw, then what the advice saw. */
    private static Object call(List<String> out, String what, Call call) {
        ShapeAdvice.SEEN.clear();
        Object returned = null;
        String outcome;
        try {
            returned = call.run();
            boolean value = returned == null || returned instanceof String || returned instanceof Number;
            outcome = what + " " + (value ? returned : "a " + returned.getClass().getSimpleName());
        } catch (InvocationTargetException e) {
            outcome = what + " threw " + e.getCause();
        } catch (Exception e) {
            throw new AssertionError(what, e);
        }
        out.addAll(ShapeAdvice.SEEN);
        out.add(outcome);
        return returned;
    }

    private static Method method(Class<?> type, String name) {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name)) {
                return m;
            }
        }
        throw new AssertionError(name);
    }

    private static List<String> exercise(String name, byte[] bytes, Calls calls) throws Exception {
        Class<?> type = new AsmWeaverTest.SingleClassLoader(name, bytes).loadClass(name);
        List<String> out = calls.on(type);
        ShapeAdvice.SEEN.clear();
        return out;
    }

    /** Woven by the ASM weaver ({@code asm}, which must not fall back) or by Byte Buddy's Advice. */
    private byte[] weave(String name, byte[] original, TypeInstrumentation type, boolean asm) {
        List<Installer.Target> targets = targets(type);
        ClassLoader loader = getClass().getClassLoader();
        byte[] woven = asm ? AsmWeaver.weave(name, original, null, loader, targets, false)
                : ByteBuddyWeaver.weave(name, original, null, loader, targets, false);
        assertNotNull(woven);
        return woven;
    }

    private static List<Installer.Target> targets(TypeInstrumentation type) {
        return Collections.singletonList(new Installer.Target(new InstrumentationModule("test-shapes") {
            @Override
            public List<TypeInstrumentation> typeInstrumentations() {
                return Collections.singletonList(type);
            }
        }, type));
    }

    private static TypeInstrumentation instrumentation(String name, Function<AdviceTarget, Void> transform) {
        return new TypeInstrumentation() {
            @Override
            public List<String> typeNames() {
                return Collections.singletonList(name);
            }

            @Override
            public void transform(AdviceTarget target) {
                transform.apply(target);
            }
        };
    }

    /** A public class with a constructor and the methods {@code methods} adds, frames and maxs computed. */
    static byte[] generated(String name, java.util.function.Consumer<ClassWriter> methods) {
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES);
        writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, name.replace('.', '/'), null, "java/lang/Object", null);
        MethodVisitor init = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        methods.accept(writer);
        writer.visitEnd();
        return writer.toByteArray();
    }

    /** {@link #withMaxs}: the value as it is. */
    static final int KEEP = -1;

    /** The class with {@code method}'s max_stack and max_locals declared as these (or {@link #KEEP}). */
    static byte[] withMaxs(byte[] bytes, String method, int maxStack, int maxLocals) {
        org.objectweb.asm.ClassReader reader = new org.objectweb.asm.ClassReader(bytes);
        ClassWriter writer = new ClassWriter(reader, 0);
        reader.accept(new org.objectweb.asm.ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodVisitor next = super.visitMethod(access, name, descriptor, signature, exceptions);
                return !name.equals(method) ? next : new MethodVisitor(Opcodes.ASM9, next) {
                    @Override
                    public void visitMaxs(int stack, int locals) {
                        super.visitMaxs(maxStack == KEEP ? stack : maxStack,
                                maxLocals == KEEP ? locals : maxLocals);
                    }
                };
            }
        }, 0);
        return writer.toByteArray();
    }
}
