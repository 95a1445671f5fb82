package dev.turnout.diff;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The in-memory aggregate behind {@code GET /admin/diffs}: per alias × primary × candidate, verdict counts,
 * how often the candidate differs next to how often the primary differs from itself (the noise
 * floor), latency and token deltas at p50/p95 over the most recent pairs, shadow drops, and the
 * latest pairs as samples. Thread-safe, and bounded in memory whatever the traffic or the route
 * table: at most {@link #MAX_KEYS} keys (each four fixed rings of {@link #WINDOW} doubles, 16 KiB;
 * pairs of keys beyond it are counted in {@code keysOverflowed}, not kept), as many noise floors
 * (about 9 KiB each, in {@link Calibration}), and samples held in one ring of at
 * most {@link #MAX_SAMPLES} pairs and {@link #SAMPLE_BUDGET_CHARS} characters of text across all
 * keys, oldest evicted first.
 *
 * <p>With semantic scoring, each entry also weighs the candidate's recent similarities against its
 * primary's noise floor (held once, by {@link Calibration}, and shared by all of the primary's
 * candidates): see {@link BeyondNoise} for the figures and the yes / no / not-yet rule.
 */
public final class DiffReport implements DiffSink {

    static final int WINDOW = 512;
    static final int MAX_KEYS = 1024;
    static final long SAMPLE_BUDGET_CHARS = 2_000_000; // at most ~4 MiB of text, however many keys
    static final int MAX_SAMPLES = 1000; // redacted samples have no text, but still take room
    /** Distinct skip reasons counted per key; the scorer has four, so more would be a bug, not traffic. */
    static final int MAX_SKIP_REASONS = 16;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Key(String alias, String primary, String candidate) {
        String sortKey() {
            return alias + "/" + primary + "/" + candidate;
        }
    }

    /** The most recent values, oldest overwritten: a fixed {@code double[]}, no boxing. */
    private static final class Ring {
        private final double[] values = new double[WINDOW];
        private int size;
        private int next;

        void add(double value) {
            values[next] = value;
            next = (next + 1) % values.length;
            if (size < values.length) size++;
        }

        double[] copy() {
            return Arrays.copyOf(values, size); // order does not matter: the caller sorts
        }
    }

    /** Counts and recent values for one alias × candidate (or one alias's noise pairs). */
    private static final class Stats {
        final Map<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
        final Ring latencyDeltas = new Ring();
        final Ring ttftDeltas = new Ring();
        final Ring tokenDeltas = new Ring();
        /** Candidate pairs' similarities; a noise key's live in its primary's {@link NoiseFloor} instead. */
        final Ring similarities = new Ring();
        final Map<String, Long> skipped = new HashMap<>();
        long drops;

        synchronized void add(DiffRecord record) {
            DiffMetrics metrics = record.metrics();
            verdicts.merge(metrics.verdict(), 1L, Long::sum);
            latencyDeltas.add(metrics.latencyDeltaMs());
            if (metrics.ttftDeltaMs() != null) ttftDeltas.add(metrics.ttftDeltaMs());
            if (metrics.completionTokenDelta() != null) tokenDeltas.add(metrics.completionTokenDelta());
            if (metrics.similarity() != null && !record.noise()) similarities.add(metrics.similarity());
            String skipReason = DiffMetrics.skipReason(metrics.semanticStatus());
            if (skipReason != null) {
                String counted = skipped.containsKey(skipReason) || skipped.size() < MAX_SKIP_REASONS ? skipReason : "other";
                skipped.merge(counted, 1L, Long::sum);
            }
        }

        synchronized long pairs() {
            return verdicts.values().stream().mapToLong(Long::longValue).sum();
        }

        synchronized long count(Verdict verdict) {
            return verdicts.getOrDefault(verdict, 0L);
        }
    }

    private final Calibration calibration;
    private final Map<Key, Stats> candidates = new ConcurrentHashMap<>();
    private final Map<Key, Stats> noise = new ConcurrentHashMap<>();
    private final AtomicLong keysOverflowed = new AtomicLong();
    private final SampleRing samples = new SampleRing(MAX_SAMPLES, SAMPLE_BUDGET_CHARS);

    /** Calibrated with the defaults: the 5th percentile of at least 30 noise pairs. */
    public DiffReport() {
        this(Calibration.defaults());
    }

    public DiffReport(Calibration calibration) {
        this.calibration = requireNonNull(calibration, "calibration");
    }

    public Calibration calibration() {
        return calibration;
    }

    /**
     * The pair's final metrics, calibrated against its primary's noise floor: see
     * {@link Calibration#judge}. Thread-safe; call it once per pair, then {@link #accept} the
     * record built from what it returns. Skips are counted from that record's semantic status.
     */
    public DiffMetrics judge(String alias, String primary, boolean noise, DiffMetrics lexical, Double similarity,
                             String semanticStatus) {
        return calibration.judge(alias, primary, noise, lexical, similarity, semanticStatus);
    }

