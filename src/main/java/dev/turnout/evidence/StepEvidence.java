package dev.turnout.evidence;

import static java.util.Objects.requireNonNull;

/**
 * What a rollout step has shown, on one instance or merged across the fleet: both arms, and the
 * shadow pairs of the step's candidate that were scored and how many of them differed beyond the
 * primary's own noise. {@link #encode()} is what an instance publishes; {@link #decode} reads it
 * back, refusing anything malformed or oversized (see {@link EvidenceCodec}).
 */
public record StepEvidence(ArmEvidence candidate, ArmEvidence baseline, long scoredPairs, long beyondNoisePairs) {

    public static final StepEvidence EMPTY = new StepEvidence(ArmEvidence.EMPTY, ArmEvidence.EMPTY, 0, 0);

    public StepEvidence {
        requireNonNull(candidate, "candidate");
        requireNonNull(baseline, "baseline");
        if (scoredPairs < 0 || beyondNoisePairs < 0 || beyondNoisePairs > scoredPairs) {
            throw new IllegalArgumentException("need 0 <= beyondNoisePairs <= scoredPairs, got " + beyondNoisePairs
                    + " beyond noise of " + scoredPairs);
        }
    }

    /** Both together, as if one instance had seen everything either saw. */
    public StepEvidence merge(StepEvidence other) {
        return new StepEvidence(candidate.merge(other.candidate), baseline.merge(other.baseline),
                Math.addExact(scoredPairs, other.scoredPairs), Math.addExact(beyondNoisePairs, other.beyondNoisePairs));
    }

    /**
     * Compact JSON with a version field; histograms as sparse {@code [[value, count], ...]} lists.
     * A step of 100 000 requests with a wide latency spread takes about 56 KB; only histograms with
     * nearly every one of their ~9 000 buckets per arm filled could pass the 512 KiB that
     * {@link #decode} accepts.
     */
    public String encode() {
        return EvidenceCodec.encode(this);
    }

    /**
     * Reads what {@link #encode()} wrote. What Redis holds is hostile input, so this refuses with an
     * {@link IllegalArgumentException} anything that is not exactly that shape or is out of bounds.
     */
    public static StepEvidence decode(String encoded) {
        return EvidenceCodec.decode(encoded);
    }
}
