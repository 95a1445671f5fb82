package dev.turnout.diff;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.function.Predicate;

/**
 * The latest pairs, newest first, across all keys: at most {@code maxSamples} of them and
 * {@code budgetChars} characters of request and answer text, oldest evicted first. Thread-safe.
 */
final class SampleRing {

    private final int maxSamples;
    private final long budgetChars;
    private final Deque<DiffRecord> samples = new ArrayDeque<>();
    private long heldChars;

    SampleRing(int maxSamples, long budgetChars) {
        this.maxSamples = maxSamples;
        this.budgetChars = budgetChars;
    }

    synchronized void keep(DiffRecord record) {
        long chars = chars(record);
        if (chars > budgetChars) return;
        samples.addFirst(record);
        heldChars += chars;
        while (heldChars > budgetChars || samples.size() > maxSamples) heldChars -= chars(samples.removeLast());
    }

    /** Up to {@code limit} held pairs that match, in {@code order}; sorting covers only what is held. */
    List<DiffRecord> select(Predicate<DiffRecord> filter, int limit, DiffReport.SampleOrder order) {
        List<DiffRecord> matching = new ArrayList<>();
        synchronized (this) {
            for (DiffRecord record : samples) {
                if (order == DiffReport.SampleOrder.NEWEST && matching.size() >= limit) break;
                if (filter.test(record)) matching.add(record);
            }
        }
        if (order == DiffReport.SampleOrder.LEAST_SIMILAR) {
            // A stable sort over newest-first records keeps the newest first among equal similarities.
            matching.sort(Comparator.comparing((DiffRecord record) -> record.metrics().similarity(),
                    Comparator.nullsLast(Comparator.naturalOrder())));
        }
        return matching.size() > limit ? matching.subList(0, limit) : matching;
    }

    private static long chars(DiffRecord record) {
        return length(record.requestSample()) + length(record.primarySample()) + length(record.candidateSample());
    }

    private static long length(String text) {
        return text == null ? 0 : text.length();
    }
}
