package io.albtrace.instrumentation.jetty.client;

/** {@link OldJettyClientContract} through Jetty's {@code HttpClient} 11 (the build's ${jetty11.version}). */
class Jetty11ClientContractTest extends OldJettyClientContract {

    @Override
    String line() {
        return "11";
    }

    @Override
    String version() {
        return "11.";
    }
}
