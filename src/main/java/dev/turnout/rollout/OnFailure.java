package dev.turnout.rollout;

/** What a rollout does when a step fails, or is still inconclusive after its {@code maxSeconds}. */
public enum OnFailure {
    /** Restore the baseline split exactly as it was when the rollout started. */
    ROLLBACK("rollback"),
    /** Leave the current step's split in place and wait for an operator. */
    PAUSE("pause");

    private final String label;

    OnFailure(String label) {
        this.label = label;
    }

    /** The spelling in the document. */
    public String label() {
        return label;
    }

    /** The value spelled {@code label}, or null when there is none. */
    static OnFailure fromLabel(String label) {
        for (OnFailure value : values()) {
            if (value.label.equals(label)) return value;
        }
        return null;
    }
}
