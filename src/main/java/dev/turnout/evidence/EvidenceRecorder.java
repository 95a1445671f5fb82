package dev.turnout.evidence;

import static java.util.Objects.requireNonNull;

import dev.turnout.diff.DiffRecord;
import dev.turnout.diff.DiffSink;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * This instance's evidence for the rollout steps it is told to track: the hot-path side of a
 * rollout. The data plane asks {@link #tracks} first (one volatile read and a map lookup) and
 * reports a finished request with {@link #request} only for a tracked alias, so untracked
 * traffic costs nothing more. The differ thread reports compared shadow pairs through
 * {@link #accept}.
 *
 * <p>Recording never locks: each distribution is an HdrHistogram {@link Recorder} (wait-free for
 * the event loops that record into it), errors and pairs are {@link LongAdder}s. The publisher's
 * {@link #snapshot} flips the recorders and adds what they held to each step's cumulative
 * histograms, under the step's own lock, which only {@link #snapshot} takes.
 *
 * <p>Evidence is cumulative per instance and step, from the first request this instance recorded
 * to the step: publishing it again replaces what was published, never adds to it. A step that
 * stops being tracked (its rollout moved on or ended) keeps its accumulator until a snapshot taken
 * after that has been published ({@link #published}), so what it recorded last is not lost.
 *
 * <p>At most {@code maxTrackedSteps} accumulators exist (tracked ones and those waiting for their
 * last publish together; about 0.5 MB each): beyond that a new step is refused and counted in
 * {@link #dropped()}, and its requests go unrecorded.
 */
public final class EvidenceRecorder implements DiffSink {

    private final int maxTrackedSteps;
    /** Every accumulator, tracked or waiting for its last publish; guarded by {@code this}. */
    private final Map<StepRef, Step> steps = new LinkedHashMap<>();
    private final AtomicLong dropped = new AtomicLong();
    /** Steps refused at the last {@link #track}, so one refused step is counted once; guarded by {@code this}. */
    private Set<StepRef> refused = Set.of();
    /** What the hot path reads: tracked alias to its step's accumulator. Replaced whole, never changed. */
    private volatile Map<String, Step> byAlias = Map.of();

    public EvidenceRecorder(int maxTrackedSteps) {
        if (maxTrackedSteps < 1) throw new IllegalArgumentException("maxTrackedSteps must be >= 1, got " + maxTrackedSteps);
        this.maxTrackedSteps = maxTrackedSteps;
    }

    /**
     * Replaces what is tracked. A step already tracked keeps its accumulator; one no longer in
     * {@code tracked} waits for its last publish. An alias may be tracked by one rollout at a time,
     * and a step ({@link StepRef}) always names the same alias and candidate.
     *
     * @throws IllegalArgumentException if two entries name the same alias, or an entry names a
     *                                  known step with another alias or candidate; nothing changes then
     */
    public synchronized void track(Collection<Tracked> tracked) {
        Map<String, Tracked> wanted = new HashMap<>();
        for (Tracked entry : tracked) {
            Tracked other = wanted.put(entry.alias(), entry);
            if (other != null) {
                throw new IllegalArgumentException("alias '" + entry.alias() + "' is tracked twice, by rollouts '"
                        + other.rolloutId() + "' and '" + entry.rolloutId() + "'");
            }
            Step known = steps.get(entry.ref());
            if (known != null && !known.tracked.equals(entry)) {
                throw new IllegalArgumentException("step " + entry.ref() + " was tracked as " + known.tracked + ", now as " + entry);
            }
        }
        Map<String, Step> next = new HashMap<>();
        Set<StepRef> nowRefused = new HashSet<>();
        for (Tracked entry : wanted.values()) {
            Step step = steps.get(entry.ref());
            if (step == null) {
                if (steps.size() >= maxTrackedSteps) {
                    if (!refused.contains(entry.ref())) dropped.incrementAndGet(); // once per step, not per call
                    nowRefused.add(entry.ref());
                    continue;
                }
                step = new Step(entry);
                steps.put(entry.ref(), step);
            }
            step.retired = false;
            next.put(entry.alias(), step);
        }
        for (Step step : steps.values()) {
            if (next.get(step.tracked.alias()) != step && !step.retired) {
                step.retired = true;
                step.snapshotSinceRetired = false;
            }
        }
        refused = nowRefused;
        byAlias = Map.copyOf(next);
    }

    /** Whether requests to {@code alias} are recorded: what the data plane checks before any other work. */
    public boolean tracks(String alias) {
        return byAlias.containsKey(alias);
    }

    /**
     * One finished request to a tracked alias (others are ignored). Safe from any thread; never blocks.
     *
     * @param ttftNanos        time to first byte; 0 or less when unknown
     * @param completionTokens from the answer's usage; negative when unknown
     */
    public void request(String alias, String version, boolean error, long latencyNanos, long ttftNanos, long completionTokens) {
        Step step = byAlias.get(alias);
        if (step == null) return;
        Arm arm = step.tracked.candidate().equals(version) ? step.candidate : step.baseline;
        arm.record(error, latencyNanos, ttftNanos, completionTokens);
    }

    /**
     * A compared pair, on the differ thread: counted when it compares the tracked candidate of its
     * alias with the primary and has a verdict (an error or an uncalibrated pair says nothing about
     * whether the candidate differs).
     */
    @Override
    public void accept(DiffRecord record) {
        if (!DiffRecord.CANDIDATE.equals(record.kind())) return;
        Step step = byAlias.get(record.alias());
        if (step == null || !step.tracked.candidate().equals(record.candidate())) return;
        switch (record.metrics().verdict()) {
            case SAME, SIMILAR -> step.scored.increment();
            case DIFFERENT -> {
                step.scored.increment(); // before beyondNoise: a snapshot reads them the other way round
                step.beyondNoise.increment();
            }
            case ERROR, UNCALIBRATED -> { }
        }
    }

    /**
     * This instance's cumulative evidence of every step it tracks or has not yet published since it
     * stopped tracking it. For one publisher at a time: call it, publish, then {@link #published}.
     */
    public Map<StepRef, StepEvidence> snapshot() {
        Map<StepRef, Step> taken;
        synchronized (this) {
            for (Step step : steps.values()) {
                if (step.retired) step.snapshotSinceRetired = true;
            }
            taken = new LinkedHashMap<>(steps);
        }
        // Outside the recorder's lock (about 0.1 ms a step): track() is not held up by it.
        Map<StepRef, StepEvidence> snapshot = new LinkedHashMap<>();
        taken.forEach((ref, step) -> snapshot.put(ref, step.snapshot()));
        return snapshot;
    }

    /**
     * The evidence of {@code ref} from the latest {@link #snapshot} is stored: a step no longer
     * tracked, and snapshot after it stopped being tracked, is dropped (requests finishing after
     * that are not recorded, since the step is no longer tracked).
     */
    public synchronized void published(StepRef ref) {
        Step step = steps.get(ref);
        if (step != null && step.retired && step.snapshotSinceRetired) steps.remove(ref);
    }

    /** Steps refused because {@code maxTrackedSteps} accumulators existed already. */
    public long dropped() {
        return dropped.get();
    }

    /** {@code turnout_rollout_evidence_dropped_total}: no labels. */
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("turnout_rollout_evidence_dropped", dropped, AtomicLong::get)
                .description("Rollout steps whose evidence this instance did not record: it held as many accumulators as allowed")
                .register(registry);
    }

    /** One step's accumulator. */
    private static final class Step {
        final Tracked tracked;
        final Arm candidate = new Arm();
        final Arm baseline = new Arm();
        final LongAdder scored = new LongAdder();
        final LongAdder beyondNoise = new LongAdder();
        // Guarded by the recorder.
        boolean retired;
        boolean snapshotSinceRetired;

        Step(Tracked tracked) {
            this.tracked = requireNonNull(tracked);
        }

        /** beyondNoise before scored: {@link #accept} counts a pair as scored first. */
        synchronized StepEvidence snapshot() {
            long beyond = beyondNoise.sum();
            return new StepEvidence(candidate.snapshot(), baseline.snapshot(), scored.sum(), beyond);
        }
    }

    /**
     * One arm's recorders and what earlier snapshots collected from them. Requests are the latency
     * histogram's count: one value per request, so they can never disagree.
     */
    private static final class Arm {
        final Recorder latencyRecorder = new Recorder(1, ArmEvidence.MAX_MICROS, ArmEvidence.DIGITS);
        final Recorder ttftRecorder = new Recorder(1, ArmEvidence.MAX_MICROS, ArmEvidence.DIGITS);
        final Recorder tokensRecorder = new Recorder(1, ArmEvidence.MAX_TOKENS, ArmEvidence.DIGITS);
        final LongAdder errors = new LongAdder();
        // Guarded by the step: the cumulative histograms, and the interval ones handed back to the recorders.
        final Histogram latency = ArmEvidence.latencyHistogram();
        final Histogram ttft = ArmEvidence.latencyHistogram();
        final Histogram tokens = ArmEvidence.tokenHistogram();
        Histogram latencySpare;
        Histogram ttftSpare;
        Histogram tokensSpare;

        /** Latency first: whatever else of the request a snapshot sees, it sees its latency too. */
        void record(boolean error, long latencyNanos, long ttftNanos, long completionTokens) {
            latencyRecorder.recordValue(ArmEvidence.clamp(latencyNanos / 1000, ArmEvidence.MAX_MICROS));
            if (ttftNanos > 0) ttftRecorder.recordValue(ArmEvidence.clamp(ttftNanos / 1000, ArmEvidence.MAX_MICROS));
            if (completionTokens >= 0) tokensRecorder.recordValue(ArmEvidence.clamp(completionTokens, ArmEvidence.MAX_TOKENS));
            if (error) errors.increment();
        }

        /**
         * The mirror of {@link #record}'s order: errors, time to first byte and tokens are collected
         * before latency, so each counted value belongs to a request whose latency, recorded
         * earlier, is collected too. Requests (one latency each) never fall short of the others,
         * which is what {@link StepEvidence#decode} insists on.
         */
        ArmEvidence snapshot() {
            long errorCount = errors.sum();
            ttftSpare = ttftRecorder.getIntervalHistogram(ttftSpare);
            ttft.add(ttftSpare);
            tokensSpare = tokensRecorder.getIntervalHistogram(tokensSpare);
            tokens.add(tokensSpare);
            latencySpare = latencyRecorder.getIntervalHistogram(latencySpare);
            latency.add(latencySpare);
            return new ArmEvidence(latency.getTotalCount(), errorCount, latency.copy(), ttft.copy(), tokens.copy());
        }
    }
}
