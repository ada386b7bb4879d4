package io.albtrace.agent.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.albtrace.weaver.Installer;
import io.albtrace.instrumentation.api.InstrumentationModule;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ModulesTest {

    /** The agent creates its modules with new; a module added to a services file and not there would be lost. */
    @Test
    void listsExactlyTheModulesOfTheServicesFiles() {
        assertEquals(names(Installer.discover(ModulesTest.class.getClassLoader())), names(Modules.all()));
        assertEquals(14, Modules.all().size());
    }

    private static Set<String> names(List<InstrumentationModule> modules) {
        Set<String> names = new TreeSet<>();
        for (InstrumentationModule module : modules) {
            names.add(module.getClass().getName());
        }
        return names;
    }
}
