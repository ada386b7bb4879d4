package io.albtrace.instrumentation.helidon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.MethodMatcher;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import io.albtrace.weaver.Installer;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What must hold on every JDK the agent runs on, JDK 17 included, where Helidon 4 (Java 21 class files) cannot be:
 * the module's classes are Java 11 class files although they are compiled against Helidon, and the module, its type
 * instrumentations and the installed agent with them load no Helidon class and say nothing (a Helidon class loaded on
 * JDK 17 would throw {@code UnsupportedClassVersionError}). Run by the pom on the JDK that runs Maven, and on
 * Temurin 25 with the rest.
 */
class OnJdk17Test {

    @Test
    void everyClassOfTheModuleIsAJava11ClassFile() throws Exception {
        Path classes = Paths.get(HelidonInstrumentationModule.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI());
        List<Path> files;
        try (Stream<Path> all = Files.walk(classes)) {
            files = all.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList());
        }
        assertTrue(files.size() >= 9, files::toString);
        List<String> wrong = new ArrayList<>();
        for (Path f : files) {
            try (InputStream in = Files.newInputStream(f); DataInputStream data = new DataInputStream(in)) {
                assertEquals(0xCAFEBABE, data.readInt(), f::toString);
                data.readUnsignedShort(); // minor
                int major = data.readUnsignedShort();
                if (major != 55) {
                    wrong.add(classes.relativize(f) + " is class file version " + major);
                }
            }
        }
        assertEquals(List.of(), wrong, "Java 11 class files (major 55)");
    }

    @Test
    void theModuleAndItsInstrumentationsLoadNoHelidonClass() {
        HelidonInstrumentationModule module = new HelidonInstrumentationModule();
        assertEquals("helidon", module.name());
        assertEquals(List.of("io.helidon.http.Headers"), module.libraryClasses());
        List<TypeInstrumentation> types = module.typeInstrumentations();
        assertEquals(null, module.typeNamesMismatch(types));
        List<String> advice = new ArrayList<>();
        for (TypeInstrumentation type : types) {
            type.transform(new AdviceTarget() {
                @Override
                public void applyAdvice(MethodMatcher methods, String adviceClassName) {
                    advice.add(adviceClassName.substring(adviceClassName.lastIndexOf('.') + 1));
                }

                @Override
                public boolean declares(MethodMatcher methods) {
                    return true;
                }
            });
        }
        assertEquals(List.of("RoutingInstrumentation$RouteAdvice", "ClientRequestInstrumentation$SendAdvice",
                "Http1HeadersInstrumentation$WriteHeadersAdvice", "Http2HeadersInstrumentation$WriteHeadersAdvice"),
                advice);
    }

    @Test
    void theAgentInstallsWithTheModuleAndSaysNothing() {
        Installer installer = InstalledAgent.install();
        assertTrue(installer.typeNames().containsAll(InstalledAgent.TYPES));
        assertEquals(List.of(), Installer.versionProblems());
        assertFalse(Installer.versionProblems().stream().anyMatch(p -> p.startsWith("helidon")));
    }
}
