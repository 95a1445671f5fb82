package dev.turnout.evidence;

import static java.util.Objects.requireNonNull;

/**
 * What the rollout engine asks every instance to record: requests to {@code alias} during the step
 * {@code stepKey} of {@code rolloutId}, split into the {@code candidate} version's arm and the
 * baseline (every other version of the alias).
 */
public record Tracked(String rolloutId, String alias, String candidate, String stepKey) {

    public Tracked {
        requireNonNull(alias, "alias");
        requireNonNull(candidate, "candidate");
        new StepRef(rolloutId, stepKey); // the same rules as the key it is published under
    }

    public StepRef ref() {
        return new StepRef(rolloutId, stepKey);
    }
}
