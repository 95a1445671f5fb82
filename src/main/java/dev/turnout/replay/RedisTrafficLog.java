package dev.turnout.replay;

import static java.util.Objects.requireNonNull;

import dev.turnout.store.RedisCalls;
import dev.turnout.store.RedisLink;
import dev.turnout.store.RedisStoreOptions;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.StreamMessage;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Recorded exchanges in the route store's Redis: one stream per alias,
 * {@code {prefix}:recorded:<alias>} (the store's hash tag, so one cluster slot), each entry one
 * field {@code v} holding the exchange as JSON, trimmed by XADD to about {@code maxEntries}.
 *
 * <p>Entries are hostile on read: anyone with Redis access can write one. An entry without
 * {@code v}, longer than {@code maxEntryChars}, or that does not decode into an exchange is
 * skipped and counted in {@link #skipped()}. Failures are the route store's: commands fail at
 * once while Redis is unreachable ({@code StoreUnavailableException}), never queue for it.
 * Futures complete on the context the log was made on; it owns its Redis connection.
 */
final class RedisTrafficLog implements TrafficLog {

    static final String FIELD = "v";

    private final String tag;
    private final RedisLink link;
    private final RedisCalls calls;
    private final XAddArgs trim;
    private final int maxEntryChars;
    private final AtomicLong skipped = new AtomicLong();

    RedisTrafficLog(Context context, RedisStoreOptions options, int maxEntries, int maxEntryChars) {
        requireNonNull(context, "context");
        this.tag = "{" + options.prefix() + "}";
        this.link = RedisLink.open(options.uri(), options.commandTimeout(), options.maxQueuedCommands());
        this.calls = new RedisCalls(context, options.prefix(), link);
        this.trim = XAddArgs.Builder.maxlen(maxEntries).approximateTrimming();
        this.maxEntryChars = maxEntryChars;
    }

    /** The alias's stream; public so that operators and tests can find it. */
    String key(String alias) {
        return tag + ":recorded:" + alias;
    }

    @Override
    public Future<Void> append(RecordedExchange exchange) {
        return calls.commands().compose(redis -> calls.bridge(redis.xadd(key(exchange.alias()), trim, Map.of(FIELD, exchange.encode()))))
                .mapEmpty();
    }

    @Override
    public Future<List<RecordedExchange>> read(String alias, Instant from, Instant to, int limit) {
        return range(alias, Range.Boundary.including(Long.toString(from.toEpochMilli())), to, limit);
    }

    @Override
    public Future<List<RecordedExchange>> readAfter(String alias, String position, Instant to, int limit) {
        Positions.parse(position); // a position this log did not give out would make Redis answer an error
        return range(alias, Range.Boundary.excluding(position), to, limit);
    }

    private Future<List<RecordedExchange>> range(String alias, Range.Boundary<String> lower, Instant to, int limit) {
        // An id of milliseconds alone ends a range at the last entry of that millisecond.
        Range<String> range = Range.from(lower, Range.Boundary.including(Long.toString(to.toEpochMilli())));
        return calls.commands().compose(redis -> calls.bridge(redis.xrange(key(alias), range, Limit.from(limit))))
                .map(this::decode);
    }

    private List<RecordedExchange> decode(List<StreamMessage<String, String>> messages) {
        List<RecordedExchange> out = new ArrayList<>(messages.size());
        for (StreamMessage<String, String> message : messages) {
            Map<String, String> body = message.getBody();
            String stored = body == null ? null : body.get(FIELD);
            if (stored == null || stored.length() > maxEntryChars) {
                skipped.incrementAndGet();
                continue;
            }
            try {
                out.add(RecordedExchange.decode(message.getId(), stored));
            } catch (IllegalArgumentException e) {
                skipped.incrementAndGet();
            }
        }
        return out;
    }

    @Override
    public long skipped() {
        return skipped.get();
    }

    @Override
    public Future<Void> close() {
        return calls.closeLink();
    }
}
