package dev.turnout.diff;

import dev.turnout.store.RedisLink;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pairs appended to a capped Redis stream ({@code {prefix}:diffs}, trimmed to about
 * {@code maxLength} entries), where every instance's pairs meet and any consumer can read them.
 * Fire and forget, and bounded: at most {@code maxInFlight} XADDs wait for Redis at once; a pair
 * beyond that, or one Redis refuses or never answers, is dropped and counted in
 * {@code turnout_redis_dropped_total{reason}}, never queued. A slow or hung Redis costs pairs, not memory.
 */
public final class RedisDiffSink implements DiffSink {

    /** Why a pair did not reach Redis: a fixed set, so the meter's labels are bounded. */
    public enum Drop { IN_FLIGHT_LIMIT, NOT_CONNECTED, TIMEOUT, REJECTED }

    private static final long RECONNECT_EVERY_NANOS = Duration.ofSeconds(1).toNanos();

    private final RedisLink link;
    private final String key;
    private final XAddArgs args;
    private final int maxInFlight;
    private final AtomicInteger pending = new AtomicInteger();
    private final Map<Drop, Counter> drops = new EnumMap<>(Drop.class);
    private final AtomicBoolean connecting = new AtomicBoolean();
    private final AtomicLong lastConnectAttempt = new AtomicLong(System.nanoTime() - RECONNECT_EVERY_NANOS);

    public RedisDiffSink(String uri, String prefix, long maxLength, Duration commandTimeout, int maxInFlight,
                         MeterRegistry registry) {
        if (maxInFlight < 1) throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
        this.link = RedisLink.open(uri, commandTimeout, maxInFlight);
        this.key = key(prefix);
        this.args = XAddArgs.Builder.maxlen(maxLength).approximateTrimming();
        this.maxInFlight = maxInFlight;
        for (Drop reason : Drop.values()) {
            drops.put(reason, Counter.builder("turnout.redis.dropped").tag("reason", reason.name().toLowerCase(Locale.ROOT))
                    .description("Commands to Redis dropped instead of queued (diff stream)").register(registry));
        }
        Gauge.builder("turnout.redis.pending", pending, AtomicInteger::get)
                .description("XADDs of diff pairs waiting for Redis").register(registry);
        connect();
    }

    /** The stream's key: under the store's hash tag, so one cluster slot. */
    public static String key(String prefix) {
        return "{" + prefix + "}:diffs";
    }

    /** Connects in the background: a gateway starts, and serves, whether Redis is there or not. */
    private void connect() {
        long now = System.nanoTime();
        long last = lastConnectAttempt.get();
        if (now - last < RECONNECT_EVERY_NANOS || !lastConnectAttempt.compareAndSet(last, now)) return;
        if (!connecting.compareAndSet(false, true)) return;
        // Once connected, Lettuce reconnects it, and the link replaces it if it only times out.
        link.connect().whenComplete((connected, error) -> connecting.set(false));
    }

    @Override
    public void accept(DiffRecord record) {
        RedisClusterAsyncCommands<String, String> redis = link.commands();
        if (redis == null) {
            connect();
            drop(Drop.NOT_CONNECTED);
            return;
        }
        if (pending.incrementAndGet() > maxInFlight) {
            pending.decrementAndGet();
            drop(Drop.IN_FLIGHT_LIMIT);
            return;
        }
        redis.xadd(key, args, Map.of("record", record.toJson().toString())).whenComplete((id, error) -> {
            pending.decrementAndGet();
            link.answered(error);
            if (error != null) drop(error instanceof RedisCommandTimeoutException ? Drop.TIMEOUT : Drop.REJECTED);
        });
    }

    private void drop(Drop reason) {
        drops.get(reason).increment();
    }

    /** XADDs sent and not yet answered; never more than {@code maxInFlight}. */
    public int pending() {
        return pending.get();
    }

    public long dropped(Drop reason) {
        return (long) drops.get(reason).count();
    }

    @Override
    public void close() {
        link.close();
    }
}
