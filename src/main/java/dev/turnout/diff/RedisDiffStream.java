package dev.turnout.diff;

import static java.util.Objects.requireNonNull;

import dev.turnout.store.RedisCalls;
import dev.turnout.store.RedisLink;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;

/**
 * Reads the fleet's diff stream ({@code {prefix}:diffs}, every instance's {@link RedisDiffSink})
 * back into one report: newest entries first, {@link #PAGE} at a time with XREVRANGE, until the
 * stream ends or a {@link FleetDiffs} cap is reached; then the entries are decoded and replayed on a
 * worker thread. Only the admin API reads it, on request: the data plane never waits on it.
 *
 * <p>One read at a time: requests that arrive during a read share its result, so a console
 * refreshing in several tabs costs one read, not one each. Its own Redis connection, opened on the
 * first read (an instance nobody asks for the fleet view holds none); failures are the route
 * store's ({@code StoreUnavailableException}, {@code StoreCorruptException} when the key is not a
 * stream). Futures complete on the context it was made on.
 */
public final class RedisDiffStream {

    /** Entries per XREVRANGE: at most {@link FleetDiffs#MAX_ENTRY_CHARS} each, so a page's reply stays bounded. */
    static final int PAGE = 200;

    private final Context context;
    private final String uri;
    private final String prefix;
    private final Duration commandTimeout;
    private final int maxQueuedCommands;
    private final Calibration calibration;
    private final String key;
    private RedisLink link; // guarded by this; opened on the first read
    private RedisCalls calls; // guarded by this
    private Future<FleetDiffs.Result> reading; // guarded by this; null when no read is under way

    /**
     * The stream {@link RedisDiffSink} writes with the same {@code uri} and {@code prefix}.
     *
     * @param calibration the instance's, whose quantile and minimum the fleet's floors use (not its floors)
     */
    public RedisDiffStream(Vertx vertx, String uri, String prefix, Duration commandTimeout, int maxQueuedCommands,
                           Calibration calibration) {
        this.context = vertx.getOrCreateContext();
        this.uri = requireNonNull(uri, "uri");
        this.prefix = requireNonNull(prefix, "prefix");
        this.commandTimeout = requireNonNull(commandTimeout, "commandTimeout");
        this.maxQueuedCommands = maxQueuedCommands;
        this.calibration = requireNonNull(calibration, "calibration");
        this.key = RedisDiffSink.key(prefix);
    }

    /** The fleet's report from the newest entries of the stream. */
    public synchronized Future<FleetDiffs.Result> read() {
        if (reading != null) return reading;
        if (link == null) {
            link = RedisLink.open(uri, commandTimeout, maxQueuedCommands);
            calls = new RedisCalls(context, prefix, link);
        }
        Promise<FleetDiffs.Result> promise = Promise.promise();
        reading = promise.future();
        FleetDiffs fleet = new FleetDiffs();
        RedisCalls read = calls;
        read.commands()
                .compose(redis -> page(read, redis, fleet, Range.Boundary.unbounded()))
                .compose(done -> context.executeBlocking(() -> fleet.build(calibration), false))
                .onComplete(done -> {
                    synchronized (this) {
                        reading = null;
                    }
                    promise.handle(done);
                });
        // Not the field: a read that completes at once (a failed connection) has cleared it already.
        return promise.future();
    }

    /** One page older than {@code upper}, then the next, until the stream or a cap ends the read. */
    private Future<Void> page(RedisCalls read, RedisClusterAsyncCommands<String, String> redis, FleetDiffs fleet,
                              Range.Boundary<String> upper) {
        return read.bridge(redis.xrevrange(key, Range.from(Range.Boundary.unbounded(), upper), Limit.from(PAGE)))
                .compose(messages -> {
                    for (StreamMessage<String, String> message : messages) {
                        if (!fleet.offer(message.getBody())) return Future.succeededFuture();
                    }
                    if (messages.size() < PAGE) return Future.succeededFuture();
                    // An exclusive bound ("(id", Redis 6.2+) so the page's last entry is not read twice.
                    return page(read, redis, fleet, Range.Boundary.excluding(messages.get(messages.size() - 1).getId()));
                });
    }

    public synchronized Future<Void> close() {
        return calls == null ? Future.succeededFuture() : calls.closeLink();
    }
}
