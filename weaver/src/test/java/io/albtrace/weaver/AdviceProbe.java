package io.albtrace.weaver;

import java.util.concurrent.atomic.AtomicInteger;

/** Lets advice inlined into fixture classes say that it ran. Loaded by the test class loader only. */
public final class AdviceProbe {

    public static final AtomicInteger FAULTY_ENTERED = new AtomicInteger();
    public static final AtomicInteger FAULTY_EXITED = new AtomicInteger();

    private AdviceProbe() {
    }
}
