package io.albtrace.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
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
 * TLS for the modules' tests: a certificate for {@code 127.0.0.1} and {@code localhost}, signed by itself, made once
 * per test JVM by the running JDK's {@code keytool}; the key store that holds it (for servers such as Jetty), and a
 * context that serves it and trusts it and nothing else (for the test servers and the clients alike).
 */
public final class SelfSignedTls {

    /** The password of {@link #keyStore} and of its key. */
    public static final String PASSWORD = "albtrace";

    private static SelfSignedTls made;

    /** The server's key and certificate, alias {@code server}. */
    public final KeyStore keyStore;
    /** Serves the certificate and trusts only it. */
    public final SSLContext context;
    /** Trusts only the certificate (OkHttp asks for it with the socket factory). */
    public final X509TrustManager trust;

    private SelfSignedTls(KeyStore keyStore, SSLContext context, X509TrustManager trust) {
        this.keyStore = keyStore;
        this.context = context;
        this.trust = trust;
    }

    public static synchronized SelfSignedTls get() throws Exception {
        if (made == null) {
            made = make();
        }
        return made;
    }

    private static SelfSignedTls make() throws Exception {
        Path dir = Files.createTempDirectory("albtrace-tls");
        Path store = dir.resolve("server.p12");
        try {
            String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1,dns:localhost",
                    "-validity", "7", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD,
                    "-keypass", PASSWORD)
                    .redirectErrorStream(true).start();
            String said;
            try (InputStream out = p.getInputStream()) {
                said = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("keytool failed: " + said);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(store)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            KeyManagerFactory serve = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            serve.init(keys, PASSWORD.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(keys);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(serve.getKeyManagers(), trust.getTrustManagers(), null);
            return new SelfSignedTls(keys, context, (X509TrustManager) trust.getTrustManagers()[0]);
        } finally {
            Files.deleteIfExists(store);
            Files.deleteIfExists(dir);
        }
    }
}
