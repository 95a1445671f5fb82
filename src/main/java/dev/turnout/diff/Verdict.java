package dev.turnout.diff;

import java.util.Locale;

/** How a candidate's answer compares with the primary's; see {@link ResponseDiffer} for the thresholds. */
public enum Verdict {
    SAME, SIMILAR, DIFFERENT, ERROR;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
