package io.albtrace.weaver;

import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.Methods;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.weaver.References.Reference;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import net.bytebuddy.jar.asm.ClassWriter;
import net.bytebuddy.jar.asm.MethodVisitor;
import net.bytebuddy.jar.asm.Opcodes;
import org.junit.jupiter.api.Test;

/**
 * What {@link References} collects from an advice's class file and how {@link LibraryCheck} and {@link VersionCheck}
 * judge it against a "library" of generated class files that a class loader serves as resources only (it never
 * defines a class: the check must not need to).
 */
class VersionCheckTest {

    private static final String ADVICE = "io.albtrace.test.LibAdvice";
    private static final String HELPER = "io.albtrace.instrumentation.test.LibHelper";

    /** The library as the advice was written for. */
    private static Map<String, byte[]> library() {
        Map<String, byte[]> lib = new HashMap<>();
        lib.put("lib/Base", type("lib/Base", "java/lang/Object", false, c -> {
            method(c, Opcodes.ACC_PUBLIC, "inherited", "()V");
        }));
        lib.put("lib/Client", type("lib/Client", "lib/Base", false, c -> {
            method(c, Opcodes.ACC_PUBLIC, "send", "(Ljava/lang/String;)Llib/Response;");
            method(c, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "create", "()Llib/Client;");
            c.visitField(Opcodes.ACC_PRIVATE, "state", "I", null, null).visitEnd();
            c.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "VERSION", "Ljava/lang/String;", null, null)
                    .visitEnd();
        }));
        lib.put("lib/Response", type("lib/Response", "java/lang/Object", true, c -> {
            method(c, Opcodes.ACC_PUBLIC | Opcodes.ACC_ABSTRACT, "code", "()I");
        }));
        lib.put("lib/Key", type("lib/Key", "java/lang/Object", true, c -> { }));
        return lib;
    }

    /**
     * An advice that calls {@code Client.create()}, {@code client.send(String)}, {@code client.inherited()} (declared
     * by Base), {@code response.code()} and {@code toString()} (Object's) through the interface, reads the static
     * {@code VERSION}, the woven class's field {@code state} (as {@code @Advice.FieldValue}), and names the helper by
     * a string, as {@code LibraryHelpers.instance} is called.
     */
    private static byte[] advice() {
        return type(ADVICE.replace('.', '/'), "java/lang/Object", false, c -> {
            MethodVisitor m = c.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "enter", "(I)V", null, null);
            m.visitAnnotation("Lnet/bytebuddy/asm/Advice$OnMethodEnter;", true).visitEnd();
            var field = m.visitParameterAnnotation(0, "Lnet/bytebuddy/asm/Advice$FieldValue;", true);
            field.visit("value", "state");
            field.visitEnd();
            m.visitCode();
            m.visitMethodInsn(Opcodes.INVOKESTATIC, "lib/Client", "create", "()Llib/Client;", false);
            m.visitInsn(Opcodes.DUP);
            m.visitInsn(Opcodes.DUP);
            m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "lib/Client", "inherited", "()V", false);
            m.visitLdcInsn("x");
            m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "lib/Client", "send", "(Ljava/lang/String;)Llib/Response;",
                    false);
            m.visitInsn(Opcodes.DUP);
            m.visitMethodInsn(Opcodes.INVOKEINTERFACE, "lib/Response", "code", "()I", true);
            m.visitInsn(Opcodes.POP);
            m.visitMethodInsn(Opcodes.INVOKEINTERFACE, "lib/Response", "toString", "()Ljava/lang/String;", true);
            m.visitInsn(Opcodes.POP);
            m.visitInsn(Opcodes.POP);
            m.visitFieldInsn(Opcodes.GETSTATIC, "lib/Client", "VERSION", "Ljava/lang/String;");
            m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "java/lang/String", "length", "()I", false);
            m.visitInsn(Opcodes.POP);
            m.visitLdcInsn(HELPER);
            m.visitMethodInsn(Opcodes.INVOKESTATIC, "io/albtrace/core/Log", "warn", "(Ljava/lang/String;)V", false);
            m.visitInsn(Opcodes.RETURN);
            m.visitMaxs(4, 1);
            m.visitEnd();
        });
    }

    /** A helper defined next to the library: implements its interface {@code lib.Key}. */
    private static byte[] helper() {
        return type(HELPER.replace('.', '/'), "java/lang/Object", false, c -> { }, "lib/Key");
    }

    private static List<Reference> references() {
        Map<String, byte[]> agent = Map.of(ADVICE, advice(), HELPER, helper());
        return References.of(ADVICE, advice(), agent::get);
    }

    @Test
    void collectsTheLibrarysClassesMethodsAndFieldsOnly() {
        List<String> found = new ArrayList<>();
        for (Reference reference : references()) {
            found.add(reference.describe("lib/Client") + " <- " + reference.source);
        }
        assertEquals(List.of(
                "field lib.Client.state <- " + ADVICE,
                "class lib.Client <- " + ADVICE,
                "static method lib.Client.create() returning lib.Client <- " + ADVICE,
                "method lib.Client.inherited() returning void <- " + ADVICE,
                "class lib.Response <- " + ADVICE,
                "method lib.Client.send(java.lang.String) returning lib.Response <- " + ADVICE,
                "method lib.Response.code() returning int <- " + ADVICE,
                "method lib.Response.toString() returning java.lang.String <- " + ADVICE,
                "static field lib.Client.VERSION of type java.lang.String <- " + ADVICE,
                "class lib.Key <- " + HELPER), found);
    }

    @Test
    void theLibraryItWasWrittenForHasEverything() {
        assertNull(firstMissing(library()));
    }

    @Test
    void aMissingMethod() {
        Map<String, byte[]> lib = library();
        lib.put("lib/Response", type("lib/Response", "java/lang/Object", true, c -> { }));
        assertEquals("method lib.Response.code() returning int", firstMissing(lib));
    }

    @Test
    void aChangedDescriptor() {
        Map<String, byte[]> lib = library();
        lib.put("lib/Client", client(c -> method(c, Opcodes.ACC_PUBLIC, "send",
                "(Ljava/lang/CharSequence;)Llib/Response;")));
        assertEquals("method lib.Client.send(java.lang.String) returning lib.Response", firstMissing(lib));
    }

    @Test
    void aMissingFieldOfTheWovenClass() {
        Map<String, byte[]> lib = library();
        lib.put("lib/Client", type("lib/Client", "lib/Base", false, c -> {
            method(c, Opcodes.ACC_PUBLIC, "send", "(Ljava/lang/String;)Llib/Response;");
            method(c, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "create", "()Llib/Client;");
            c.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "VERSION", "Ljava/lang/String;", null, null)
                    .visitEnd();
        }));
        assertEquals("field lib.Client.state", firstMissing(lib));
    }

    @Test
    void aMissingClass() {
        Map<String, byte[]> lib = library();
        lib.remove("lib/Response");
        assertEquals("class lib.Response", firstMissing(lib));
    }

    @Test
    void aHelpersMissingInterface() {
        Map<String, byte[]> lib = library();
        lib.remove("lib/Key");
        assertEquals("class lib.Key", firstMissing(lib));
    }

    /** {@code send} moved up to {@code Base}: the call still links. */
    @Test
    void aMethodMovedToASuperclassIsFine() {
        Map<String, byte[]> lib = library();
        lib.put("lib/Base", type("lib/Base", "java/lang/Object", false, c -> {
            method(c, Opcodes.ACC_PUBLIC, "inherited", "()V");
            method(c, Opcodes.ACC_PUBLIC, "send", "(Ljava/lang/String;)Llib/Response;");
        }));
        lib.put("lib/Client", client(c -> { }));
        assertNull(firstMissing(lib));
    }

    @Test
    void aMethodThatBecameStatic() {
        Map<String, byte[]> lib = library();
        lib.put("lib/Client", client(c -> method(c, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "send",
                "(Ljava/lang/String;)Llib/Response;")));
        assertEquals("method lib.Client.send(java.lang.String) returning lib.Response (it is static)",
                firstMissing(lib));
    }

    @Test
    void anInterfaceThatBecameAClass() {
        Map<String, byte[]> lib = library();
        lib.put("lib/Response", type("lib/Response", "java/lang/Object", false, c -> {
            method(c, Opcodes.ACC_PUBLIC, "code", "()I");
        }));
        assertEquals("lib.Response as an interface (it is a class) for method lib.Response.code() returning int",
                firstMissing(lib));
    }

    /**
     * The whole check as the installer makes it: the module's class is shown to its type instrumentation, whose
     * matcher must match, and the advice must link; the warning names the library and what is missing, and the
     * class loader's classes are only read, never defined.
     */
    @Test
    void theModuleCheckNamesWhatIsMissing() {
        TypeInstrumentation type = new TypeInstrumentation() {
            @Override
            public List<String> typeNames() {
                return List.of("lib.Client");
            }

            @Override
            public void transform(AdviceTarget target) {
                target.applyAdvice(Methods.named("send"), ADVICE);
            }
        };
        Map<String, byte[]> agent = Map.of(ADVICE, advice(), HELPER, helper());
        Map<String, byte[]> lib = library();
        Served served = new Served(lib);
        VersionCheck versions = new VersionCheck(agent::get);
        assertNull(versions.check("lib", List.of(type), new LibraryCheck(served), served));

        lib.remove("lib/Response");
        Served older = new Served(lib);
        assertEquals("lib: the library of lib is not a version this agent knows: it has no class lib.Response, which"
                + " LibAdvice uses. The lib instrumentation is skipped",
                versions.check("lib", List.of(type), new LibraryCheck(older), older));

        lib.put("lib/Client", client(c -> method(c, Opcodes.ACC_PUBLIC, "post", "()V")));
        Served changed = new Served(lib);
        String problem = versions.check("lib", List.of(type), new LibraryCheck(changed), changed);
        assertTrue(problem.contains("it has no method of lib.Client matching named(send), which "), problem);
        assertEquals(0, served.defined + older.defined + changed.defined);
    }

    private static String firstMissing(Map<String, byte[]> lib) {
        LibraryCheck check = new LibraryCheck(new Served(lib));
        for (Reference reference : references()) {
            String missing = check.missing(reference, "lib/Client");
            if (missing != null) {
                return missing;
            }
        }
        return null;
    }

    private static byte[] client(Consumer<ClassWriter> members) {
        return type("lib/Client", "lib/Base", false, c -> {
            method(c, Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "create", "()Llib/Client;");
            c.visitField(Opcodes.ACC_PRIVATE, "state", "I", null, null).visitEnd();
            c.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "VERSION", "Ljava/lang/String;", null, null)
                    .visitEnd();
            members.accept(c);
        });
    }

    private static byte[] type(String name, String superName, boolean isInterface, Consumer<ClassWriter> members,
            String... interfaces) {
        ClassWriter c = new ClassWriter(0);
        c.visit(Opcodes.V11, Opcodes.ACC_PUBLIC | (isInterface ? Opcodes.ACC_INTERFACE | Opcodes.ACC_ABSTRACT : 0),
                name, null, superName, interfaces);
        members.accept(c);
        c.visitEnd();
        return c.toByteArray();
    }

    private static void method(ClassWriter c, int access, String name, String descriptor) {
        c.visitMethod(access, name, descriptor, null, null).visitEnd(); // no code: the check reads no code
    }

    /** Serves class files as resources; defining a class from it is counted (the check must never). */
    private static final class Served extends ClassLoader {
        private final Map<String, byte[]> classes;
        int defined;

        Served(Map<String, byte[]> classes) {
            super(null);
            this.classes = new HashMap<>(classes);
        }

        @Override
        public InputStream getResourceAsStream(String name) {
            byte[] bytes = name.endsWith(".class") ? classes.get(name.substring(0, name.length() - 6)) : null;
            return bytes != null ? new ByteArrayInputStream(bytes) : super.getResourceAsStream(name);
        }

        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            defined++;
            throw new ClassNotFoundException(name);
        }
    }
}
