package dev.turnout.judge;

import dev.turnout.diff.Statistics;
import dev.turnout.diff.Statistics.Interval;
import java.util.Locale;
import java.util.Objects;

/**
 * Judges a rate (errors, the beyond-noise share) by a mixture sequential probability ratio test
 * (mSPRT; Johari, Pekelis and Walsh, "Always valid inference", 2017), so the engine may look after
 * every evidence bucket and still keep its error rates: a step fails on the first look where the
 * evidence is strong and never passes on too little.
 *
 * <p>The quantity θ is the candidate's share minus the baseline's ({@link #increaseAtMost}) or the
 * candidate's share ({@link #shareAtMost}); both criteria run through the same code below, only the
 * estimate and its variance differ. By the normal approximation θ̂ ~ N(θ, V), with V the sum of the
 * arms' p(1 − p)/n. Against H₀: θ ≤ θ₀ (θ₀ the threshold) the test mixes the likelihood ratios of
 * θ₀ + u against θ₀ over a half-normal u ~ |N(0, τ²)|:
 * <pre>
 *   Λ = 2 · √(V / (V + τ²)) · exp(τ²δ² / (2V(V + τ²))) · Φ(m / s),   δ = θ̂ − θ₀,
 *   m = τ²δ / (V + τ²),   s² = Vτ² / (V + τ²)
 * </pre>
 * Every mixed ratio has u &gt; 0, so each is a supermartingale under any θ ≤ θ₀ (not only at θ₀),
 * and by Ville's inequality Λ ever reaching 1/α has chance at most α: the p-value min over looks of
 * 1/Λ is always valid. The one-sided mixture roughly halves the evidence needed compared with the
 * symmetric one, which would also spend power on "better than the threshold".
 *
 * <p>Passing uses the symmetric mixture's (1 − α) confidence sequence, θ̂ ± √(V(V + τ²)/τ² ·
 * (2 ln(1/α) + ln((V + τ²)/V))): a step passes once its upper end is below θ₀ (and the minimum trials
 * are in), which under θ ≥ θ₀ happens at any look with chance at most α.
 *
 * <p>Approximations, measured rather than assumed in {@code RolloutSimulationTest}: V is a plug-in
 * estimate, with one pseudo-event and one pseudo-non-event per arm (Agresti–Caffo) so that a run of
 * zero errors does not claim zero variance; and the normal approximation is poor for a handful of
 * trials, where τ (the effect size the mixture expects, by default the threshold itself) keeps Λ
 * near 1 anyway because V ≫ τ².
 */
public final class SequentialRateTest {

    public static final double DEFAULT_ALPHA = 0.05;
    public static final long DEFAULT_MIN_TRIALS = 100;
    /** τ is the threshold by default, but never below this: a zero tolerance still needs a mixture scale. */
    static final double MIN_MIXING_SD = 0.005;

    private final boolean comparesWithBaseline;
    private final double threshold;
    private final double alpha;
    private final double mixingVariance;
    private final long minTrials;
    private final String testName;

