package dev.turnout.diff;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * The in-memory aggregate behind {@code GET /admin/diffs}: per alias × primary × candidate, verdict counts,
 * how often the candidate differs next to how often the primary differs from itself (the noise
 * floor), latency and token deltas at p50/p95 over the most recent pairs, shadow drops, and the
 * latest pairs as samples. Thread-safe, and bounded in memory whatever the traffic or the route
 * table: at most {@link #MAX_KEYS} keys (each a fixed few KiB of primitive rings; pairs of keys
 * beyond it are counted in {@code keysOverflowed}, not kept), and samples held in one ring of at
 * most {@link #MAX_SAMPLES} pairs and {@link #SAMPLE_BUDGET_CHARS} characters of text across all
 * keys, oldest evicted first.
 */
public final class DiffReport implements DiffSink {

    static final int WINDOW = 512;
    static final int MAX_KEYS = 1024;
    static final long SAMPLE_BUDGET_CHARS = 2_000_000; // at most ~4 MiB of text, however many keys
    static final int MAX_SAMPLES = 1000; // redacted samples have no text, but still take room
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
        long drops;

        synchronized void add(DiffRecord record) {
            verdicts.merge(record.metrics().verdict(), 1L, Long::sum);
            latencyDeltas.add(record.metrics().latencyDeltaMs());
            if (record.metrics().ttftDeltaMs() != null) ttftDeltas.add(record.metrics().ttftDeltaMs());
            if (record.metrics().completionTokenDelta() != null) tokenDeltas.add(record.metrics().completionTokenDelta());
        }

        synchronized long pairs() {
            return verdicts.values().stream().mapToLong(Long::longValue).sum();
        }

        synchronized long count(Verdict verdict) {
            return verdicts.getOrDefault(verdict, 0L);
        }
    }

    private final Map<Key, Stats> candidates = new ConcurrentHashMap<>();
    private final Map<Key, Stats> noise = new ConcurrentHashMap<>();
    private final AtomicLong keysOverflowed = new AtomicLong();
    private final Deque<DiffRecord> samples = new ArrayDeque<>();
    private long sampleChars;

    @Override
    public void accept(DiffRecord record) {
        // Noise pairs compare the primary with itself: keyed by the primary alone.
        Key key = new Key(record.alias(), record.primary(), record.noise() ? record.primary() : record.candidate());
        Stats stats = stats(record.noise() ? noise : candidates, key);
        if (stats == null) return;
        stats.add(record);
        keepSample(record);
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

    private synchronized void keepSample(DiffRecord record) {
        long chars = chars(record);
        if (chars > SAMPLE_BUDGET_CHARS) return;
        samples.addFirst(record);
        sampleChars += chars;
        while (sampleChars > SAMPLE_BUDGET_CHARS || samples.size() > MAX_SAMPLES) sampleChars -= chars(samples.removeLast());
    }

    private static long chars(DiffRecord record) {
        return length(record.requestSample()) + length(record.primarySample()) + length(record.candidateSample());
    }

    private static long length(String text) {
        return text == null ? 0 : text.length();
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
        root.put("definitions", "differentRate = different / (pairs - errors); changedRate = (similar + different) / "
                + "(pairs - errors); noise* are the same rates for the primary compared with itself; a candidate whose "
                + "rates sit at its noise rates answers no more differently than production does from run to run");
        return root;
    }

    private static ObjectNode entry(Key key, Stats stats, Stats noiseStats) {
        ObjectNode node = JSON.createObjectNode().put("alias", key.alias()).put("primary", key.primary())
                .put("candidate", key.candidate());
        synchronized (stats) {
            node.put("pairs", stats.pairs());
            ObjectNode verdicts = node.putObject("verdicts");
            for (Verdict verdict : Verdict.values()) verdicts.put(verdict.label(), stats.count(verdict));
            rates(node, "", stats);
            node.put("shadowDrops", stats.drops);
            node.set("latencyDeltaMs", percentiles(stats.latencyDeltas.copy()));
            node.set("ttftDeltaMs", percentiles(stats.ttftDeltas.copy()));
            node.set("completionTokenDelta", percentiles(stats.tokenDeltas.copy()));
        }
        if (noiseStats == null) {
            node.put("noisePairs", 0).putNull("noiseDifferentRate").putNull("noiseChangedRate");
        } else {
            synchronized (noiseStats) {
                node.put("noisePairs", noiseStats.pairs());
                rates(node, "noise", noiseStats);
            }
        }
        return node;
    }

    private static void rates(ObjectNode node, String prefix, Stats stats) {
        long comparable = stats.pairs() - stats.count(Verdict.ERROR);
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

    /** The latest pairs, newest first, that match the filter. */
    public ArrayNode samples(Predicate<DiffRecord> filter, int limit) {
        ArrayNode out = JSON.createArrayNode();
        synchronized (this) {
            for (Iterator<DiffRecord> newest = samples.iterator(); newest.hasNext() && out.size() < limit; ) {
                DiffRecord record = newest.next();
                if (filter.test(record)) out.add(record.toJson());
            }
        }
        return out;
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
