package dev.turnout.diff;

import static java.util.Objects.requireNonNull;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Verdicts against the primary's own randomness. Per alias × primary, the scored noise pairs (the
 * primary asked twice) give the similarities that mean "no change"; a scored candidate pair is:
 * <ul>
 *   <li>{@code error}: either side failed (as before: never scored);</li>
 *   <li>{@code different}: its tool names, tool arguments or JSON validity disagree, whatever the
 *       similarity (what a program reads changed);</li>
 *   <li>{@code uncalibrated}: its primary has fewer than {@code minNoisePairs} scored noise pairs;
 *       no verdict is guessed;</li>
 *   <li>{@code different}: its similarity is below the floor, the {@code noiseQuantile} of the noise
 *       similarities (the 5th percentile by default);</li>
 *   <li>{@code same} when the lexical verdict said same, else {@code similar}.</li>
 * </ul>
 * Noise pairs are judged the same way against the floor as it was before they were added, so the
 * share of noise pairs called {@code different} estimates the false-alarm rate (near
 * {@code noiseQuantile}). Pairs that were not scored keep their lexical verdict and say why in
 * their semantic status.
 *
 * <p>Thread-safe (semantic workers judge concurrently; each floor has its own lock) and bounded: at
 * most {@code maxFloors} alias × primary floors, pairs of further primaries counted in
 * {@link #floorsOverflowed()} and left {@code uncalibrated}.
 */
public final class Calibration {

    public static final double DEFAULT_NOISE_QUANTILE = 0.05;
    public static final int DEFAULT_MIN_NOISE_PAIRS = 30;

    private record PrimaryKey(String alias, String primary) {}

    private final double noiseQuantile;
    private final int minNoisePairs;
    private final int maxFloors;
    private final Map<PrimaryKey, NoiseFloor> floors = new ConcurrentHashMap<>();
    private final AtomicLong floorsOverflowed = new AtomicLong();

    public Calibration(double noiseQuantile, int minNoisePairs) {
        this(noiseQuantile, minNoisePairs, DiffReport.MAX_KEYS);
    }

    Calibration(double noiseQuantile, int minNoisePairs, int maxFloors) {
        if (!(noiseQuantile >= 0 && noiseQuantile <= 1)) {
            throw new IllegalArgumentException("noiseQuantile: " + noiseQuantile + " (expected: in [0, 1], e.g. 0.05)");
        }
        if (minNoisePairs < 1 || minNoisePairs > NoiseFloor.WINDOW) {
            throw new IllegalArgumentException("minNoisePairs: " + minNoisePairs + " (expected: in [1, " + NoiseFloor.WINDOW
                    + "], the noise pairs held per primary; diffs.semantic.minNoisePairs)");
        }
        this.noiseQuantile = noiseQuantile;
        this.minNoisePairs = minNoisePairs;
        this.maxFloors = maxFloors;
    }

    public static Calibration defaults() {
        return new Calibration(DEFAULT_NOISE_QUANTILE, DEFAULT_MIN_NOISE_PAIRS);
    }

    public double noiseQuantile() {
        return noiseQuantile;
    }

    public int minNoisePairs() {
        return minNoisePairs;
    }

    /**
     * The pair's final metrics: {@code lexical} (from {@link ResponseDiffer}) with its verdict
     * calibrated when {@code similarity} is given, and its semantic status set. A scored noise pair
     * also joins its primary's floor, after being judged. Call it once per pair, from any thread.
     *
     * @param noise          a noise pair (primary vs itself); {@code primary} is then also its candidate
     * @param similarity     the embeddings' cosine similarity, or null when not scored
     * @param semanticStatus {@link DiffMetrics#SCORED} with a similarity; else why not, e.g.
     *                       {@code DiffMetrics.skipped("pool_full")} or {@link DiffMetrics#DISABLED}.
     *                       Error pairs and tool-call answers become {@link DiffMetrics#NOT_APPLICABLE}
     *                       whatever is passed.
     */
    public DiffMetrics judge(String alias, String primary, boolean noise, DiffMetrics lexical, Double similarity,
                             String semanticStatus) {
        requireNonNull(alias, "alias");
        requireNonNull(primary, "primary");
        requireNonNull(lexical, "lexical");
        requireNonNull(semanticStatus, "semanticStatus");
        if (lexical.verdict() == Verdict.ERROR || !lexical.semanticApplicable()) {
            return lexical.withSemantic(lexical.verdict(), null, DiffMetrics.NOT_APPLICABLE);
        }
        if (similarity == null) {
            return lexical.withSemantic(lexical.verdict(), null, semanticStatus);
        }
        if (!DiffMetrics.SCORED.equals(semanticStatus)) {
            throw new IllegalArgumentException("a similarity with semantic status " + semanticStatus + " (expected: scored)");
        }
        if (!(similarity >= -1.0001 && similarity <= 1.0001)) { // cosines, give or take float rounding
            throw new IllegalArgumentException("similarity: " + similarity + " (expected: a cosine in [-1, 1])");
        }
        NoiseFloor floor = floor(new PrimaryKey(alias, primary));
        double threshold = floor == null ? Double.NaN
                : floor.floorThenAdd(noiseQuantile, minNoisePairs, noise ? lexical : null, similarity);
        return lexical.withSemantic(verdict(lexical, similarity, threshold), similarity, DiffMetrics.SCORED);
    }

    private static Verdict verdict(DiffMetrics lexical, double similarity, double floor) {
        if (lexical.callsDisagree()) return Verdict.DIFFERENT;
        if (Double.isNaN(floor)) return Verdict.UNCALIBRATED;
        if (similarity < floor) return Verdict.DIFFERENT;
        return lexical.verdict() == Verdict.SAME ? Verdict.SAME : Verdict.SIMILAR;
    }

    /** The primary's noise floor, or null (counted) once {@code maxFloors} primaries are held. */
    private NoiseFloor floor(PrimaryKey key) {
        NoiseFloor floor = floors.get(key);
        if (floor != null) return floor;
        if (floors.size() >= maxFloors) {
            floorsOverflowed.incrementAndGet();
            return null;
        }
        return floors.computeIfAbsent(key, k -> new NoiseFloor());
    }

    /** What the primary's floor holds now; empty for a primary with no scored noise pair. */
    NoiseFloor.Snapshot snapshot(String alias, String primary) {
        NoiseFloor floor = floors.get(new PrimaryKey(alias, primary));
        return floor == null ? NoiseFloor.Snapshot.EMPTY : floor.snapshot();
    }

    public long floorsOverflowed() {
        return floorsOverflowed.get();
    }

    int floors() {
        return floors.size();
    }
}
