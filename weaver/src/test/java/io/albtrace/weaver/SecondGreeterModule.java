package io.albtrace.weaver;

import io.albtrace.instrumentation.api.InstrumentationModule;
import io.albtrace.instrumentation.api.TypeInstrumentation;

import java.util.List;

/** A second module that changes Greeter too; listed only by {@code InstallerTest}'s own service files. */
public final class SecondGreeterModule extends InstrumentationModule {

    public SecondGreeterModule() {
        super("jdk-httpclient");
    }

    @Override
    public List<TypeInstrumentation> typeInstrumentations() {
        return List.of(new TestInstrumentations.GreeterInstrumentation());
    }
}
