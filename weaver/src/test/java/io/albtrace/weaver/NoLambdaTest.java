package io.albtrace.weaver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The installer and the ASM weaver make no lambda, method reference or other {@code invokedynamic} call site. The
 * first one a JVM links costs it milliseconds (the JDK spins classes for it), and that first weave is often on the
 * application's critical path: with an AOT cache (JDK 25) the JVM loads the classes the training run used before
 * {@code premain}, and the agent changes them there, on the main thread, before the application starts. Byte Buddy's
 * weaver ({@link ByteBuddyWeaver}), used only for what the ASM weaver cannot do, is not held to this.
 */
class NoLambdaTest {

    @Test
    void noInvokeDynamicOnTheInstallingAndWeavingPath() throws IOException, URISyntaxException {
        Path classes = Paths.get(AsmWeaver.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(Files.isDirectory(classes), "the weaver's classes are not a directory: " + classes);
        Path dir = classes.resolve("io/albtrace/weaver");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> p.toString().endsWith(".class"))
                    .filter(p -> !p.getFileName().toString().startsWith("ByteBuddyWeaver"))
                    .collect(Collectors.toList());
        }
        assertTrue(files.size() > 10, "too few classes found under " + dir + ": " + files);
        List<String> found = new ArrayList<>();
        for (Path file : files) {
            ClassReader reader = new ClassReader(Files.readAllBytes(file));
            String owner = reader.getClassName();
            reader.accept(new ClassVisitor(Opcodes.ASM9) {
                @Override
                public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                        String[] exceptions) {
                    return new MethodVisitor(Opcodes.ASM9) {
                        @Override
                        public void visitInvokeDynamicInsn(String indyName, String indyDescriptor, Handle bootstrap,
                                Object... arguments) {
                            found.add(owner + "." + name + descriptor + " (" + bootstrap.getOwner() + "."
                                    + bootstrap.getName() + ")");
                        }
                    };
                }
            }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        }
        assertEquals(List.of(), found);
    }
}
