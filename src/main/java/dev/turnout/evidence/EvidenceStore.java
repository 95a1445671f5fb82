package dev.turnout.evidence;

import io.vertx.core.Future;
import java.time.Duration;

/**
 * Where instances publish their evidence and the rollout leader reads the fleet's: per step, one
 * entry per instance run ({@code runId}), each that run's cumulative evidence, replaced by every
 * publish and forgotten {@code ttl} after the last one.
 */
public interface EvidenceStore {

    /** Stores (or replaces) this run's encoded evidence of {@code ref} and sets the step's time to live. */
    Future<Void> publish(StepRef ref, String runId, String encoded, Duration ttl);

    /**
     * Every run's evidence of {@code ref}, merged. An entry that does not decode (or is over the
     * bounds) is skipped and counted in {@link #skipped()}: one bad instance never fails the read.
     */
    Future<StepEvidence> read(StepRef ref);

    /** Entries skipped by reads so far: undecodable, oversized, or beyond the fields read per step. */
    long skipped();

    Future<Void> close();

    /** Within this process only: for a single instance and for tests. */
    static EvidenceStore memory() {
        return new MemoryEvidenceStore();
    }
}
