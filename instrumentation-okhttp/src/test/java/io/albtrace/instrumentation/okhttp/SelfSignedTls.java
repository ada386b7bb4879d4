package io.albtrace.instrumentation.okhttp;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for the tests: a certificate for {@code IP:127.0.0.1}, signed by itself, made once per test JVM by the running
 * JDK's {@code keytool}; a context that serves it and trusts nothing else, and that trust for OkHttp.
 */
final class SelfSignedTls {

    private static SelfSignedTls made;

    final SSLContext context;
    final X509TrustManager trust;

    private SelfSignedTls(SSLContext context, X509TrustManager trust) {
        this.context = context;
        this.trust = trust;
    }

    static synchronized SelfSignedTls get() throws Exception {
        if (made == null) {
            char[] password = "okhttp-test".toCharArray();
            Path store = Files.createTempDirectory("albtrace-okhttp-tls").resolve("key.p12");
            store.toFile().deleteOnExit();
            store.getParent().toFile().deleteOnExit();
            String command = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
            Process keytool = new ProcessBuilder(command, "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12",
                    "-storepass", new String(password), "-keypass", new String(password), "-alias", "origin",
                    "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "1")
                    .redirectErrorStream(true).start();
            String said = new String(keytool.getInputStream().readAllBytes());
            if (!keytool.waitFor(2, TimeUnit.MINUTES) || keytool.exitValue() != 0) {
                throw new IOException("keytool: " + said);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, password);
            }
            KeyManagerFactory serve = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            serve.init(keys, password);
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keys);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(serve.getKeyManagers(), trust.getTrustManagers(), null);
            made = new SelfSignedTls(context, (X509TrustManager) trust.getTrustManagers()[0]);
        }
        return made;
    }
}
