package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.albtrace.instrumentation.api.AdviceTarget;

import static io.albtrace.instrumentation.api.Methods.isConstructor;
import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArguments;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.weaver.fixtures.WeaveAdvice;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ASM weaver against Byte Buddy's {@code Advice}, on the same class file and the same advice: each woven class is
 * defined (and so verified) in a class loader of its own, and must behave exactly as Byte Buddy's does; and
 * {@link AsmWeaver} must have done it itself, not fallen back. What it cannot do safely falls back to Byte Buddy.
 */
class AsmWeaverTest {

    private static final String SUBJECT = "io.albtrace.weaver.fixtures.WeaveSubject";
    private static final String ADVICE = WeaveAdvice.class.getName() + "$";

    @BeforeEach
    void clear() {
        WeaveAdvice.SEEN.clear();
    }

    /** Every advice of {@link WeaveAdvice} on its method of the subject. */
    private static final TypeInstrumentation EVERYTHING = new TypeInstrumentation() {
        @Override
        public List<String> typeNames() {
            return Collections.singletonList(SUBJECT);
        }

        @Override
        public void transform(AdviceTarget target) {
            target.applyAdvice(named("sum"), ADVICE + "Sum");
            target.applyAdvice(named("describe"), ADVICE + "Describe");
            target.applyAdvice(named("fail"), ADVICE + "Fail");
            target.applyAdvice(named("kind"), ADVICE + "Kind");
            target.applyAdvice(named("half"), ADVICE + "Half");
            target.applyAdvice(named("touch"), ADVICE + "Touch");
            target.applyAdvice(named("both"), ADVICE + "PlusOne");
            target.applyAdvice(named("both"), ADVICE + "PlusTen");
            target.applyAdvice(named("guarded"), ADVICE + "Throwing");
            target.applyAdvice(isConstructor().and(takesArguments(String.class)), ADVICE + "ConstructorEnter");
        }
    };

    @Test
    void behavesAsByteBuddyWoven() throws Exception {
        byte[] original = bytes(SUBJECT);
        byte[] asm = AsmWeaver.weave(SUBJECT, original, null, getClass().getClassLoader(), targets(EVERYTHING),
                false);
        byte[] byteBuddy = ByteBuddyWeaver.weave(SUBJECT, original, null, getClass().getClassLoader(), targets(EVERYTHING),
                false);
        assertNotNull(asm, "the ASM weaver changed nothing");
        assertNotNull(byteBuddy);
        List<String> withAsm = exercise(define(asm));
        List<String> withByteBuddy = exercise(define(byteBuddy));
        List<String> unchanged = exercise(define(original));
        assertEquals(withByteBuddy, withAsm);
        // and the advice did something: the woven results are not the plain ones
        assertTrue(!unchanged.equals(withAsm));
        assertEquals(List.of(
                "constructed app!?", "app!?",
                "sum 1013", "sum-enter [0, 1, 3.9, abcd]",
                "describe [early:012]true", "describe [012]true", "describe [caught:negative]true",
                "describe [01]true",
                "log [n=5 stamp=17 result=early:012, n=3 stamp=10 result=012, n=-1 stamp=7 result=caught:negative,"
                        + " n=2 stamp=8 result=01]",
                "last 01",
                "fail 0 / IllegalStateException: x=4",
                "fail-exit x=4 result=0", "fail-exit x=0 result=0",
                "kind ZERO TWO HUNDRED MANY", "half 502.5", "touch [touch:-5, touched]",
                "both 15", "guarded 11 -1"), withAsm);
    }

