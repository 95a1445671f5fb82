package dev.turnout.rollout.store;

import static java.util.Objects.requireNonNull;

import dev.turnout.store.RedisCalls;
import dev.turnout.store.RedisLink;
import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.StoreCorruptException;
import dev.turnout.store.StoreUnavailableException;
import io.lettuce.core.KeyValue;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Rollouts in Redis (keys: {@code package-info}). Every mutation is one Lua script
 * ({@link RolloutScripts}); reads are plain commands. What Redis holds is hostile input: a listing
 * skips what it cannot read (counted in {@link #unreadable()}, logged once per value with its
 * repair), a single read fails with {@link StoreCorruptException} naming the key and the repair.
 * Calls complete on the context that created the store, as the route store's do.
 */
final class RedisRolloutStore implements RolloutStore {

    private static final Logger LOG = Logger.getLogger(RedisRolloutStore.class.getName());
    /** HSCAN's hint per round trip over the active index: a few rounds for a full index. */
    private static final int SCAN_BATCH = 250;
    /** Distinct garbage values logged: a flood of garbage must not become a flood of log lines. */
    private static final int MAX_REPORTED = 1_000;

    private final Vertx vertx;
    private final Context context;
    private final RedisLink link;
    private final RedisCalls calls;
    private final String docsKey;
    private final String revsKey;
    private final String activeKey;
    private final String leaseKey;
    private final String fenceKey;
    private final AtomicLong unreadable = new AtomicLong();
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    RedisRolloutStore(Vertx vertx, RedisStoreOptions options) {
        this.vertx = requireNonNull(vertx, "vertx");
        requireNonNull(options, "options");
        this.context = vertx.getOrCreateContext();
        String tag = "{" + options.prefix() + "}"; // one hash tag: every key in one cluster slot
        this.docsKey = tag + ":rollouts";
        this.revsKey = tag + ":rollouts:rev";
        this.activeKey = tag + ":rollouts:active";
        this.leaseKey = tag + ":rollouts:lease";
        this.fenceKey = tag + ":rollouts:fence";
        this.link = RedisLink.open(options.uri(), options.commandTimeout(), options.maxQueuedCommands());
        this.calls = new RedisCalls(context, options.prefix(), link);
    }

    @Override
    public Future<Void> start() {
        if (link.commands() != null) return Future.succeededFuture();
        return Future.fromCompletionStage(link.connect(), context).<Void>mapEmpty()
                .recover(error -> Future.failedFuture(new StoreUnavailableException("cannot connect to Redis at "
                        + link.description() + ": " + error.getMessage(), error)));
    }

    @Override
    public Future<StoredRollout> create(String id, String json, ActiveRollout active) {
        StoredRollout created;
        try {
            created = new StoredRollout(id, 1, json);
            RolloutChecks.sameId(id, active);
        } catch (RuntimeException refused) {
            return Future.failedFuture(refused);
        }
        String[] args = {id, json, active == null ? "" : active.encoded(), active == null ? "" : active.alias(),
                Integer.toString(MAX_STORED)};
        return script(RolloutScripts.CREATE_SHA, RolloutScripts.CREATE, new String[] {docsKey, revsKey, activeKey}, args)
                .compose(reply -> code(reply) == RolloutScripts.DONE ? Future.succeededFuture(created)
                        : Future.failedFuture(code(reply) == RolloutScripts.ALL_ACTIVE ? RolloutChecks.allActive()
                                : refusal(reply, id, docsKey, revsKey, activeKey)));
    }

    @Override
    public Future<StoredRollout> write(String id, long expectedRevision, String json, ActiveRollout active, long fence) {
        try {
            StoredRollout.checkId(id);
            StoredRollout.checkJson(json);
            RolloutChecks.sameId(id, active);
            RolloutChecks.fence(fence);
        } catch (RuntimeException refused) {
            return Future.failedFuture(refused);
        }
        String[] args = {id, Long.toString(expectedRevision), json, active == null ? "" : active.encoded(),
                active == null ? "" : active.alias(), Long.toString(fence), Integer.toString(MAX_STORED)};
        return script(RolloutScripts.WRITE_SHA, RolloutScripts.WRITE, new String[] {docsKey, revsKey, activeKey, leaseKey}, args)
                .compose(reply -> code(reply) == RolloutScripts.DONE ? Future.succeededFuture(new StoredRollout(id, (Long) reply.get(1), json))
                        : Future.failedFuture(code(reply) == RolloutScripts.FENCED_OUT ? new FencedOutException(fence)
                                : refusal(reply, id, docsKey, revsKey, activeKey, leaseKey)));
    }

    /** What a script answered when it changed nothing; {@code keys} in the script's KEYS order. */
    private RuntimeException refusal(List<Object> reply, String id, String... keys) {
        long code = code(reply);
        if (code == RolloutScripts.CONFLICT) return new RolloutConflictException((Long) reply.get(1));
        if (code == RolloutScripts.ALIAS_BUSY) return new AliasBusyException(String.valueOf(reply.get(1)));
        if (code == RolloutScripts.GARBLED) return garbledRevision(id);
        if (code == RolloutScripts.INDEX_TOO_BIG) return indexTooBig();
        if (code == RolloutScripts.WRONG_TYPE) return wrongType(scriptKey(reply, keys));
        return new StoreCorruptException("unexpected reply " + reply + " from a rollout script");
    }

    @Override
    public Future<Optional<StoredRollout>> get(String id) {
        try {
            StoredRollout.checkId(id);
        } catch (RuntimeException refused) {
            return Future.failedFuture(refused);
        }
        return commands().compose(commands -> read(docsKey, commands.hget(docsKey, id))
                .compose(json -> json == null ? Future.succeededFuture(Optional.<StoredRollout>empty())
                        : read(revsKey, commands.hget(revsKey, id)).map(revision -> {
                            long stored = revisionOf(revision);
                            if (stored < 1) throw garbledRevision(id);
                            try {
                                return Optional.of(new StoredRollout(id, stored, json));
                            } catch (IllegalArgumentException unusable) {
                                throw new StoreCorruptException(docsKey + " field " + id + " cannot be used (" + unusable.getMessage()
                                        + "); HDEL " + docsKey + " " + id + " and HDEL " + revsKey + " " + id + " drop it");
                            }
                        })));
    }

    @Override
    public Future<List<StoredRollout>> list(int limit) {
        int wanted = Math.min(limit, MAX_STORED);
        if (wanted <= 0) return Future.succeededFuture(List.of());
        return commands().compose(commands -> read(docsKey, commands.hkeys(docsKey)).compose(all -> {
            List<String> ids = new ArrayList<>();
            for (String id : all) {
                if (StoredRollout.KEY.matcher(id).matches()) ids.add(id);
                else skipped(docsKey, id, "a field that is not a rollout id", "HDEL " + docsKey + " <field>");
            }
            ids.sort(Comparator.reverseOrder());
            List<String> newest = List.copyOf(ids.subList(0, Math.min(wanted, ids.size())));
            if (newest.isEmpty()) return Future.succeededFuture(List.<StoredRollout>of());
            String[] fields = newest.toArray(String[]::new);
            return read(docsKey, commands.hmget(docsKey, fields))
                    .compose(docs -> read(revsKey, commands.hmget(revsKey, fields)).map(revs -> rollouts(newest, docs, revs)));
        }));
    }

    private List<StoredRollout> rollouts(List<String> ids, List<KeyValue<String, String>> docs, List<KeyValue<String, String>> revs) {
        List<StoredRollout> rollouts = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            if (!docs.get(i).hasValue()) continue; // deleted since HKEYS: trimmed, not garbage
            long revision = revisionOf(revs.get(i).getValueOrElse(null));
            if (revision < 1) {
                skipped(revsKey, id, "no revision", "HSET " + revsKey + " " + id + " <revision>, or HDEL the field in "
                        + docsKey + " and " + revsKey + " to drop the rollout");
                continue;
            }
            try {
                rollouts.add(new StoredRollout(id, revision, docs.get(i).getValue()));
            } catch (IllegalArgumentException unusable) {
                skipped(docsKey, id, unusable.getMessage(), "HDEL " + docsKey + " " + id + " and HDEL " + revsKey + " " + id);
            }
        }
        return rollouts;
    }

    @Override
    public Future<List<ActiveRollout>> active() {
        return commands().compose(commands -> scan(commands, ScanCursor.INITIAL, new TreeMap<>())).map(entries -> {
            List<ActiveRollout> active = new ArrayList<>();
            for (Map.Entry<String, String> entry : entries.entrySet()) {
                try {
                    active.add(ActiveRollout.decode(entry.getKey(), entry.getValue()));
                } catch (RuntimeException undecodable) {
                    skipped(activeKey, entry.getKey(), "an entry that does not decode (" + undecodable.getMessage() + ")",
                            "HDEL " + activeKey + " <field>; the leader writes it again while the rollout runs");
                }
            }
            return List.copyOf(active);
        });
    }

    /** HSCAN until done or {@link #MAX_STORED} entries: a bounded read however big the hash has grown. */
    private Future<TreeMap<String, String>> scan(RedisClusterAsyncCommands<String, String> commands, ScanCursor cursor,
                                                 TreeMap<String, String> entries) {
        return read(activeKey, commands.hscan(activeKey, cursor, ScanArgs.Builder.limit(SCAN_BATCH))).compose(page -> {
            for (Map.Entry<String, String> entry : page.getMap().entrySet()) {
                if (entries.size() >= MAX_STORED) break;
                entries.put(entry.getKey(), entry.getValue());
            }
            return page.isFinished() || entries.size() >= MAX_STORED ? Future.succeededFuture(entries)
                    : scan(commands, page, entries);
        });
    }

    @Override
    public Future<Long> acquireLease(String owner, Duration ttl) {
        try {
            RolloutChecks.owner(owner);
            RolloutChecks.ttl(ttl);
        } catch (RuntimeException refused) {
            return Future.failedFuture(refused);
        }
        return script(RolloutScripts.ACQUIRE_SHA, RolloutScripts.ACQUIRE, new String[] {leaseKey, fenceKey},
                new String[] {owner, Long.toString(ttl.toMillis())}).compose(reply -> {
                    long code = code(reply);
                    if (code == RolloutScripts.DONE) return Future.succeededFuture((Long) reply.get(1));
                    if (code == RolloutScripts.CONFLICT) return Future.succeededFuture(0L);
                    if (code == RolloutScripts.GARBLED) {
                        return Future.failedFuture(new StoreCorruptException(fenceKey + " does not hold a number, so no fencing"
                                + " token can be issued; DEL " + fenceKey + ": the next token starts from Redis's clock, above every earlier one"));
                    }
                    return Future.failedFuture(refusal(reply, null, leaseKey, fenceKey));
                });
    }

    @Override
    public Future<Void> releaseLease(String owner) {
        try {
            RolloutChecks.owner(owner);
        } catch (RuntimeException refused) {
            return Future.failedFuture(refused);
        }
        return script(RolloutScripts.RELEASE_SHA, RolloutScripts.RELEASE, new String[] {leaseKey}, new String[] {owner})
                .compose(reply -> code(reply) == RolloutScripts.DONE ? Future.<Void>succeededFuture()
                        : Future.failedFuture(refusal(reply, null, leaseKey)));
    }

    @Override
    public Future<Optional<String>> leaseHolder() {
        return commands().compose(commands -> read(leaseKey, commands.get(leaseKey))).map(lease -> {
            int space = lease == null ? -1 : lease.indexOf(' ');
            // Garbage is no holder, as the acquire script reads it: the next acquireLease takes it over.
            return space > 0 && revisionOf(lease.substring(0, space)) >= 0
                    ? Optional.of(lease.substring(space + 1)) : Optional.<String>empty();
        });
    }

    @Override
    public long unreadable() {
        return unreadable.get();
    }

    @Override
    public Future<Void> close() {
        return calls.closeLink();
    }

    private Future<List<Object>> script(String sha, String script, String[] keys, String[] args) {
        return commands().compose(commands -> calls.script(commands, sha, script, keys, args));
    }

    /** A read of one key; RedisCalls' wrong-type failure reworded for that key, which it cannot name. */
    private <T> Future<T> read(String key, CompletionStage<T> stage) {
        return calls.bridge(stage).recover(error -> Future.failedFuture(error instanceof StoreCorruptException ? wrongType(key) : error));
    }

    private StoreCorruptException wrongType(String key) {
        String repair = key.equals(leaseKey) ? "DEL it: the leader takes the lease again at its next renewal"
                : key.equals(fenceKey) ? "DEL it: the next token starts from Redis's clock, above every earlier one"
                : key.equals(activeKey) ? "DEL it: each running rollout's entry comes back with the leader's next write to it"
                : "DEL " + docsKey + " " + revsKey + " " + activeKey + " together: the stored rollouts are lost, the routes are not touched";
        return new StoreCorruptException(key + " holds the wrong kind of value for rollouts; " + repair);
    }

    private StoreCorruptException garbledRevision(String id) {
        return new StoreCorruptException(revsKey + " field " + id + " does not hold a revision, so no write to rollout " + id
                + " can be checked; HSET " + revsKey + " " + id + " <revision> (its document's), or HDEL the field in " + docsKey
                + " and " + revsKey + " to drop the rollout");
    }

    private StoreCorruptException indexTooBig() {
        return new StoreCorruptException(activeKey + " holds more than " + MAX_STORED + " entries, more than rollouts can be stored;"
                + " HDEL the entries of rollouts that ended (or DEL it: the leader writes the running ones again)");
    }

    private void skipped(String key, String field, String why, String repair) {
        unreadable.incrementAndGet();
        String shown = StoredRollout.shown(field);
        if (reported.size() < MAX_REPORTED && reported.add(key + " " + shown)) {
            LOG.warning(key + " field '" + shown + "' cannot be read (" + why + "): skipped; " + repair);
        }
    }

    private static String scriptKey(List<Object> reply, String... keys) {
        long position = (Long) reply.get(1);
        return position >= 1 && position <= keys.length ? keys[(int) position - 1] : "a rollout key";
    }

    private static long code(List<Object> reply) {
        return (Long) reply.get(0);
    }

    /** A revision or token as stored, or -1 when it is not a number Lua holds exactly. */
    private static long revisionOf(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > 15 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) return -1;
        return Long.parseLong(raw);
    }

    private Future<RedisClusterAsyncCommands<String, String>> commands() {
        RedisClusterAsyncCommands<String, String> commands = link.commands();
        return commands == null ? Future.failedFuture(new IllegalStateException("start() the store first"))
                : Future.succeededFuture(commands);
    }
}
