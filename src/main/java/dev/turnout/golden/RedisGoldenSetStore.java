package dev.turnout.golden;

import static java.util.Objects.requireNonNull;

import dev.turnout.store.RedisCalls;
import dev.turnout.store.RedisLink;
import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.StoreCorruptException;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Optional;

/**
 * Golden sets in Redis: {@code {prefix}:golden:<name>} holds a set as JSONL, the sorted set
 * {@code {prefix}:golden-sets} (every score 0, so ordered by name) indexes them; one hash tag, so
 * the scripts that change both run in one cluster slot. A stored set is read back as untrusted
 * input: parsed off the event loop with every bound of {@link GoldenSets#parse}, and one that does
 * not parse is a {@link StoreCorruptException} naming its key.
 */
final class RedisGoldenSetStore implements GoldenSetStore {

    /**
     * KEYS: [1] the set's key, [2] the index. ARGV: [1] name, [2] JSONL, [3] most sets.
     * Returns {0} when the index is full and the name is new, else {1}.
     */
    private static final String PUT = String.join("\n",
            "if not redis.call('ZSCORE', KEYS[2], ARGV[1]) and redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then",
            "  return {0}",
            "end",
            "redis.call('SET', KEYS[1], ARGV[2])",
            "redis.call('ZADD', KEYS[2], 0, ARGV[1])",
            "return {1}");

    /** KEYS: [1] the set's key, [2] the index. ARGV: [1] name. Returns {keys deleted}. */
    private static final String DELETE = String.join("\n",
            "local deleted = redis.call('DEL', KEYS[1])",
            "redis.call('ZREM', KEYS[2], ARGV[1])",
            "return {deleted}");

    private static final String PUT_SHA = RedisCalls.sha1(PUT);
    private static final String DELETE_SHA = RedisCalls.sha1(DELETE);

    private final Context context;
    private final String tag;
    private final String indexKey;
    private final RedisLink link;
    private final RedisCalls calls;

    RedisGoldenSetStore(Vertx vertx, RedisStoreOptions options) {
        requireNonNull(vertx, "vertx");
        requireNonNull(options, "options");
        this.context = vertx.getOrCreateContext();
        this.tag = "{" + options.prefix() + "}";
        this.indexKey = tag + ":golden-sets";
        this.link = RedisLink.open(options.uri(), options.commandTimeout(), options.maxQueuedCommands());
        this.calls = new RedisCalls(context, options.prefix(), link);
    }

    /** The key a set is stored under. */
    String key(String name) {
        return tag + ":golden:" + name;
    }

    @Override
    public Future<Void> put(GoldenSet set) {
        requireNonNull(set, "set");
        return context.executeBlocking(() -> GoldenSets.toJsonl(set), false)
                .compose(jsonl -> calls.commands().compose(commands -> calls.script(commands, PUT_SHA, PUT,
                        new String[] {key(set.name()), indexKey}, new String[] {set.name(), jsonl, Integer.toString(MAX_SETS)})))
                .compose(reply -> (Long) reply.get(0) == 1 ? Future.<Void>succeededFuture()
                        : Future.failedFuture(GoldenSetStore.full(set.name())));
    }

    @Override
    public Future<Optional<GoldenSet>> get(String name) {
        requireNonNull(name, "name");
        if (!GoldenSets.NAME.matcher(name).matches()) return Future.succeededFuture(Optional.empty());
        String key = key(name);
        return calls.commands().compose(commands -> calls.bridge(commands.get(key)))
                .recover(error -> Future.failedFuture(error instanceof StoreCorruptException
                        ? new StoreCorruptException(key + " holds another kind of value than a golden set's JSONL string; DELETE"
                                + " /admin/golden-sets/" + name + " removes it") : error))
                .compose(stored -> stored == null ? Future.succeededFuture(Optional.<GoldenSet>empty())
                        : context.executeBlocking(() -> Optional.of(decode(key, name, stored)), false));
    }

    private static GoldenSet decode(String key, String name, String stored) {
        try {
            return GoldenSets.parse(name, stored, true);
        } catch (InvalidGoldenSetException e) {
            throw new StoreCorruptException("the golden set under " + key + " does not parse (" + e.problems().size()
                    + " problem(s), first: " + e.problems().get(0) + "); PUT /admin/golden-sets/" + name
                    + " replaces it, DELETE removes it");
        }
    }

    @Override
    public Future<List<String>> list() {
        return calls.commands().compose(commands -> calls.bridge(commands.zrange(indexKey, 0, MAX_SETS - 1)));
    }

    @Override
    public Future<Boolean> delete(String name) {
        requireNonNull(name, "name");
        return calls.commands().compose(commands -> calls.script(commands, DELETE_SHA, DELETE,
                        new String[] {key(name), indexKey}, new String[] {name}))
                .map(reply -> (Long) reply.get(0) > 0);
    }


    @Override
    public Future<Void> close() {
        return calls.closeLink();
    }
}
