package io.albtrace.instrumentation.httpclient;

import static io.albtrace.instrumentation.api.Methods.named;
import static io.albtrace.instrumentation.api.Methods.takesArgument;
import static io.albtrace.instrumentation.api.Methods.takesArguments;

import io.albtrace.instrumentation.api.AdviceTarget;
import io.albtrace.instrumentation.api.TypeInstrumentation;
import java.util.Collections;
import java.util.List;

/**
 * httpcore5-h2 (5.0 to 5.4) {@code DefaultH2RequestConverter#convert(HttpRequest)}: turns an outgoing request,
 * its headers final, into the HTTP/2 header list that is sent (the client's streams call it once per request).
 * The size rule over the request's headers (pseudo-headers not counted), as for HTTP/1.1
 * ({@link AsyncRequestWriterInstrumentation.SizeRuleAdvice}).
 */
public final class H2RequestConverterInstrumentation implements TypeInstrumentation {

    @Override
    public List<String> typeNames() {
        return Collections.singletonList("org.apache.hc.core5.http2.impl.DefaultH2RequestConverter");
    }

    @Override
    public void transform(AdviceTarget target) {
        target.applyAdvice(named("convert")
                        .and(takesArguments(1))
                        .and(takesArgument(0, named("org.apache.hc.core5.http.HttpRequest"))),
                AsyncRequestWriterInstrumentation.SizeRuleAdvice.class.getName());
    }
}
