package dev.turnout.rollout.engine;

import static java.util.Objects.requireNonNull;

import dev.turnout.route.Alias;
import dev.turnout.rollout.Criterion;
import dev.turnout.rollout.RolloutSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rollout as stored: its spec, where it stands, what it last wrote to the routes, and why. Immutable;
 * the engine changes one through a {@link Draft} and stores the result with compare-and-set on
 * {@code revision}, so two writers (the leader, an operator) never overwrite each other unseen.
 *
 * <p>Route changes are written in two phases so that a leader dying at any moment is harmless: the
 * alias to write is first stored as {@code pending}, then written to the routes, then moved to
 * {@code written}. Whoever leads next finds {@code pending} and finishes the change exactly once.
 * An alias in the routes that is neither {@code written} nor {@code pending} was changed by someone
 * else, and the rollout pauses rather than overwrite it.
 *
 * @param step         the step being judged; -1 while shadowing
 * @param attempt      increases each time a phase starts over (a resume, a passed gate), so it gathers fresh evidence
 * @param stepKeys     the evidence keys of every phase so far (beyond-noise evidence is pooled over them)
 * @param stepElapsedMs time the step has been judged; a gap with no look (the store down, no leader) does not count
 * @param baseline     the alias when the rollout started: what a rollback restores
 * @param written      the alias as the rollout last wrote it (at creation: as it found it)
 * @param pending      the alias about to be written, or null
 * @param resumeTo     the state a paused rollout resumes to
 */
public record Rollout(String id, long revision, RolloutSpec spec, Instant createdAt, Instant updatedAt,
        RolloutState state, RolloutState resumeTo, String reason,
        int step, int attempt, List<String> stepKeys, long stepElapsedMs, Instant lastLookAt, int ratioLooks,
        Alias baseline, Alias written, Alias pending, String pendingReason,
        Look look, List<LogEntry> log, long logDropped) {

    /** The decision log keeps the newest entries; older ones are counted in {@code logDropped}. */
    public static final int MAX_LOG = 100;

    public Rollout {
        requireNonNull(id, "id");
        requireNonNull(spec, "spec");
        requireNonNull(state, "state");
        requireNonNull(baseline, "baseline");
        requireNonNull(written, "written");
        requireNonNull(look, "look");
        stepKeys = List.copyOf(stepKeys);
        log = List.copyOf(log);
        reason = reason == null ? "" : reason;
    }

    /** The latest look's figures. */
    public record Look(List<CriterionStatus> criteria, long candidateRequests, long baselineRequests, long scoredPairs,
            long beyondNoisePairs, Map<String, Double> pValues) {
        public static final Look NONE = new Look(List.of(), 0, 0, 0, 0, Map.of());

        public Look {
            criteria = List.copyOf(criteria);
            pValues = Map.copyOf(pValues);
        }
    }

    /** The key of the current phase's evidence: {@code shadow.<attempt>} or {@code step<i>.<attempt>}. */
    public String stepKey() {
        return stepKey(step, attempt);
    }

    static String stepKey(int step, int attempt) {
        return (step < 0 ? "shadow" : "step" + step) + "." + attempt;
    }

    /** The candidate's weight at the current step, in percent; 0 while shadowing. */
    public double stepWeight() {
        return step < 0 ? 0 : spec.steps().get(step).weight();
    }

    public boolean isActive() {
        return !state.isFinal() || pending != null;
    }

    public Draft draft() {
        return new Draft(this);
    }

    /** A mutable copy for one change; {@link #build} makes the next revision. */
    public static final class Draft {
        private final Rollout from;
        Instant updatedAt;
        RolloutState state;
        RolloutState resumeTo;
        String reason;
        int step;
        int attempt;
        final List<String> stepKeys;
        long stepElapsedMs;
        Instant lastLookAt;
        int ratioLooks;
        Alias written;
        Alias pending;
        String pendingReason;
        Look look;
        final List<LogEntry> log;
        long logDropped;

        private Draft(Rollout from) {
            this.from = from;
            updatedAt = from.updatedAt;
            state = from.state;
            resumeTo = from.resumeTo;
            reason = from.reason;
            step = from.step;
            attempt = from.attempt;
            stepKeys = new ArrayList<>(from.stepKeys);
            stepElapsedMs = from.stepElapsedMs;
            lastLookAt = from.lastLookAt;
            ratioLooks = from.ratioLooks;
            written = from.written;
            pending = from.pending;
            pendingReason = from.pendingReason;
            look = from.look;
            log = new ArrayList<>(from.log);
            logDropped = from.logDropped;
        }

        /** Starts {@code newStep} (or the same step again with a new attempt) at {@code now}, with no evidence and a fresh clock. */
        Draft enter(int newStep, int newAttempt, Instant now) {
            step = newStep;
            attempt = newAttempt;
            String key = stepKey(newStep, newAttempt);
            if (!stepKeys.contains(key)) stepKeys.add(key);
            stepElapsedMs = 0;
            lastLookAt = now; // the clock runs from here, so a gap before the step's first look is seen too
            ratioLooks = 0;
            look = new Look(List.of(), 0, 0, look.scoredPairs(), look.beyondNoisePairs(), pValuesKept(look.pValues()));
            return this;
        }

        /** The beyond-noise p-value spans the whole rollout (its evidence is pooled); the others restart per step. */
        private static Map<String, Double> pValuesKept(Map<String, Double> pValues) {
            Map<String, Double> kept = new LinkedHashMap<>();
            Double beyond = pValues.get(Criterion.BEYOND_NOISE.label());
            if (beyond != null) kept.put(Criterion.BEYOND_NOISE.label(), beyond);
            return kept;
        }

        Draft log(Instant time, String event, String detail) {
            log.add(new LogEntry(time, step, step < 0 ? 0 : from.spec.steps().get(step).weight(), event, detail));
            while (log.size() > MAX_LOG) {
                log.remove(0);
                logDropped++;
            }
            return this;
        }

        public Rollout build() {
            return new Rollout(from.id, from.revision + 1, from.spec, from.createdAt, updatedAt, state, resumeTo, reason,
                    step, attempt, stepKeys, stepElapsedMs, lastLookAt, ratioLooks, from.baseline, written,
                    pending, pendingReason, look, log, logDropped);
        }
    }
}