    /** Calls each method of a woven subject; what came back, in order. */
    private static List<String> exercise(Class<?> subject) throws Exception {
        WeaveAdvice.SEEN.clear();
        List<String> out = new ArrayList<>();
        Object s = subject.getConstructor(String.class).newInstance("app");
        @SuppressWarnings("unchecked")
        List<String> log = (List<String>) subject.getField("log").get(s);
        out.addAll(log);
        log.clear();
        out.add(String.valueOf(call(subject, s, "name")));
        out.add("sum " + call(subject, null, "sum", 0, 1L, 3.9d, "abcd"));
        out.addAll(WeaveAdvice.SEEN);
        WeaveAdvice.SEEN.clear();
        out.add("describe " + call(subject, s, "describe", 5));
        out.add("describe " + call(subject, s, "describe", 3));
        out.add("describe " + call(subject, s, "describe", -1));
        out.add("describe " + call(subject, s, "describe", 2));
        out.add("log " + log);
        log.clear();
        out.add("last " + subject.getField("last").get(s));
        InvocationTargetException thrown = assertThrows(InvocationTargetException.class,
                () -> call(subject, s, "fail", 4));
        out.add("fail " + call(subject, s, "fail", 0) + " / " + thrown.getCause().getClass().getSimpleName() + ": "
                + thrown.getCause().getMessage());
        out.addAll(WeaveAdvice.SEEN);
        out.add("kind " + call(subject, null, "kind", 0) + " " + call(subject, null, "kind", 2) + " "
                + call(subject, null, "kind", 100) + " " + call(subject, null, "kind", 7));
        out.add("half " + call(subject, s, "half", 4.0d));
        call(subject, s, "touch", 5L);
        out.add("touch " + log);
        out.add("both " + call(subject, s, "both", 3));
        out.add("guarded " + call(subject, s, "guarded", 5) + " " + call(subject, s, "guarded", -1));
        return out;
    }

    private static Object call(Class<?> type, Object target, String name, Object... args) throws Exception {
        for (Method m : type.getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                return m.invoke(target, args);
            }
        }
        throw new NoSuchMethodException(name);
    }

    @Test
    void aReturnWithMoreOnTheStackFallsBackToByteBuddy() throws Exception {
        // javac never leaves more than the value on the stack at a return; other compilers may
        ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        writer.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, "gen/Stacked", null, "java/lang/Object", null);
        MethodVisitor init = writer.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        MethodVisitor m = writer.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "kind", "(I)Ljava/lang/String;",
                null, null);
        m.visitCode();
        m.visitLdcInsn("left on the stack");
        m.visitLdcInsn("many");
        m.visitInsn(Opcodes.ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        writer.visitEnd();
        byte[] original = writer.toByteArray();
        TypeInstrumentation kind = new TypeInstrumentation() {
            @Override
            public List<String> typeNames() {
                return Collections.singletonList("gen.Stacked");
            }

            @Override
            public void transform(AdviceTarget target) {
                target.applyAdvice(named("kind"), ADVICE + "Kind");
            }
        };
        Unsupported unsupported = assertThrows(Unsupported.class,
                () -> AsmWeaver.weave("gen.Stacked", original, null, getClass().getClassLoader(), targets(kind), false));
        assertEquals("a return in kind with 2 slot(s) on the operand stack", unsupported.getMessage());
        byte[] woven = Installer.weave("gen.Stacked", original, null, getClass().getClassLoader(), targets(kind), true);
        Class<?> type = new SingleClassLoader("gen.Stacked", woven).loadClass("gen.Stacked");
        assertEquals("MANY", type.getMethod("kind", int.class).invoke(null, 1));
    }

    @Test
    void adviceItDoesNotUnderstandIsUnsupported() {
        Unsupported unsupported = assertThrows(Unsupported.class,
                () -> AdviceClass.read("x", bytes(TestInstrumentations.class.getName())));
        assertTrue(unsupported.getMessage().contains("no @Advice.OnMethodEnter or @Advice.OnMethodExit"),
                unsupported.getMessage());
    }

    private static List<Installer.Target> targets(TypeInstrumentation type) {
        InstrumentationModule module = new InstrumentationModule("test-weave") {
            @Override
            public List<TypeInstrumentation> typeInstrumentations() {
                return Collections.singletonList(type);
            }
        };
        return Collections.singletonList(new Installer.Target(module, type));
    }

    private static Class<?> define(byte[] bytes) throws ClassNotFoundException {
        return new SingleClassLoader(SUBJECT, bytes).loadClass(SUBJECT);
    }

    static byte[] bytes(String className) {
        try (InputStream in = AsmWeaverTest.class.getClassLoader()
                .getResourceAsStream(className.replace('.', '/') + ".class")) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Defines one class from these bytes (verified, as any application class); everything else from the parent. */
    static final class SingleClassLoader extends ClassLoader {
        private final String name;
        private final byte[] bytes;

        SingleClassLoader(String name, byte[] bytes) {
            super(AsmWeaverTest.class.getClassLoader());
            this.name = name;
            this.bytes = bytes;
        }

        @Override
        protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(className)) {
                if (className.equals(name)) {
                    Class<?> loaded = findLoadedClass(className);
                    return loaded != null ? loaded : defineClass(className, bytes, 0, bytes.length);
                }
                return super.loadClass(className, resolve);
            }
        }
    }
}
