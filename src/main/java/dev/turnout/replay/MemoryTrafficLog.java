package dev.turnout.replay;

import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Recorded exchanges on this instance only, for a gateway whose route store is in memory: a ring
 * per alias of at most {@code maxEntries}, and at most {@code maxBytes} (request and answer
 * characters, twice for UTF-16) in all, the oldest entry of all going first. Lost on restart.
 * Positions count up like a stream's ids, and a read selects by the time an exchange was stored,
 * as on Redis.
 */
final class MemoryTrafficLog implements TrafficLog {

    private final int maxEntries;
    private final long maxBytes;
    private final Map<String, Deque<RecordedExchange>> rings = new HashMap<>();
    private long bytes;
    private long lastMs;
    private long seq;

    MemoryTrafficLog(int maxEntries, long maxBytes) {
        if (maxEntries < 1 || maxBytes < 1) throw new IllegalArgumentException("memory log limits must be > 0");
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    @Override
    public synchronized Future<Void> append(RecordedExchange exchange) {
        long now = System.currentTimeMillis();
        if (now > lastMs) {
            lastMs = now;
            seq = 0;
        } else {
            seq++;
        }
        RecordedExchange stored = exchange.withPosition(Positions.of(lastMs, seq));
        Deque<RecordedExchange> ring = rings.computeIfAbsent(exchange.alias(), alias -> new ArrayDeque<>());
        ring.addLast(stored);
        bytes += size(stored);
        while (ring.size() > maxEntries) bytes -= size(ring.removeFirst());
        while (bytes > maxBytes) bytes -= size(oldest().removeFirst()); // ends at the new entry at the latest
        rings.values().removeIf(Deque::isEmpty);
        return Future.succeededFuture();
    }

    /** The ring whose first entry is the oldest of all. */
    private Deque<RecordedExchange> oldest() {
        Deque<RecordedExchange> oldest = null;
        for (Deque<RecordedExchange> ring : rings.values()) {
            if (ring.isEmpty()) continue;
            if (oldest == null || Positions.compare(ring.peekFirst().position(), oldest.peekFirst().position()) < 0) oldest = ring;
        }
        return oldest;
    }

    private static long size(RecordedExchange exchange) {
        return 2L * (exchange.request().length() + exchange.answer().length()) + 256;
    }

    @Override
    public synchronized Future<List<RecordedExchange>> read(String alias, Instant from, Instant to, int limit) {
        return Future.succeededFuture(select(alias, null, from, to, limit));
    }

    @Override
    public synchronized Future<List<RecordedExchange>> readAfter(String alias, String position, Instant to, int limit) {
        return Future.succeededFuture(select(alias, position, Instant.EPOCH, to, limit));
    }

    private List<RecordedExchange> select(String alias, String after, Instant from, Instant to, int limit) {
        List<RecordedExchange> out = new ArrayList<>();
        for (RecordedExchange exchange : rings.getOrDefault(alias, new ArrayDeque<>())) {
            if (out.size() >= limit) break;
            if (after != null && Positions.compare(exchange.position(), after) <= 0) continue;
            long storedMs = Positions.parse(exchange.position())[0];
            if (storedMs < from.toEpochMilli() || storedMs > to.toEpochMilli()) continue;
            out.add(exchange);
        }
        return out;
    }

    @Override
    public long skipped() {
        return 0;
    }

    @Override
    public Future<Void> close() {
        return Future.succeededFuture();
    }
}
