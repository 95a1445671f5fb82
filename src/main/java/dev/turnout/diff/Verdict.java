package dev.turnout.diff;

import java.util.Locale;

/**
 * How a candidate's answer compares with the primary's; see {@link ResponseDiffer} for the lexical
 * thresholds and {@link Calibration} for verdicts against the noise floor. {@code UNCALIBRATED}: the
 * pair was scored, but its primary has too few scored noise pairs yet to say what its own
 * randomness looks like, so no verdict is guessed.
 */
public enum Verdict {
    SAME, SIMILAR, DIFFERENT, ERROR, UNCALIBRATED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
