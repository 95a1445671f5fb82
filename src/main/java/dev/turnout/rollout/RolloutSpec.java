package dev.turnout.rollout;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * A declared rollout (issue 12): move {@code alias} onto {@code candidate} step by step, judging
 * each step against {@code criteria}. Built by {@link RolloutSpecs#parse}, which reports every
 * problem of a document; the constructors here only refuse what the parser never produces, so a
 * spec built in code cannot hold a value the engine would misread.
 *
 * <p>Promotion after the last step always leaves the candidate at 100%, so the last step need not
 * be 100: {@code [1, 10, 50]} judges three steps and then promotes.
 *
 * @param shadowFirst shadow the candidate before it takes any traffic; null to start at step 0
 * @param gate        a probe the candidate must pass before anything else; null for none
 * @param criteria    the threshold of each judged criterion, ordered as {@link Criterion} declares them
 *                    (not as the document lists them); at least one
 */
public record RolloutSpec(String alias, String candidate, ShadowFirst shadowFirst, List<Step> steps,
                          Map<Criterion, Double> criteria, OnFailure onFailure, Gate gate) {

    public RolloutSpec(String alias, String candidate, ShadowFirst shadowFirst, List<Step> steps,
                       Map<Criterion, Double> criteria, OnFailure onFailure) {
        this(alias, candidate, shadowFirst, steps, criteria, onFailure, null);
    }

    public static final int MAX_STEPS = 20;
    public static final long DEFAULT_MIN_REQUESTS = 200;
    public static final long DEFAULT_MIN_SECONDS = 60;
    public static final long DEFAULT_MAX_SECONDS = 900;
    public static final long MAX_MIN_REQUESTS = 100_000_000;
    /** A week: a step that waits longer is an abandoned rollout, not a cautious one. */
    public static final long MAX_STEP_SECONDS = 7 * 86_400;
    public static final double DEFAULT_SHADOW_SAMPLE = 0.1;
    public static final long DEFAULT_MIN_PAIRS = 200;
    public static final long MAX_MIN_PAIRS = 1_000_000;

    public RolloutSpec {
        requireNonNull(alias, "alias");
        requireNonNull(candidate, "candidate");
        steps = List.copyOf(requireNonNull(steps, "steps"));
        requireNonNull(onFailure, "onFailure");
        if (steps.isEmpty() || steps.size() > MAX_STEPS) {
            throw new IllegalArgumentException("steps: from 1 to " + MAX_STEPS + ", got " + steps.size());
        }
        for (int i = 1; i < steps.size(); i++) {
            if (!(steps.get(i).weight() > steps.get(i - 1).weight())) {
                throw new IllegalArgumentException("steps: weights must increase, got " + steps);
            }
        }
        if (requireNonNull(criteria, "criteria").isEmpty()) {
            throw new IllegalArgumentException("criteria: at least one");
        }
        criteria.forEach((criterion, threshold) -> {
            if (!(threshold >= criterion.min() && threshold <= criterion.max())) {
                throw new IllegalArgumentException("criteria." + criterion.label() + "." + criterion.thresholdName()
                        + ": in [" + criterion.min() + ", " + criterion.max() + "], got " + threshold);
            }
        });
        criteria = Collections.unmodifiableMap(new EnumMap<>(criteria));
    }

    /**
     * One step: the candidate serves {@code weight}% of the alias until the step is judged. It
     * passes no sooner than {@code minRequests} candidate requests and {@code minSeconds}, and
     * after {@code maxSeconds} still inconclusive, the rollout's {@link OnFailure} applies.
     */
    public record Step(double weight, long minRequests, long minSeconds, long maxSeconds) {
        public Step {
            if (!(weight > 0 && weight <= 100)) throw new IllegalArgumentException("weight: in (0, 100], got " + weight);
            if (minRequests < 0 || minSeconds < 0 || maxSeconds < minSeconds || maxSeconds > MAX_STEP_SECONDS) {
                throw new IllegalArgumentException("step minimums out of range: " + this);
            }
        }
    }

    /**
     * Before step 0, copy {@code sample} of the alias's traffic to the candidate as a shadow until
     * {@code minPairs} primary/shadow pairs have been compared.
     */
    public record ShadowFirst(double sample, long minPairs) {
        public ShadowFirst {
            if (!(sample > 0 && sample <= 1)) throw new IllegalArgumentException("sample: in (0, 1], got " + sample);
            if (minPairs < 1 || minPairs > MAX_MIN_PAIRS) throw new IllegalArgumentException("minPairs: " + minPairs);
        }
    }

    /**
     * Before anything else, probe {@code probe} (a golden set, issue 13) is run against the candidate
     * and the baseline's versions: the candidate must pass at least {@code minPassRate} of the items,
     * and no less than the baseline's pass rate minus {@code maxDropVsBaseline}.
     */
    public record Gate(String probe, double minPassRate, double maxDropVsBaseline) {
        public Gate {
            requireNonNull(probe, "probe");
            if (!(minPassRate >= 0 && minPassRate <= 1)) throw new IllegalArgumentException("minPassRate: in [0, 1], got " + minPassRate);
            if (!(maxDropVsBaseline >= 0 && maxDropVsBaseline <= 1)) {
                throw new IllegalArgumentException("maxDropVsBaseline: in [0, 1], got " + maxDropVsBaseline);
            }
        }
    }
}
