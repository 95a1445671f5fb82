package dev.turnout.judge;

import dev.turnout.diff.Statistics;
import dev.turnout.diff.Statistics.Interval;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Judges "candidate quantile / baseline quantile ≤ maxRatio" (latency p95, TTFT p95, completion
 * tokens) by a percentile bootstrap of the ratio: each arm is resampled on its own, the ratio of the
 * resampled quantiles taken, and the ratios' α and 1 − α quantiles bound the true ratio from below
 * and above.
 *
 * <p>Why the bootstrap and not Mann–Whitney: the criterion is about a tail quantile and a ratio,
 * Mann–Whitney about the whole distribution's shift; a candidate can have the same median and a
 * fatter tail (or the other way round) and the rank test would answer another question. The bootstrap
 * answers this one and gives an interval of the ratio the API can show.
 *
 * <p>Repeated looks: a bootstrap interval is not a confidence sequence. Each look uses a small fixed
 * level (α = 0.005 per side by default), so by Bonferroni a step judged at most k times fails a
 * good candidate (or passes a bad one) with chance at most k·α: ≤ 5% for the ten looks the engine
 * should allow itself per step (e.g. every maxSeconds/10), or judge once at the step's end.
 *
 * <p>Deterministic: the resampling generator is seeded the same way at every call, so the same
 * samples always give the same judgement. Cost is resamples × (n log n) per arm; the engine feeds a
 * bounded number of values (a reservoir, or values drawn from merged histograms).
 */
public final class QuantileRatioTest {

    public static final double DEFAULT_ALPHA_PER_LOOK = 0.005;
    public static final int DEFAULT_RESAMPLES = 1000;
    public static final int DEFAULT_MIN_SAMPLES = 100;
    public static final long DEFAULT_SEED = 0x7E57_5EEDL;
    /** Stands for "no finite ratio" (the baseline's quantile is 0, the candidate's is not): never NaN or ∞ in JSON. */
    public static final double UNBOUNDED_RATIO = 1e9;

    private final double quantile;
    private final double maxRatio;
    private final double alphaPerLook;
    private final int resamples;
    private final int minSamples;
    private final long seed;
    private final String testName;

    public QuantileRatioTest(double quantile, double maxRatio, double alphaPerLook, int resamples, int minSamples,
            long seed) {
        if (!(quantile >= 0 && quantile <= 1)) throw new IllegalArgumentException("quantile: " + quantile + " (expected: in [0, 1])");
        if (!(maxRatio > 0) || Double.isInfinite(maxRatio)) throw new IllegalArgumentException("maxRatio: " + maxRatio + " (expected: > 0)");
        if (!(alphaPerLook > 0 && alphaPerLook < 0.5)) {
            throw new IllegalArgumentException("alphaPerLook: " + alphaPerLook + " (expected: in (0, 0.5))");
        }
        if (resamples < 100 || resamples > 100_000) throw new IllegalArgumentException("resamples: " + resamples + " (expected: in [100, 100000])");
        if (minSamples < 1) throw new IllegalArgumentException("minSamples: " + minSamples + " (expected: >= 1)");
        this.quantile = quantile;
        this.maxRatio = maxRatio;
        this.alphaPerLook = alphaPerLook;
        this.resamples = resamples;
        this.minSamples = minSamples;
        this.seed = seed;
        this.testName = String.format(Locale.ROOT, "bootstrap ratio of q%.3g, %d resamples, alpha %.3g per side per look",
                quantile * 100, resamples, alphaPerLook);
    }

    /** The defaults: {@value #DEFAULT_RESAMPLES} resamples, α {@value #DEFAULT_ALPHA_PER_LOOK} per look and side, {@value #DEFAULT_MIN_SAMPLES} values per arm. */
    public static QuantileRatioTest of(double quantile, double maxRatio) {
        return new QuantileRatioTest(quantile, maxRatio, DEFAULT_ALPHA_PER_LOOK, DEFAULT_RESAMPLES, DEFAULT_MIN_SAMPLES, DEFAULT_SEED);
    }

    /** The samples are not modified; they may be in any order. */
    public RatioJudgement judge(double[] candidate, double[] baseline) {
        Objects.requireNonNull(candidate, "candidate");
        Objects.requireNonNull(baseline, "baseline");
        checkFinite("candidate", candidate);
        checkFinite("baseline", baseline);
        if (candidate.length == 0 || baseline.length == 0) {
            return new RatioJudgement(Decision.INCONCLUSIVE, 0, 0, 1, maxRatio, new Interval(0, UNBOUNDED_RATIO), testName);
        }
        double[] sortedCandidate = sortedCopy(candidate);
        double[] sortedBaseline = sortedCopy(baseline);
        double candidateQuantile = Statistics.quantile(sortedCandidate, quantile);
        double baselineQuantile = Statistics.quantile(sortedBaseline, quantile);
        double ratio = ratio(candidateQuantile, baselineQuantile);
        Interval interval = bootstrapInterval(sortedCandidate, sortedBaseline);
        Decision decision;
        if (candidate.length < minSamples || baseline.length < minSamples) decision = Decision.INCONCLUSIVE;
        else if (interval.low() > maxRatio) decision = Decision.FAIL;
        else if (interval.high() <= maxRatio) decision = Decision.PASS;
        else decision = Decision.INCONCLUSIVE;
        return new RatioJudgement(decision, candidateQuantile, baselineQuantile, ratio, maxRatio, interval, testName);
    }

    private Interval bootstrapInterval(double[] candidate, double[] baseline) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] candidateResample = new double[candidate.length];
        double[] baselineResample = new double[baseline.length];
        double[] ratios = new double[resamples];
        for (int i = 0; i < resamples; i++) {
            double candidateQuantile = resampledQuantile(candidate, candidateResample, random);
            double baselineQuantile = resampledQuantile(baseline, baselineResample, random);
            ratios[i] = ratio(candidateQuantile, baselineQuantile);
        }
        Arrays.sort(ratios);
        return new Interval(Statistics.quantile(ratios, alphaPerLook), Statistics.quantile(ratios, 1 - alphaPerLook));
    }

    private double resampledQuantile(double[] sample, double[] buffer, SplittableRandom random) {
        for (int i = 0; i < buffer.length; i++) buffer[i] = sample[random.nextInt(sample.length)];
        Arrays.sort(buffer);
        return Statistics.quantile(buffer, quantile);
    }

    static double ratio(double candidateQuantile, double baselineQuantile) {
        if (baselineQuantile > 0) return Math.min(UNBOUNDED_RATIO, candidateQuantile / baselineQuantile);
        return candidateQuantile > 0 ? UNBOUNDED_RATIO : 1;
    }

    private static double[] sortedCopy(double[] values) {
        double[] copy = values.clone();
        Arrays.sort(copy);
        return copy;
    }

    private static void checkFinite(String arm, double[] values) {
        for (double value : values) {
            if (!Double.isFinite(value) || value < 0) {
                throw new IllegalArgumentException(arm + " sample holds " + value + " (expected: finite values >= 0, e.g. milliseconds or tokens)");
            }
        }
    }
}
