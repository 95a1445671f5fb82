package dev.turnout.evidence;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * What one arm of a rollout step has shown: the candidate, or the baseline (every other version of
 * the alias merged). Requests, errors, and three distributions: latency and time to first byte in
 * microseconds (the latter only for requests where it is known) and completion tokens (only where
 * the answer's usage was found).
 *
 * <p>Distributions are HdrHistograms with fixed bounds, so every instance's evidence merges with
 * every other's and a decoded one never takes more memory than the bounds allow: latency and time
 * to first byte 1 µs to 1 hour, completion tokens 1 to 10 000 000, two significant digits (a value
 * is known within 1 %). A value outside the bounds is clamped to them (a negative one to 0, a
 * longer one to the highest): a one-hour request is already a failed one, whatever it took.
 *
 * <p>Immutable: the histograms are never changed once the instance is built.
 */
public final class ArmEvidence {

    static final long MAX_MICROS = 3_600_000_000L;
    static final long MAX_TOKENS = 10_000_000L;
    static final int DIGITS = 2;

    public static final ArmEvidence EMPTY = new ArmEvidence(0, 0, latencyHistogram(), latencyHistogram(), tokenHistogram());

    private final long requests;
    private final long errors;
    private final Histogram latency;
    private final Histogram ttft;
    private final Histogram tokens;

    /** Takes ownership of the histograms: nobody may change them afterwards. */
    ArmEvidence(long requests, long errors, Histogram latency, Histogram ttft, Histogram tokens) {
        if (requests < 0 || errors < 0 || errors > requests) {
            throw new IllegalArgumentException("need 0 <= errors <= requests, got " + errors + " errors of " + requests);
        }
        this.requests = requests;
        this.errors = errors;
        this.latency = latency;
        this.ttft = ttft;
        this.tokens = tokens;
    }

    static Histogram latencyHistogram() {
        return new Histogram(1, MAX_MICROS, DIGITS);
    }

    static Histogram tokenHistogram() {
        return new Histogram(1, MAX_TOKENS, DIGITS);
    }

    /** Records {@code value} into {@code histogram}, clamped to its bounds. */
    static void record(Histogram histogram, long value, long count) {
        histogram.recordValueWithCount(clamp(value, histogram.getHighestTrackableValue()), count);
    }

    static long clamp(long value, long highest) {
        return value < 0 ? 0 : Math.min(value, highest);
    }

    public long requests() {
        return requests;
    }

    public long errors() {
        return errors;
    }

    /** Both arms' evidence together, as if one instance had seen every request. */
    public ArmEvidence merge(ArmEvidence other) {
        if (other.requests == 0) return this;
        if (requests == 0) return other;
        return new ArmEvidence(Math.addExact(requests, other.requests), Math.addExact(errors, other.errors),
                sum(latency, other.latency), sum(ttft, other.ttft), sum(tokens, other.tokens));
    }

    private static Histogram sum(Histogram one, Histogram two) {
        Histogram sum = one.copy();
        sum.add(two);
        return sum;
    }

    /** Latencies in milliseconds, at most {@code cap} of them (see {@link #expand}). */
    public double[] latencyMillis(int cap) {
        return expand(latency, cap, 1e-3);
    }

    /** Times to first byte in milliseconds, at most {@code cap} of them (see {@link #expand}). */
    public double[] ttftMillis(int cap) {
        return expand(ttft, cap, 1e-3);
    }

    /** Completion tokens per answer, at most {@code cap} of them (see {@link #expand}). */
    public double[] completionTokens(int cap) {
        return expand(tokens, cap, 1);
    }

    Histogram latency() {
        return latency;
    }

    Histogram ttft() {
        return ttft;
    }

    Histogram tokens() {
        return tokens;
    }

    /**
     * The recorded values, each bucket's median-equivalent value repeated as often as it was
     * recorded, in ascending order. When more than {@code cap} were recorded, every bucket's count is
     * thinned in proportion (cumulatively rounded, so exactly {@code cap} come back and every
     * quantile moves by at most 1/cap): the distribution keeps its shape, but a bootstrap over the
     * result sees {@code cap} values rather than all of them, which widens its interval. That is
     * the conservative side: a judge may wait longer, never decide on evidence it does not have.
     */
    private static double[] expand(Histogram histogram, int cap, double scale) {
        if (cap < 0) throw new IllegalArgumentException("cap must be >= 0, got " + cap);
        long total = histogram.getTotalCount();
        int size = (int) Math.min(total, cap);
        double[] values = new double[size];
        if (size == 0) return values;
        int at = 0;
        long cumulative = 0;
        for (HistogramIterationValue bucket : histogram.recordedValues()) {
            cumulative += bucket.getCountAddedInThisIterationStep();
            // Rounding is monotonic, and the last bucket is pinned to size, so 0 <= n and at ends at size.
            int upTo = cumulative >= total ? size : total <= cap ? (int) cumulative
                    : (int) Math.floor((double) cumulative * size / total);
            double value = histogram.medianEquivalentValue(bucket.getValueIteratedTo()) * scale;
            while (at < upTo) values[at++] = value;
        }
        return values;
    }

    /** Equal when the counts and every bucket of every distribution are: what a round trip keeps. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ArmEvidence arm && requests == arm.requests && errors == arm.errors
                && latency.equals(arm.latency) && ttft.equals(arm.ttft) && tokens.equals(arm.tokens);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(requests) * 31 + Long.hashCode(errors);
    }

    @Override
    public String toString() {
        return "ArmEvidence[requests=" + requests + ", errors=" + errors + ", latencies=" + latency.getTotalCount()
                + ", ttfts=" + ttft.getTotalCount() + ", tokens=" + tokens.getTotalCount() + "]";
    }
}
