package dev.turnout.store;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How an instance uses Redis. {@link #of} gives the defaults: poll the revision every second (the
 * backstop for lost pub/sub messages), heartbeat every 2 s, count an instance gone after 10 s of
 * silence, fail commands after 2 s, hold at most 1 000 unsent commands per connection.
 */
public record RedisStoreOptions(String uri, String prefix, String instanceId, int historyLimit, Duration pollInterval,
                                Duration heartbeatInterval, Duration instanceTtl, Duration commandTimeout,
                                int maxQueuedCommands) {

    public RedisStoreOptions {
        requireNonNull(uri, "uri");
        requireNonNull(prefix, "prefix");
        requireNonNull(instanceId, "instanceId");
        if (historyLimit < 1) throw new IllegalArgumentException("historyLimit must be >= 1, got " + historyLimit);
        positive(pollInterval, "pollInterval");
        positive(heartbeatInterval, "heartbeatInterval");
        positive(instanceTtl, "instanceTtl");
        positive(commandTimeout, "commandTimeout");
        if (maxQueuedCommands < 1) throw new IllegalArgumentException("maxQueuedCommands must be >= 1, got " + maxQueuedCommands);
        if (prefix.isBlank()) throw new IllegalArgumentException("store.prefix must not be blank; the default is turnout");
        if (prefix.contains("{") || prefix.contains("}")) {
            throw new IllegalArgumentException("store.prefix must not contain braces: it becomes the hash tag, got " + prefix);
        }
    }

    private static void positive(Duration duration, String name) {
        requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) throw new IllegalArgumentException(name + " must be > 0, got " + duration);
    }

    public static RedisStoreOptions of(String uri, String prefix, String instanceId, int historyLimit) {
        return new RedisStoreOptions(uri, prefix, instanceId, historyLimit, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(10), Duration.ofSeconds(2), 1_000);
    }

    public RedisStoreOptions withIntervals(Duration poll, Duration heartbeat, Duration ttl) {
        return new RedisStoreOptions(uri, prefix, instanceId, historyLimit, poll, heartbeat, ttl, commandTimeout,
                maxQueuedCommands);
    }

    /** {@code store.commandTimeoutMs} and {@code store.maxQueuedCommands}. */
    public RedisStoreOptions withLimits(Duration timeout, int maxQueued) {
        return new RedisStoreOptions(uri, prefix, instanceId, historyLimit, pollInterval, heartbeatInterval, instanceTtl,
                timeout, maxQueued);
    }
}
