package io.albtrace.instrumentation.httpclient;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate for 127.0.0.1, made once per test JVM by the running JDK's own {@code keytool} (its
 * subject alternative names are {@code IP:127.0.0.1} and {@code DNS:localhost}, so the clients' default hostname
 * verification passes), and the TLS contexts that use it: the servers' key store, and a client {@link SSLContext}
 * that trusts that one certificate and nothing else.
 */
final class TestTls {

    static final String PASSWORD = "albtrace";

    private static TestTls instance;

    /** The server's key and certificate. */
    final KeyStore keyStore;
    /** TLS for the clients: trusts only the test certificate. */
    final SSLContext clientContext;

    private TestTls(KeyStore keyStore, SSLContext clientContext) {
        this.keyStore = keyStore;
        this.clientContext = clientContext;
    }

    static synchronized TestTls get() throws IOException, GeneralSecurityException, InterruptedException {
        if (instance == null) {
            instance = make();
        }
        return instance;
    }

    private static TestTls make() throws IOException, GeneralSecurityException, InterruptedException {
        Path dir = Files.createTempDirectory("albtrace-tls");
        Path file = dir.resolve("server.p12");
        try {
            String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
            Process p = new ProcessBuilder(List.of(keytool, "-genkeypair", "-alias", "server",
                    "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                    "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "7",
                    "-storetype", "PKCS12", "-keystore", file.toString(),
                    "-storepass", PASSWORD, "-keypass", PASSWORD))
                    .redirectErrorStream(true)
                    .start();
            String said;
            try (InputStream out = p.getInputStream()) {
                said = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            }
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool failed: " + said);
            }
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                keys.load(in, PASSWORD.toCharArray());
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("server", keys.getCertificate("server"));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, tmf.getTrustManagers(), null);
            return new TestTls(keys, client);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }
}
