package io.albtrace.instrumentation.jetty.client;

/** {@link OldJettyClientContract} through Jetty's {@code HttpClient} 9.4 (the build's ${jetty9.version}). */
class Jetty94ClientContractTest extends OldJettyClientContract {

    @Override
    String line() {
        return "9.4";
    }

    @Override
    String version() {
        return "9.4.";
    }
}
