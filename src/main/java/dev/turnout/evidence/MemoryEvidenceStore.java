package dev.turnout.evidence;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@link EvidenceStore#memory()}: the same contract as Redis's, time to live included. */
final class MemoryEvidenceStore implements EvidenceStore {

    private record Entries(Map<String, String> byRun, long expiresAtNanos) {}

    private final Map<StepRef, Entries> steps = new ConcurrentHashMap<>();
    private final AtomicLong skipped = new AtomicLong();

    @Override
    public Future<Void> publish(StepRef ref, String runId, String encoded, Duration ttl) {
        requireNonNull(ref, "ref");
        requireNonNull(runId, "runId");
        requireNonNull(encoded, "encoded");
        long expires = System.nanoTime() + ttl.toNanos();
        steps.compute(ref, (key, entries) -> {
            Map<String, String> byRun = entries == null || expired(entries) ? new ConcurrentHashMap<>() : entries.byRun();
            byRun.put(runId, encoded);
            return new Entries(byRun, expires);
        });
        return Future.succeededFuture();
    }

    @Override
    public Future<StepEvidence> read(StepRef ref) {
        Entries entries = steps.get(ref);
        StepEvidence merged = StepEvidence.EMPTY;
        if (entries != null && !expired(entries)) {
            for (String encoded : entries.byRun().values()) {
                try {
                    merged = merged.merge(StepEvidence.decode(encoded));
                } catch (IllegalArgumentException | ArithmeticException e) {
                    skipped.incrementAndGet();
                }
            }
        }
        return Future.succeededFuture(merged);
    }

    private static boolean expired(Entries entries) {
        return System.nanoTime() - entries.expiresAtNanos() > 0;
    }

    @Override
    public long skipped() {
        return skipped.get();
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
