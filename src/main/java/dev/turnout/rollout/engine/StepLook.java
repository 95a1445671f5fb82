package dev.turnout.rollout.engine;

import dev.turnout.diff.Statistics.Interval;
import dev.turnout.evidence.ArmEvidence;
import dev.turnout.evidence.StepEvidence;
import dev.turnout.judge.CriterionJudgement;
import dev.turnout.judge.Decision;
import dev.turnout.judge.QuantileRatioTest;
import dev.turnout.judge.RateEvidence;
import dev.turnout.judge.RateJudgement;
import dev.turnout.judge.RatioJudgement;
import dev.turnout.judge.SequentialRateTest;
import dev.turnout.judge.StepDecision;
import dev.turnout.judge.StepJudge;
import dev.turnout.judge.StepMinimums;
import dev.turnout.rollout.Criterion;
import dev.turnout.rollout.RolloutSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One look at a rollout's current phase: every criterion judged on the fleet's merged evidence, and
 * the step's decision. Pure: the engine gathers the evidence and carries out the decision.
 *
 * <ul>
 *   <li>Rates ({@code errorRate} per step, {@code beyondNoise} pooled over the whole rollout, since a
 *       candidate's answers do not depend on its weight) are judged at every look by the mSPRT, whose
 *       p-value is carried from look to look, so a step fails early on strong evidence.</li>
 *   <li>Distributions (p95 latency and time to first byte, median completion tokens) are judged by the
 *       bootstrap only once the step's minimums are met, then at most {@link #MAX_RATIO_LOOKS} times
 *       evenly spread until {@code maxSeconds}: the bootstrap's per-look level is set for that many
 *       looks. Between two of those looks a criterion keeps its last verdict.</li>
 *   <li>At weight 100 the baseline serves nothing; the baseline figures are then the previous step's.</li>
 *   <li>While shadowing only {@code beyondNoise} is judged, and the phase needs {@code minPairs}
 *       compared pairs; it is bounded by the first step's {@code maxSeconds}.</li>
 * </ul>
 */
public final class StepLook {

    public static final int MAX_RATIO_LOOKS = 10;
    /** Values each arm feeds the bootstrap: bounds its cost (resamples × n log n) whatever the traffic. */
    static final int SAMPLE_CAP = 2_000;

    /** What a look concluded, and the figures to store and show. */
    public record Result(StepDecision decision, Rollout.Look look, boolean ratioLooked) {}

    private StepLook() {}

    /**
     * @param current          the fleet's evidence for the current phase
     * @param pooled           the fleet's evidence over every phase so far (for beyond-noise pairs)
     * @param previousBaseline the previous step's baseline arm, used when the current step leaves the baseline no traffic
     */
    public static Result judge(Rollout rollout, StepEvidence current, StepEvidence pooled, ArmEvidence previousBaseline,
            long elapsedMs) {
        RolloutSpec spec = rollout.spec();
        boolean shadowing = rollout.step() < 0;
        ArmEvidence candidate = current.candidate();
        // At weight 100 the baseline serves nothing by design: a few requests still in flight when the
        // step began are no baseline to judge on, so the previous step's baseline stands in, with them.
        boolean full = !shadowing && rollout.stepWeight() >= 100;
        ArmEvidence baseline = full && previousBaseline != null ? previousBaseline.merge(current.baseline()) : current.baseline();
        Map<String, CriterionStatus> before = new LinkedHashMap<>();
        rollout.look().criteria().forEach(status -> before.put(status.criterion(), status));
        Map<String, Double> pValues = new LinkedHashMap<>(rollout.look().pValues());

        StepMinimums minimums;
        long progress;
        if (shadowing) {
            RolloutSpec.Step first = spec.steps().get(0);
            minimums = StepMinimums.of(spec.shadowFirst() == null ? 0 : spec.shadowFirst().minPairs(), 0, first.maxSeconds());
            progress = pooled.scoredPairs();
        } else {
            RolloutSpec.Step step = spec.steps().get(rollout.step());
            minimums = StepMinimums.of(step.minRequests(), step.minSeconds(), step.maxSeconds());
            progress = candidate.requests();
        }
        Duration elapsed = Duration.ofMillis(elapsedMs);
        boolean minimumsMet = progress >= minimums.minRequests() && elapsed.compareTo(minimums.minTime()) >= 0;
        long spacingMs = Math.max(1, (minimums.maxTime().toMillis() - minimums.minTime().toMillis()) / MAX_RATIO_LOOKS);
        boolean ratioDue = !shadowing && minimumsMet && rollout.ratioLooks() < MAX_RATIO_LOOKS
                && elapsedMs >= minimums.minTime().toMillis() + rollout.ratioLooks() * spacingMs;

        List<CriterionJudgement> judgements = new ArrayList<>();
        List<CriterionStatus> statuses = new ArrayList<>();
        for (Map.Entry<Criterion, Double> entry : spec.criteria().entrySet()) {
            Criterion criterion = entry.getKey();
            double threshold = entry.getValue();
            if (shadowing && criterion != Criterion.BEYOND_NOISE) continue;
            String label = criterion.label();
            switch (criterion) {
                case ERROR_RATE -> {
                    RateEvidence evidence = new RateEvidence(candidate.requests(), candidate.errors(), baseline.requests(), baseline.errors());
                    RateJudgement judged = SequentialRateTest.increaseAtMost(threshold).judge(evidence, previous(pValues, label, threshold));
                    pValues.put(label, judged.pValue());
                    judgements.add(new CriterionJudgement(label, judged));
                    statuses.add(rateStatus(label, judged, share(candidate.errors(), candidate.requests()),
                            share(baseline.errors(), baseline.requests())));
                }
                case BEYOND_NOISE -> {
                    RateEvidence evidence = RateEvidence.candidateOnly(pooled.scoredPairs(), pooled.beyondNoisePairs());
                    RateJudgement judged = SequentialRateTest.shareAtMost(threshold).judge(evidence, previous(pValues, label, threshold));
                    pValues.put(label, judged.pValue());
                    judgements.add(new CriterionJudgement(label, judged));
                    statuses.add(rateStatus(label, judged, share(pooled.beyondNoisePairs(), pooled.scoredPairs()), Double.NaN));
                }
                case LATENCY_P95, TTFT_P95, COMPLETION_TOKENS -> {
                    RatioJudgement judged;
                    if (ratioDue) {
                        judged = ratioTest(criterion, threshold).judge(samples(criterion, candidate), samples(criterion, baseline));
                    } else {
                        judged = kept(before.get(label), threshold);
                    }
                    judgements.add(new CriterionJudgement(label, judged));
                    statuses.add(ratioStatus(label, judged, ratioDue || before.containsKey(label)));
                }
            }
        }
        StepDecision decision = StepJudge.judge(minimums, progress, elapsed, judgements);
        if (shadowing) {
            // The judge speaks of requests; while shadowing, what it counts are compared pairs.
            decision = new StepDecision(decision.outcome(), decision.criteria(), decision.reason()
                    .replace("minRequests", "minPairs").replace("candidate requests", "compared pairs"));
        }
        Rollout.Look look = new Rollout.Look(statuses, candidate.requests(), baseline.requests(), pooled.scoredPairs(),
                pooled.beyondNoisePairs(), pValues);
        return new Result(decision, look, ratioDue);
    }

    static QuantileRatioTest ratioTest(Criterion criterion, double maxRatio) {
        return QuantileRatioTest.of(criterion == Criterion.COMPLETION_TOKENS ? 0.5 : 0.95, maxRatio);
    }

    private static double[] samples(Criterion criterion, ArmEvidence arm) {
        return switch (criterion) {
            case LATENCY_P95 -> arm.latencyMillis(SAMPLE_CAP);
            case TTFT_P95 -> arm.ttftMillis(SAMPLE_CAP);
            default -> arm.completionTokens(SAMPLE_CAP);
        };
    }

    /** The mSPRT only needs the running minimum of the p-value from the step's earlier looks. */
    private static RateJudgement previous(Map<String, Double> pValues, String label, double threshold) {
        Double p = pValues.get(label);
        return p == null ? null : new RateJudgement(Decision.INCONCLUSIVE, 0, threshold, p, new Interval(0, 1), "");
    }

    /** A distribution criterion between its looks keeps the verdict of its last look. */
    private static RatioJudgement kept(CriterionStatus last, double threshold) {
        if (last == null) {
            return new RatioJudgement(Decision.INCONCLUSIVE, Double.NaN, Double.NaN, Double.NaN, threshold,
                    new Interval(Double.NaN, Double.NaN), "bootstrap of the quantile ratio; judged once the step's minimums are met");
        }
        return new RatioJudgement(Decision.valueOf(last.decision().toUpperCase(java.util.Locale.ROOT)), last.candidate(),
                last.baseline(), last.estimate(), threshold, new Interval(last.low(), last.high()), last.test());
    }

    private static CriterionStatus rateStatus(String label, RateJudgement judged, double candidate, double baseline) {
        return new CriterionStatus(label, judged.threshold(), judged.decision().label(), judged.testName(), candidate, baseline,
                judged.estimate(), judged.interval().low(), judged.interval().high(), judged.pValue(), judged.summary());
    }

    private static CriterionStatus ratioStatus(String label, RatioJudgement judged, boolean looked) {
        String summary = looked ? judged.summary()
                : "inconclusive: not judged yet; the bootstrap looks once the step's minimums are met, at most "
                        + MAX_RATIO_LOOKS + " times per step";
        return new CriterionStatus(label, judged.maxRatio(), judged.decision().label(), judged.testName(),
                judged.candidateQuantile(), judged.baselineQuantile(), judged.ratio(), judged.interval().low(),
                judged.interval().high(), Double.NaN, summary);
    }

    private static double share(long events, long trials) {
        return trials == 0 ? Double.NaN : events / (double) trials;
    }
}
