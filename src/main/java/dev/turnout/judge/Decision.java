package dev.turnout.judge;

import java.util.Locale;

/** What one criterion's evidence says about a step so far. */
public enum Decision {
    /** The evidence shows the candidate within the criterion's tolerance. */
    PASS,
    /** The evidence shows the candidate beyond the criterion's tolerance. */
    FAIL,
    /** Not enough evidence either way yet. */
    INCONCLUSIVE;

    /** The lower-case name the admin API shows ({@code pass}, {@code fail}, {@code inconclusive}). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