    private SequentialRateTest(boolean comparesWithBaseline, double threshold, double alpha, double mixingSd,
            long minTrials) {
        if (!(threshold >= 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold: " + threshold + " (expected: in [0, 1))");
        }
        if (!(alpha > 0 && alpha < 1)) throw new IllegalArgumentException("alpha: " + alpha + " (expected: in (0, 1))");
        if (!(mixingSd > 0)) throw new IllegalArgumentException("mixingSd: " + mixingSd + " (expected: > 0)");
        if (minTrials < 1) throw new IllegalArgumentException("minTrials: " + minTrials + " (expected: >= 1)");
        this.comparesWithBaseline = comparesWithBaseline;
        this.threshold = threshold;
        this.alpha = alpha;
        this.mixingVariance = mixingSd * mixingSd;
        this.minTrials = minTrials;
        this.testName = String.format(Locale.ROOT, "mSPRT %s, half-normal mixture tau=%.4g, alpha=%.3g",
                comparesWithBaseline ? "difference of proportions" : "one proportion", mixingSd, alpha);
    }

    /** The candidate's rate may exceed the baseline's by at most {@code maxIncrease} (errorRate). */
    public static SequentialRateTest increaseAtMost(double maxIncrease) {
        return new SequentialRateTest(true, maxIncrease, DEFAULT_ALPHA, defaultMixingSd(maxIncrease), DEFAULT_MIN_TRIALS);
    }

    /** The candidate's share may be at most {@code maxShare} (beyondNoise). */
    public static SequentialRateTest shareAtMost(double maxShare) {
        return new SequentialRateTest(false, maxShare, DEFAULT_ALPHA, defaultMixingSd(maxShare), DEFAULT_MIN_TRIALS);
    }

    /** A copy with another significance level (the false-failure and false-pass bound). */
    public SequentialRateTest withAlpha(double alpha) {
        return new SequentialRateTest(comparesWithBaseline, threshold, alpha, Math.sqrt(mixingVariance), minTrials);
    }

    /** A copy that passes only once each compared arm has at least {@code minTrials} trials. */
    public SequentialRateTest withMinTrials(long minTrials) {
        return new SequentialRateTest(comparesWithBaseline, threshold, alpha, Math.sqrt(mixingVariance), minTrials);
    }

    public double threshold() {
        return threshold;
    }

    /** The first look of a step: {@code judge(evidence, null)}. */
    public RateJudgement judge(RateEvidence evidence) {
        return judge(evidence, null);
    }

    /**
     * @param evidence cumulative counts for the step so far
     * @param previous this criterion's judgement at the step's previous look, or null at the first:
     *                 the p-value is the running minimum, so a look never forgets earlier evidence
     */
    public RateJudgement judge(RateEvidence evidence, RateJudgement previous) {
        Objects.requireNonNull(evidence, "evidence");
        if (!comparesWithBaseline && evidence.baselineTrials() > 0) {
            throw new IllegalArgumentException("a share-at-most criterion takes no baseline counts (use RateEvidence.candidateOnly)");
        }
        double previousP = previous == null ? 1 : previous.pValue();
        boolean noData = evidence.candidateTrials() == 0 || comparesWithBaseline && evidence.baselineTrials() == 0;
        if (noData) {
            Interval anything = comparesWithBaseline ? new Interval(-1, 1) : new Interval(0, 1);
            return new RateJudgement(Decision.INCONCLUSIVE, 0, threshold, previousP, anything, testName);
        }
        double estimate = evidence.candidateShare() - (comparesWithBaseline ? evidence.baselineShare() : 0);
        double variance = armVariance(evidence.candidateTrials(), evidence.candidateEvents())
                + (comparesWithBaseline ? armVariance(evidence.baselineTrials(), evidence.baselineEvents()) : 0);
        double pValue = Math.min(previousP, Math.min(1, Math.exp(-logMixtureRatio(estimate - threshold, variance))));
        Interval interval = confidenceSequence(estimate, variance);
        Decision decision;
        if (pValue < alpha) decision = Decision.FAIL;
        else if (enoughTrials(evidence) && interval.high() < threshold) decision = Decision.PASS;
        else decision = Decision.INCONCLUSIVE;
        return new RateJudgement(decision, estimate, threshold, pValue, interval, testName);
    }

    private boolean enoughTrials(RateEvidence evidence) {
        return evidence.candidateTrials() >= minTrials && (!comparesWithBaseline || evidence.baselineTrials() >= minTrials);
    }

    /** p(1 − p)/n with Agresti–Caffo's pseudo-counts: never zero, so all-or-nothing arms stay finite. */
    private static double armVariance(long trials, long events) {
        double share = (events + 1.0) / (trials + 2.0);
        return share * (1 - share) / trials;
    }

    /** ln Λ of the half-normal mixture (class comment); finite for every finite input. */
    double logMixtureRatio(double excess, double variance) {
        double total = variance + mixingVariance;
        double posteriorMean = mixingVariance * excess / total;
        double posteriorSd = Math.sqrt(variance * mixingVariance / total);
        double upperMass = Statistics.normalCdf(posteriorMean / posteriorSd);
        // Φ underflows to 0 far below the threshold: the evidence is then as weak as it gets.
        if (upperMass <= 0) return Double.NEGATIVE_INFINITY;
        return Math.log(2) + 0.5 * Math.log(variance / total)
                + mixingVariance * excess * excess / (2 * variance * total) + Math.log(upperMass);
    }

    private Interval confidenceSequence(double estimate, double variance) {
        double total = variance + mixingVariance;
        double half = Math.sqrt(variance * total / mixingVariance * (2 * Math.log(1 / alpha) + Math.log(total / variance)));
        double lowest = comparesWithBaseline ? -1 : 0;
        return new Interval(Math.max(lowest, estimate - half), Math.min(1, estimate + half));
    }

    private static double defaultMixingSd(double threshold) {
        return Math.max(MIN_MIXING_SD, threshold);
    }
}
