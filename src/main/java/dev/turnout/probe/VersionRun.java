package dev.turnout.probe;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A golden set run against one version: every item's outcome and, against the version's baseline,
 * whether it drifted ({@code drift} is null for the run that is the baseline, or when there is none yet).
 */
public record VersionRun(String version, List<ItemOutcome> outcomes, long tokens, Drift.Verdict drift) {

    public VersionRun {
        requireNonNull(version, "version");
        outcomes = List.copyOf(outcomes);
    }

    public long asked() {
        return outcomes.stream().filter(outcome -> !outcome.skipped()).count();
    }

    public long passed() {
        return outcomes.stream().filter(ItemOutcome::passed).count();
    }

    /** Passed over asked; 0 when nothing was asked. */
    public double passRate() {
        return asked() == 0 ? 0 : passed() / (double) asked();
    }

    public VersionRun withDrift(Drift.Verdict verdict) {
        return new VersionRun(version, outcomes, tokens, verdict);
    }
}
