package io.albtrace.instrumentation.jetty.client;

/** {@link OldJettyClientContract} through Jetty's {@code HttpClient} 10 (the build's ${jetty10.version}). */
class Jetty10ClientContractTest extends OldJettyClientContract {

    @Override
    String line() {
        return "10";
    }

    @Override
    String version() {
        return "10.";
    }
}
