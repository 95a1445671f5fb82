package dev.turnout.replay;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.Echo;
import dev.turnout.store.RedisCalls;
import dev.turnout.store.RedisLink;
import dev.turnout.store.RedisStoreOptions;
import io.lettuce.core.KeyValue;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Replay documents in the route store's Redis, under its hash tag: {@code {prefix}:replays} (hash:
 * id → document) and {@code {prefix}:replays:started} (sorted set: id by start, in ms), which bounds
 * the hash: a write keeps the newest {@link Replays#MAX_KEPT} and deletes the rest from both, in one
 * script so that no reader sees a document the set does not name. Reads go through the set (at most
 * {@link Replays#MAX_KEPT} ids), never the whole hash, so a hash grown by hand cannot make a read
 * unbounded; a document that does not decode is skipped, logged and counted.
 */
final class RedisReplayBoard implements ReplayBoard {

    private static final Logger LOG = Logger.getLogger(RedisReplayBoard.class.getName());
    /** KEYS: hash, set; ARGV: id, document, start (ms), how many to keep. */
    static final String PUT = String.join("\n",
            "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])",
            "redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])",
            "local over = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])",
            "if over > 0 then",
            "  local old = redis.call('ZRANGE', KEYS[2], 0, over - 1)",
            "  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)",
            "  redis.call('HDEL', KEYS[1], unpack(old))",
            "end",
            "return {}");
    private static final String PUT_SHA = RedisCalls.sha1(PUT);

    private final String instance;
    private final String documents;
    private final String started;
    private final RedisCalls calls;
    private final AtomicLong skipped = new AtomicLong();

    RedisReplayBoard(Context context, RedisStoreOptions options) {
        this.instance = options.instanceId();
        String tag = "{" + options.prefix() + "}";
        this.documents = tag + ":replays";
        this.started = tag + ":replays:started";
        this.calls = new RedisCalls(context, options.prefix(),
                RedisLink.open(options.uri(), options.commandTimeout(), options.maxQueuedCommands()));
    }

    @Override
    public String instance() {
        return instance;
    }

    @Override
    public Future<Void> put(String id, long startedMs, ObjectNode document) {
        String[] args = {id, document.toString(), Long.toString(startedMs), Integer.toString(Replays.MAX_KEPT)};
        return calls.commands().compose(redis -> calls.script(redis, PUT_SHA, PUT, new String[] {documents, started}, args))
                .mapEmpty();
    }

    @Override
    public Future<Optional<ObjectNode>> get(String id) {
        return calls.commands().compose(redis -> calls.bridge(redis.hget(documents, id)))
                .map(stored -> Optional.ofNullable(stored == null ? null : decode(id, stored)));
    }

    @Override
    public Future<Listing> list() {
        return calls.commands().compose(redis -> calls.bridge(redis.zrange(started, -Replays.MAX_KEPT, -1))
                .compose(ids -> ids.isEmpty() ? Future.succeededFuture(List.<KeyValue<String, String>>of())
                        : calls.bridge(redis.hmget(documents, ids.toArray(String[]::new)))))
                .map(values -> {
                    List<ObjectNode> out = new ArrayList<>();
                    int unreadable = 0;
                    for (KeyValue<String, String> value : values) {
                        if (!value.hasValue()) continue; // forgotten between the two reads
                        ObjectNode document = decode(value.getKey(), value.getValue());
                        if (document == null) unreadable++;
                        else out.add(document);
                    }
                    return new Listing(out, unreadable);
                });
    }

    private ObjectNode decode(String id, String stored) {
        try {
            return ReplayDocs.decode(id, stored);
        } catch (IllegalArgumentException e) {
            skipped.incrementAndGet();
            LOG.warning("skipping an unreadable replay document '" + Echo.cut(id) + "' in Redis: " + Echo.cut(e.getMessage()));
            return null;
        }
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
