package dev.turnout.replay;

import dev.turnout.store.RedisStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;

/**
 * Where recorded exchanges live, per alias, capped: the route store's Redis (a stream per alias,
 * shared by every instance) or, with an in-memory route store, a ring on this instance.
 */
public interface TrafficLog {

    /** Appends one redacted exchange; fails with {@code StoreUnavailableException} when Redis cannot be reached. */
    Future<Void> append(RecordedExchange exchange);

    /**
     * Up to {@code limit} exchanges of {@code alias} stored from {@code from} to {@code to} (both
     * included, to the millisecond), oldest first. An exchange is stored within milliseconds of its
     * answer's end (later only while the writer is backed up).
     */
    Future<List<RecordedExchange>> read(String alias, Instant from, Instant to, int limit);

    /**
     * Up to {@code limit} exchanges of {@code alias} after the one at {@code position} and up to
     * {@code to}, oldest first: how a replay pages through a long recording without holding it all.
     */
    Future<List<RecordedExchange>> readAfter(String alias, String position, Instant to, int limit);

    /** Stored entries that were not exchanges (garbage, or too long), skipped on read. */
    long skipped();

    Future<Void> close();

    /** A ring per alias on this instance, {@code maxEntries} per alias and {@code maxBytes} in all. */
    static TrafficLog memory(int maxEntries, long maxBytes) {
        return new MemoryTrafficLog(maxEntries, maxBytes);
    }

    /** The stream {@code {prefix}:recorded:<alias>} per alias, trimmed to about {@code maxEntries}. */
    static TrafficLog redis(Vertx vertx, RedisStoreOptions options, int maxEntries, int maxEntryChars) {
        return new RedisTrafficLog(vertx.getOrCreateContext(), options, maxEntries, maxEntryChars);
    }
}
