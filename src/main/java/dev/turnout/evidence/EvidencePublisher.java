package dev.turnout.evidence;

import static java.util.Objects.requireNonNull;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes this instance's evidence every {@code interval}: the recorder's snapshot, each step
 * encoded and stored under this run's id. Evidence is cumulative per instance and run, so a
 * publish replaces the last one: a failed publish is counted and simply happens again at the next
 * tick, and an outage of the store loses nothing but time. Ticks never overlap (one that comes
 * while the last is still publishing is skipped), which is what lets {@link EvidenceRecorder#published}
 * drop a step only once a snapshot taken after it stopped being tracked is stored.
 *
 * <p>Snapshot and encoding run on a worker thread: a step's snapshot copies six histograms and its
 * encoding walks them, about 0.1 ms for a step with a few hundred buckets filled but more for many
 * steps (see the class's test for a measure), too long to hold an event loop for every instance.
 */
public final class EvidencePublisher {

    private static final Logger LOG = Logger.getLogger(EvidencePublisher.class.getName());

    private final Vertx vertx;
    private final EvidenceRecorder recorder;
    private final EvidenceStore store;
    private final String runId;
    private final Duration ttl;
    private final AtomicLong failed = new AtomicLong();
    private final long timer;
    // Touched on the timer's context only.
    private Future<Void> inFlight = Future.succeededFuture();
    private boolean closed;

    private EvidencePublisher(Vertx vertx, EvidenceRecorder recorder, EvidenceStore store, String runId, Duration interval,
                              Duration ttl) {
        this.vertx = vertx;
        this.recorder = recorder;
        this.store = store;
        this.runId = runId;
        this.ttl = ttl;
        this.timer = vertx.setPeriodic(interval.toMillis(), id -> {
            if (!closed && inFlight.isComplete()) inFlight = publish();
        });
    }

    /**
     * Starts publishing every {@code interval}. Call it on the context the publisher should live
     * on (a verticle's, or the one {@code vertx.getOrCreateContext()} gives): ticks and {@link #close()} run there.
     *
     * @param runId this instance's run, unique per process start: the field its evidence is stored under
     * @param ttl   how long a step's evidence outlives its last publish; several intervals
     */
    public static EvidencePublisher start(Vertx vertx, EvidenceRecorder recorder, EvidenceStore store, String runId,
                                          Duration interval, Duration ttl) {
        requireNonNull(vertx, "vertx");
        requireNonNull(recorder, "recorder");
        requireNonNull(store, "store");
        requireNonNull(runId, "runId");
        if (interval.toMillis() < 1) throw new IllegalArgumentException("interval must be at least 1 ms, got " + interval);
        if (ttl.compareTo(interval) <= 0) throw new IllegalArgumentException("ttl (" + ttl + ") must be longer than the interval (" + interval + ")");
        return new EvidencePublisher(vertx, recorder, store, runId, interval, ttl);
    }

    /** Publishes that failed so far; each was tried again at the next tick. */
    public long failedPublishes() {
        return failed.get();
    }

    /** Stops the ticks, then publishes one last time (after the one in flight, if any). */
    public Future<Void> close() {
        if (closed) return inFlight;
        closed = true;
        vertx.cancelTimer(timer);
        inFlight = inFlight.eventually(this::publish);
        return inFlight;
    }

    private Future<Void> publish() {
        return vertx.executeBlocking(() -> encoded(recorder.snapshot()), false).compose(encoded -> {
            List<Future<Void>> publishes = new ArrayList<>(encoded.size());
            encoded.forEach((ref, value) -> publishes.add(store.publish(ref, runId, value, ttl)
                    .onSuccess(stored -> recorder.published(ref))
                    .onFailure(error -> {
                        failed.incrementAndGet();
                        LOG.log(Level.FINE, "publishing evidence of " + ref + " failed; again at the next tick", error);
                    })));
            return Future.join(publishes).<Void>mapEmpty().otherwiseEmpty();
        });
    }

    private static Map<StepRef, String> encoded(Map<StepRef, StepEvidence> snapshot) {
        Map<StepRef, String> encoded = new LinkedHashMap<>();
        snapshot.forEach((ref, evidence) -> encoded.put(ref, evidence.encode()));
        return encoded;
    }
}
