package io.albtrace.core;

/**
 * Where identifiers come from: the clock and 96 random bits. The default never blocks on entropy
 * ({@link java.util.concurrent.ThreadLocalRandom}); tests may install their own with {@link Ids#use(IdSource)}.
 */
public interface IdSource {

    /** The Unix epoch second written into a new identifier. */
    long epochSecond();

    /** The high 64 of the identifier's 96 random bits. */
    long randomHigh();

    /** The low 32 of the identifier's 96 random bits. */
    int randomLow();
}
