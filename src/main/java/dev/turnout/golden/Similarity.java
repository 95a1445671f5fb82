package dev.turnout.golden;

/**
 * How alike two texts are in meaning, from 0 (unrelated) to 1 (the same), for {@link Check.Semantic}.
 * May block (an embedding model runs for tens of milliseconds): call {@link Checker#check} off the
 * event loops when the set has semantic checks.
 */
@FunctionalInterface
public interface Similarity {

    /** No model: every semantic check fails, saying it needs the embedding model. */
    Similarity NONE = (a, b) -> Double.NaN;

    double between(String a, String b);
}
