package dev.turnout.rollout.engine;

import java.util.Locale;

/** Where a rollout stands; the last three are final. */
public enum RolloutState {
    /** The rollout's gate probe runs against the candidate and the baseline; nothing is written yet. */
    GATING,
    /** The candidate takes no traffic yet: it answers shadow copies until {@code shadowFirst.minPairs} are compared. */
    SHADOWING,
    /** The candidate serves the current step's weight while the step is judged. */
    RUNNING,
    /** Nothing moves until an operator resumes (or aborts, or promotes) it. */
    PAUSED,
    PROMOTED,
    ROLLED_BACK,
    ABORTED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this == PROMOTED || this == ROLLED_BACK || this == ABORTED;
    }

    static RolloutState fromLabel(String label) {
        for (RolloutState state : values()) {
            if (state.label().equals(label)) return state;
        }
        return null;
    }
}