    @Override
    public void accept(DiffRecord record) {
        // Noise pairs compare the primary with itself: keyed by the primary alone.
        Key key = new Key(record.alias(), record.primary(), record.noise() ? record.primary() : record.candidate());
        Stats stats = stats(record.noise() ? noise : candidates, key);
        if (stats == null) return;
        stats.add(record);
        samples.keep(record);
    }

    /**
     * A pair judged elsewhere (another instance's, read back from the shared stream), taken as judged:
     * its stored verdict is counted as is, and a scored noise pair's similarity joins this report's
     * floor, as {@link #judge} would have added it, so the noise floor and beyond-noise figures are
     * the merged ones. Verdicts are not judged again: the lexical verdict a re-judgement needs is not
     * stored (a {@code different} may be lexical or below the floor), and counts that add up to the
     * instances' own keep the fleet report reconcilable with them. Feed the oldest pair first.
     */
    public void replay(DiffRecord record) {
        DiffMetrics metrics = record.metrics();
        if (record.noise() && metrics.similarity() != null) {
            calibration.judge(record.alias(), record.primary(), true, metrics, metrics.similarity(), DiffMetrics.SCORED);
        }
        accept(record);
    }

    /** A shadow that was not sent (pool full, ...): counted next to the pairs it would have made. */
    public void dropped(String alias, String primary, String candidate) {
        Stats stats = stats(candidates, new Key(alias, primary, candidate));
        if (stats == null) return;
        synchronized (stats) {
            stats.drops++;
        }
    }

    /** The key's stats, or null (counted) once the report holds {@link #MAX_KEYS} keys. */
    private Stats stats(Map<Key, Stats> map, Key key) {
        Stats stats = map.get(key);
        if (stats != null) return stats;
        if (candidates.size() + noise.size() >= MAX_KEYS) {
            keysOverflowed.incrementAndGet();
            return null;
        }
        return map.computeIfAbsent(key, k -> new Stats());
    }

