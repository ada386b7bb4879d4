package io.albtrace.instrumentation.httpclient;

import io.albtrace.instrumentation.api.Installer;
import io.albtrace.instrumentation.api.InstrumentationModule;
import java.util.List;
import java.util.Set;
import net.bytebuddy.agent.ByteBuddyAgent;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Installs the real Apache HttpClient instrumentation into the test JVM, once, the way the agent does: the
 * modules listed in META-INF/services are found by the {@link Installer} and a class-file transformer is
 * added; classes loaded earlier are retransformed.
 */
public final class InstalledAgent implements BeforeAllCallback, AfterAllCallback {

    static final List<String> TYPES = List.of(
            "org.apache.hc.client5.http.impl.classic.InternalHttpClient",
            "org.apache.hc.client5.http.impl.classic.MinimalHttpClient",
            "org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection",
            "org.apache.hc.client5.http.impl.async.InternalAbstractHttpAsyncClient",
            "org.apache.hc.client5.http.impl.async.HttpAsyncMainClientExec",
            "org.apache.hc.client5.http.impl.async.H2AsyncMainClientExec",
            "org.apache.hc.client5.http.impl.async.MinimalHttpAsyncClient",
            "org.apache.hc.client5.http.impl.async.MinimalH2AsyncClient",
            "org.apache.hc.core5.http.impl.nio.ClientHttp1StreamHandler",
            "org.apache.hc.core5.http2.impl.nio.ClientH2StreamHandler",
            "org.apache.hc.core5.http.impl.nio.DefaultHttpRequestWriter",
            "org.apache.hc.core5.http2.impl.DefaultH2RequestConverter",
            "org.apache.http.impl.client.InternalHttpClient",
            "org.apache.http.impl.client.MinimalHttpClient",
            "org.apache.http.impl.client.AbstractHttpClient",
            "org.apache.http.impl.DefaultBHttpClientConnection",
            "org.apache.http.impl.AbstractHttpClientConnection");

    private static Installer installer;

    @Override
    public void beforeAll(ExtensionContext context) {
        install();
    }

    /** Every class the tests loaded was woven by the agent's own ASM weaver, none left to Byte Buddy. */
    @Override
    public void afterAll(ExtensionContext context) {
        if (!Installer.wovenByByteBuddy().isEmpty()) {
            throw new IllegalStateException("the ASM weaver left these to Byte Buddy: " + Installer.wovenByByteBuddy());
        }
    }

    /** The installed transformer; installs it the first time. */
    static synchronized Installer install() {
        if (installer == null) {
            ClassLoader testLoader = InstalledAgent.class.getClassLoader();
            installer = Installer.install(ByteBuddyAgent.install(), testLoader);
            if (installer == null) {
                throw new IllegalStateException("the Installer found no enabled instrumentation module");
            }
            // each module's names, which the installer reads at start-up, are exactly its type instrumentations'
            for (InstrumentationModule module : Installer.discover(InstalledAgent.class.getClassLoader())) {
                String mismatch = module.typeNamesMismatch(module.typeInstrumentations());
                if (mismatch != null) {
                    throw new IllegalStateException(module + ": " + mismatch);
                }
            }
            Set<String> names = installer.typeNames();
            if (!names.containsAll(TYPES)) {
                throw new IllegalStateException("the apache-httpclient module is not installed: " + names);
            }
        }
        return installer;
    }
}
