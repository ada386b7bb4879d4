package io.albtrace.agent.internal;

import io.albtrace.core.Config;
import io.albtrace.core.Log;
import io.albtrace.instrumentation.api.Installer;
import java.lang.instrument.Instrumentation;

/** Reads the settings and installs the enabled instrumentations; runs after the core classes are defined. */
final class Installation {

    private Installation() {
    }

    static void run(Instrumentation instrumentation, String how) {
        Config config = Config.current(); // reports bad settings, once
        if (!config.enabled()) {
            Log.debug(Config.ENABLED + "=false: nothing is installed");
            return;
        }
        if (config.debug()) {
            Log.warn("debug: albtrace " + Version.get() + " starting (" + how + ") on Java "
                    + System.getProperty("java.version") + " with " + config);
        }
        Installer.install(instrumentation, Installation.class.getClassLoader());
    }
}