    /** The report: one entry per alias × candidate with its noise floor beside it. */
    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode entries = root.putArray("candidates");
        candidates.entrySet().stream()
                .sorted(Map.Entry.comparingByKey((a, b) -> a.sortKey().compareTo(b.sortKey())))
                .forEach(entry -> {
                    Key key = entry.getKey();
                    entries.add(entry(key, entry.getValue(), noise.get(new Key(key.alias(), key.primary(), key.primary()))));
                });
        root.put("keysOverflowed", keysOverflowed.get());
        root.put("noiseFloorsOverflowed", calibration.floorsOverflowed());
        root.put("noiseQuantile", calibration.noiseQuantile()).put("minNoisePairs", calibration.minNoisePairs());
        root.put("definitions", "differentRate = different / (pairs - errors - uncalibrated); changedRate = (similar + "
                + "different) / (pairs - errors - uncalibrated); noise* are the same rates for the primary compared with "
                + "itself; a candidate whose rates sit at its noise rates answers no more differently than production does "
                + "from run to run. Scored pairs (cosine similarity of the answers' embeddings) are judged against the noise "
                + "floor: the noiseQuantile (type-7 quantile) of the primary's latest 512 scored noise pairs' similarities; "
                + "below it is different, and uncalibrated until the primary has minNoisePairs of them. similarity and "
                + "noiseSimilarity: p5/p50/p95 over the latest 512 scored pairs. beyondNoise.share: those candidate "
                + "pairs below the floor, ci95 its Wilson score interval; mannWhitney: one-sided test that candidate "
                + "similarities are lower than noise similarities (normal approximation, tie and continuity corrected), u "
                + "counting candidate-higher pairs. differsBeyondNoise: 'not yet' below " + BeyondNoise.MIN_CANDIDATE_PAIRS
                + " scored candidate pairs or minNoisePairs noise pairs; 'yes' when pValue < " + BeyondNoise.ALPHA
                + " and ci95's lower bound exceeds noiseQuantile; else 'no'. Caps: tokenF1 and rougeL read each answer's "
                + "first 2000 tokens, levenshtein its first 2000 characters; the rest is not scored");
        return root;
    }

    private ObjectNode entry(Key key, Stats stats, Stats noiseStats) {
        ObjectNode node = JSON.createObjectNode().put("alias", key.alias()).put("primary", key.primary())
                .put("candidate", key.candidate());
        double[] candidateSimilarities;
        synchronized (stats) {
            node.put("pairs", stats.pairs());
            ObjectNode verdicts = node.putObject("verdicts");
            for (Verdict verdict : Verdict.values()) verdicts.put(verdict.label(), stats.count(verdict));
            rates(node, "", stats);
            node.put("shadowDrops", stats.drops);
            node.set("latencyDeltaMs", percentiles(stats.latencyDeltas.copy()));
            node.set("ttftDeltaMs", percentiles(stats.ttftDeltas.copy()));
            node.set("completionTokenDelta", percentiles(stats.tokenDeltas.copy()));
            candidateSimilarities = stats.similarities.copy();
            node.set("semanticSkipped", counts(stats.skipped));
        }
        if (noiseStats == null) {
            node.put("noisePairs", 0).putNull("noiseDifferentRate").putNull("noiseChangedRate");
        } else {
            synchronized (noiseStats) {
                node.put("noisePairs", noiseStats.pairs());
                rates(node, "noise", noiseStats);
                node.set("noiseSemanticSkipped", counts(noiseStats.skipped));
            }
        }
        semantic(node, candidateSimilarities, calibration.snapshot(key.alias(), key.primary()));
        return node;
    }

    /** The candidate's similarities against the primary's noise: percentiles, noise means, and the verdict line. */
    private void semantic(ObjectNode node, double[] candidateSimilarities, NoiseFloor.Snapshot noise) {
        Arrays.sort(candidateSimilarities);
        node.set("similarity", similarityPercentiles(candidateSimilarities));
        node.set("noiseSimilarity", similarityPercentiles(noise.sortedSimilarities()));
        ObjectNode scoredNoise = node.putObject("noiseScored").put("pairs", noise.pairs());
        putMean(scoredNoise, "tokenF1", noise.meanTokenF1());
        putMean(scoredNoise, "lengthRatio", noise.meanLengthRatio());
        putMean(scoredNoise, "finishAgreement", noise.finishAgreement());
        BeyondNoise.of(candidateSimilarities, noise.sortedSimilarities(), calibration.noiseQuantile(),
                calibration.minNoisePairs()).addTo(node);
    }

    private static void putMean(ObjectNode node, String field, double mean) {
        if (Double.isNaN(mean)) node.putNull(field);
        else node.put(field, round(mean));
    }

    private static ObjectNode similarityPercentiles(double[] sorted) {
        ObjectNode node = JSON.createObjectNode();
        for (double q : new double[] {0.05, 0.50, 0.95}) {
            String field = "p" + Math.round(q * 100);
            if (sorted.length == 0) node.putNull(field);
            else node.put(field, round(Statistics.quantile(sorted, q)));
        }
        return node;
    }

    private static ObjectNode counts(Map<String, Long> counts) {
        ObjectNode node = JSON.createObjectNode();
        new TreeMap<>(counts).forEach(node::put);
        return node;
    }

    private static void rates(ObjectNode node, String prefix, Stats stats) {
        // Uncalibrated pairs have no verdict yet: counting them as unchanged would dilute the rates.
        long comparable = stats.pairs() - stats.count(Verdict.ERROR) - stats.count(Verdict.UNCALIBRATED);
        String different = prefix.isEmpty() ? "differentRate" : prefix + "DifferentRate";
        String changed = prefix.isEmpty() ? "changedRate" : prefix + "ChangedRate";
        if (comparable == 0) {
            node.putNull(different).putNull(changed);
        } else {
            node.put(different, round(stats.count(Verdict.DIFFERENT) / (double) comparable));
            node.put(changed, round((stats.count(Verdict.SIMILAR) + stats.count(Verdict.DIFFERENT)) / (double) comparable));
        }
        if (prefix.isEmpty()) node.put("errorRate", stats.pairs() == 0 ? 0 : round(stats.count(Verdict.ERROR) / (double) stats.pairs()));
    }

    private static ObjectNode percentiles(double[] values) {
        ObjectNode node = JSON.createObjectNode();
        if (values.length == 0) return node.putNull("p50").putNull("p95");
        Arrays.sort(values);
        return node.put("p50", round(values[(int) Math.floor(0.50 * (values.length - 1))]))
                .put("p95", round(values[(int) Math.floor(0.95 * (values.length - 1))]));
    }

    /** How {@link #samples(Predicate, int, SampleOrder)} orders the pairs it returns. */
    public enum SampleOrder {
        /** Newest first. */
        NEWEST("newest"),
        /** Lowest similarity first, newest first among equals; pairs without a similarity last, newest first. */
        LEAST_SIMILAR("least_similar");

        private final String label;

        SampleOrder(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The latest pairs, newest first, that match the filter. */
    public ArrayNode samples(Predicate<DiffRecord> filter, int limit) {
        return samples(filter, limit, SampleOrder.NEWEST);
    }

    /**
     * Up to {@code limit} held pairs that match the filter, in {@code order}. Only the held samples
     * are sorted (the latest {@link #MAX_SAMPLES} pairs at most, fewer when their text fills the
     * budget): the least similar of those, not of every pair ever compared.
     */
    public ArrayNode samples(Predicate<DiffRecord> filter, int limit, SampleOrder order) {
        ArrayNode out = JSON.createArrayNode();
        samples.select(filter, limit, order).forEach(record -> out.add(record.toJson()));
        return out;
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
