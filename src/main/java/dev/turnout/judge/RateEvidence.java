package dev.turnout.judge;

/**
 * Counts of events (errors, answers beyond noise) out of trials, cumulative over a step: the
 * candidate's, and the baseline's when the criterion compares two versions. A criterion that
 * compares the candidate with a fixed share (beyond-noise ≤ 10%) has no baseline arm: see
 * {@link #candidateOnly}.
 */
public record RateEvidence(long candidateTrials, long candidateEvents, long baselineTrials, long baselineEvents) {

    public RateEvidence {
        checkArm("candidate", candidateTrials, candidateEvents);
        checkArm("baseline", baselineTrials, baselineEvents);
    }

    /** Evidence for a criterion that compares the candidate's share with a fixed limit. */
    public static RateEvidence candidateOnly(long trials, long events) {
        return new RateEvidence(trials, events, 0, 0);
    }

    double candidateShare() {
        return candidateTrials == 0 ? 0 : candidateEvents / (double) candidateTrials;
    }

    double baselineShare() {
        return baselineTrials == 0 ? 0 : baselineEvents / (double) baselineTrials;
    }

    private static void checkArm(String arm, long trials, long events) {
        if (trials < 0) throw new IllegalArgumentException(arm + "Trials: " + trials + " (expected: >= 0)");
        if (events < 0 || events > trials) {
            throw new IllegalArgumentException(arm + "Events: " + events + " (expected: in [0, " + arm + "Trials = " + trials + "])");
        }
    }
}
