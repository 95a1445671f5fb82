package dev.turnout.diff;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The in-memory aggregate behind {@code GET /admin/diffs}: per alias × primary × candidate, verdict counts,
 * how often the candidate differs next to how often the primary differs from itself (the noise
 * floor), latency and token deltas at p50/p95 over the most recent pairs, shadow drops, and the
 * latest pairs as samples. Thread-safe; bounded memory per pair of versions.
 */
public final class DiffReport implements DiffSink {

    static final int WINDOW = 1024;
    static final int SAMPLES = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Key(String alias, String primary, String candidate) {
        String sortKey() {
            return alias + "/" + primary + "/" + candidate;
        }
    }

    /** Counts and recent values for one alias × candidate (or one alias's noise pairs). */
    private static final class Stats {
        final Map<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
        final Deque<Double> latencyDeltas = new ArrayDeque<>();
        final Deque<Double> ttftDeltas = new ArrayDeque<>();
        final Deque<Double> tokenDeltas = new ArrayDeque<>();
        final Deque<DiffRecord> samples = new ArrayDeque<>();
        long drops;

        synchronized void add(DiffRecord record) {
            verdicts.merge(record.metrics().verdict(), 1L, Long::sum);
            push(latencyDeltas, record.metrics().latencyDeltaMs(), WINDOW);
            if (record.metrics().ttftDeltaMs() != null) push(ttftDeltas, record.metrics().ttftDeltaMs(), WINDOW);
            if (record.metrics().completionTokenDelta() != null) push(tokenDeltas, (double) record.metrics().completionTokenDelta(), WINDOW);
            push(samples, record, SAMPLES);
        }

        private static <T> void push(Deque<T> deque, T value, int cap) {
            deque.addFirst(value);
            if (deque.size() > cap) deque.removeLast();
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

    @Override
    public void accept(DiffRecord record) {
        // Noise pairs compare the primary with itself: keyed by the primary alone.
        Key key = new Key(record.alias(), record.primary(), record.noise() ? record.primary() : record.candidate());
        (record.noise() ? noise : candidates).computeIfAbsent(key, k -> new Stats()).add(record);
    }

    /** A shadow that was not sent (pool full, ...): counted next to the pairs it would have made. */
    public void dropped(String alias, String primary, String candidate) {
        Stats stats = candidates.computeIfAbsent(new Key(alias, primary, candidate), k -> new Stats());
        synchronized (stats) {
            stats.drops++;
        }
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
            node.set("latencyDeltaMs", percentiles(stats.latencyDeltas.stream().mapToDouble(Double::doubleValue).toArray()));
            node.set("ttftDeltaMs", percentiles(stats.ttftDeltas.stream().mapToDouble(Double::doubleValue).toArray()));
            node.set("completionTokenDelta", percentiles(stats.tokenDeltas.stream().mapToDouble(Double::doubleValue).toArray()));
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
        java.util.List<DiffRecord> all = new java.util.ArrayList<>();
        for (Stats stats : candidates.values()) {
            synchronized (stats) {
                all.addAll(stats.samples);
            }
        }
        for (Stats stats : noise.values()) {
            synchronized (stats) {
                all.addAll(stats.samples);
            }
        }
        all.stream().filter(filter).sorted((a, b) -> b.time().compareTo(a.time())).limit(limit)
                .forEach(record -> out.add(record.toJson()));
        return out;
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }
}
