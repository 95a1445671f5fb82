package dev.turnout.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.route.InvalidRoutesException;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Routes in Redis, shared by every instance. One Lua script ({@link RedisScripts}) decides every
 * change: it compares the expected revision with the stored one, so a conditional write is judged
 * against the store, never against this instance's possibly stale copy. Each instance applies a
 * change from the published entry (no extra round trip), re-reads once its subscription is back
 * after a reconnect, and polls the revision as a backstop because pub/sub drops what is sent
 * while a subscriber is away.
 * <pre>
 *   {prefix}:rev        integer, the stored revision
 *   {prefix}:table      the table as JSON, with its revision
 *   {prefix}:history    list of {revision, routes, author, reason, action, time}, newest first, trimmed
 *   {prefix}:instances  hash: instance id -> {appliedRevision, heartbeat}
 *   prefix:routes       channel: each new history entry as JSON
 *
 *   writer --EVALSHA write--> Redis --PUBLISH entry--> every instance: parse, validate, swap, notify
 *                                    <--GET rev (poll)-- every instance, every pollInterval
 * </pre>
 * Everything that changes {@link #current()} runs on one Vert.x context, so tables are applied,
 * and listeners told, in revision order whichever path (write, message, poll) delivers them.
 * What Redis holds is hostile input: a table that fails validation is never applied (the
 * instance keeps its last good one and {@link #status()} names the rejected revision); a
 * garbled revision or key is reported as corrupt, not as unreachable. While Redis is unreachable
 * {@link #current()} keeps the last applied table and every other call fails fast with
 * {@link StoreUnavailableException}. If Redis comes back empty, the instance puts back the newest
 * table and the revisions it kept in memory ({@link RedisHistory}), never the seed file.
 */
final class RedisRouteStore implements RouteStore {

    private static final Logger LOG = Logger.getLogger(RedisRouteStore.class.getName());
    /** Concurrent unconditional edits take turns, one winner per round: enough for a burst of writers. */
    private static final int UPDATE_ATTEMPTS = 50;
    private static final int MAX_REPORTED_ERRORS = 20;

    private record Waiter(long revision, Promise<RouteTable> promise) {}

    private final Vertx vertx;
    private final Context context;
    private final RedisStoreOptions options;
    private final RedisLink link;
    private final String revKey;
    private final String tableKey;
    private final String[] keys;
    private final RedisInstances instances;
    private final RedisHistory history;
    private final String channel;
    private final List<Consumer<RouteTable>> listeners = new CopyOnWriteArrayList<>();
    private final List<Waiter> waiters = new ArrayList<>(); // the store's context only
    private volatile RedisClusterAsyncCommands<String, String> redis; // set once by start()
    private volatile RouteTable current;
    private volatile StoreStatus.Rejected rejected;
    private volatile boolean closed;
    private long pollTimer = -1;
    private long heartbeatTimer = -1;

    RedisRouteStore(Vertx vertx, RedisStoreOptions options) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.options = requireNonNull(options, "options");
        this.context = vertx.getOrCreateContext();
        String tag = "{" + options.prefix() + "}"; // one hash tag: every key in one cluster slot
        this.revKey = tag + ":rev";
        this.tableKey = tag + ":table";
        this.keys = new String[] {revKey, tableKey, tag + ":history", tag + ":instances"};
        this.instances = new RedisInstances(keys[3], options.instanceId(), options.instanceTtl());
        this.history = new RedisHistory(keys[2], options.historyLimit());
        this.channel = options.prefix() + ":routes";
        this.link = RedisLink.open(options.uri(), options.commandTimeout(), options.maxQueuedCommands());
    }

    @Override
    public Future<RouteTable> start(RouteTable seed) {
        requireNonNull(seed, "seed");
        if (redis != null) return reload(-1); // started already: read what is stored, never seed again
        return connect()
                // Expecting revision 0 stores the seed only while Redis holds no table, atomically,
                // so instances starting together seed once; otherwise it is a conflict, ignored.
                .compose(subscribed -> runScript(RedisScripts.WRITE_SHA, RedisScripts.WRITE, keys,
                        writeArgs(seed, 0, ChangeInfo.seed("the routes file"), -1, Instant.now())))
                .compose(seeded -> reload(-1))
                .compose(table -> table != null ? bridge(history.refresh(redis)).map(table) : Future.failedFuture(noTable()))
                .map(table -> {
                    pollTimer = vertx.setPeriodic(options.pollInterval().toMillis(), id -> poll());
                    heartbeatTimer = vertx.setPeriodic(options.heartbeatInterval().toMillis(), id -> heartbeat());
                    heartbeat();
                    LOG.info("instance " + options.instanceId() + " serves route revision " + table.revision()
                            + " from Redis at " + link.description());
                    return table;
                });
    }

    private Future<Void> connect() {
        return Future.fromCompletionStage(link.connect(), context)
                .compose(commands -> {
                    redis = commands;
                    return Future.fromCompletionStage(link.connectPubSub(), context);
                })
                .compose(subscriber -> {
                    subscriber.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String from, String entry) {
                            onContext(() -> applyMessage(entry));
                        }

                        @Override
                        public void subscribed(String from, long count) {
                            // Also after a reconnect, once Lettuce has subscribed again: whatever was
                            // published while we were away is in Redis, and newer changes now reach us.
                            onContext(RedisRouteStore.this::poll);
                        }
                    });
                    link.onConnected(() -> onContext(this::poll)); // sees at once whether Redis came back empty
                    return Future.fromCompletionStage(subscriber.async().subscribe(channel), context);
                })
                .recover(error -> Future.failedFuture(new StoreUnavailableException("cannot connect to Redis at "
                        + link.description() + ": " + error.getMessage(), error)));
    }

    private RuntimeException noTable() {
        StoreStatus.Rejected bad = rejected;
        if (bad != null) {
            return new StoreCorruptException("Redis at " + link.description() + " holds revision " + bad.revision() + " in "
                    + bad.key() + " but it cannot be applied: " + String.join("; ", bad.errors()) + ". Replace it from a"
                    + " running instance (PUT /admin/routes without If-Match), or delete " + revKey + " and " + tableKey
                    + " to seed again");
        }
        return new StoreCorruptException("Redis at " + link.description() + " holds " + revKey + " but no " + tableKey
                + "; delete " + revKey + " to seed it again");
    }

    @Override
    public RouteTable current() {
        return current;
    }

    @Override
    public void onApplied(Consumer<RouteTable> listener) {
        listeners.add(requireNonNull(listener, "listener"));
    }

    @Override
    public Future<RouteTable> whenApplied(long revision) {
        if (closed) return Future.failedFuture(new IllegalStateException("the store is closed"));
        Promise<RouteTable> promise = Promise.promise();
        onContext(() -> {
            RouteTable table = current;
            if (table != null && table.revision() >= revision) promise.tryComplete(table);
            else waiters.add(new Waiter(revision, promise));
        });
        return promise.future();
    }

    @Override
    public Future<RouteTable> write(RouteTable proposed, long expectedRevision, ChangeInfo change) {
        requireNonNull(proposed, "proposed");
        requireNonNull(change, "change");
        RouteTable applied = current;
        if (redis == null || applied == null) return Future.failedFuture(new IllegalStateException("start() the store first"));
        // Routes are compared here, by meaning (map order aside); the script only checks that the
        // table compared against is still the stored one.
        return script(proposed, expectedRevision, change, proposed.sameRoutesAs(applied) ? applied.revision() : -1);
    }

    @Override
    public Future<RouteTable> update(long expectedRevision, UnaryOperator<RouteTable> edit, ChangeInfo change) {
        requireNonNull(edit, "edit");
        requireNonNull(change, "change");
        if (redis == null || current == null) return Future.failedFuture(new IllegalStateException("start() the store first"));
        return attempt(expectedRevision, edit, change, UPDATE_ATTEMPTS, true);
    }

    /** Edits the newest table it knows; the script refuses if the store moved on, and then it reads again. */
    private Future<RouteTable> attempt(long expected, UnaryOperator<RouteTable> edit, ChangeInfo change, int left,
                                       boolean localFirst) {
        RouteTable local = current;
        Future<RouteTable> base = localFirst && (expected == ANY_REVISION || expected == local.revision())
                ? Future.succeededFuture(local) : readStored(expected);
        return base.compose(table -> {
            RouteTable proposed = edit.apply(table);
            long guard = expected == ANY_REVISION ? table.revision() : expected;
            return script(proposed, guard, change, proposed.sameRoutesAs(table) ? table.revision() : -1);
        }).recover(error -> error instanceof RevisionConflictException && expected == ANY_REVISION && left > 1
                ? attempt(expected, edit, change, left - 1, false) : Future.failedFuture(error));
    }

    /** The stored table (or ours, if Redis lost a newer one), applied; a conflict if it is not {@code expected}. */
    private Future<RouteTable> readStored(long expected) {
        return commands().compose(commands -> bridge(commands.get(tableKey))).map(json -> {
            RouteTable local = current;
            RouteTable stored = json == null ? local : parseStored(json, -1);
            RouteTable base = apply(stored.revision() >= local.revision() ? stored : local, "read");
            if (expected != ANY_REVISION && base.revision() != expected) {
                throw new RevisionConflictException(expected, base.revision());
            }
            return base;
        });
    }

    private Future<RouteTable> script(RouteTable proposed, long expected, ChangeInfo change, long sameRoutesAs) {
        Instant now = Instant.now();
        return runScript(RedisScripts.WRITE_SHA, RedisScripts.WRITE, keys, writeArgs(proposed, expected, change, sameRoutesAs, now))
                .compose(result -> {
                    long code = (Long) result.get(0);
                    long revision = (Long) result.get(1);
                    if (code == 0) return Future.failedFuture(new RevisionConflictException(expected, revision));
                    if (code == 3) {
                        return Future.failedFuture(new StoreCorruptException(revKey + " does not hold a revision, so a write"
                                + " with If-Match cannot be checked; PUT /admin/routes without If-Match replaces it"));
                    }
                    if (code == 2) return current.revision() == revision ? Future.succeededFuture(current) : reload(revision);
                    RouteTable written = proposed.withRevision(revision);
                    history.remember(revision, RedisDocuments.entry(new Revision(revision, change, now, written)));
                    apply(written, "write");
                    return Future.succeededFuture(written);
                });
    }

    private String[] writeArgs(RouteTable table, long expectedRevision, ChangeInfo change, long sameRoutesAs, Instant now) {
        RouteTable applied = current;
        return new String[] {Long.toString(expectedRevision), RedisDocuments.tableWithoutRevision(table),
                RedisDocuments.entry(change, now), Integer.toString(options.historyLimit()), channel,
                Long.toString(applied == null ? 0 : applied.revision()), Long.toString(sameRoutesAs),
                options.instanceId(), Long.toString(now.toEpochMilli())};
    }

    private Future<List<Object>> runScript(String sha, String script, String[] scriptKeys, String[] args) {
        return commands().compose(commands ->
                // EVALSHA sends 40 bytes instead of the script; Redis answers NOSCRIPT once after a restart.
                Future.fromCompletionStage(commands.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, scriptKeys, args), context)
                        .recover(error -> isNoScript(error)
                                ? bridge(commands.<List<Object>>eval(script, ScriptOutputType.MULTI, scriptKeys, args))
                                : Future.failedFuture(failure(error))));
    }

    @Override
    public Future<History> history(int limit) {
        if (limit <= 0) return Future.succeededFuture(new History(List.of(), 0, 0));
        return commands().compose(commands -> bridge(history.read(commands, limit)));
    }

    @Override
    public Future<Revision> revision(long revision) {
        return commands().compose(commands -> bridge(history.find(commands, revision)));
    }

    @Override
    public Future<StoreStatus> status() {
        long applied = current == null ? 0 : current.revision();
        return commands().compose(commands -> bridge(commands.get(revKey))
                .compose(stored -> bridge(instances.live(commands)).map(live -> {
                    long storedRevision = RedisDocuments.revisionOf(stored);
                    List<String> corrupt = new ArrayList<>();
                    if (storedRevision < 0) {
                        corrupt.add(revKey + " holds " + RedisDocuments.excerpt(stored) + ", not a revision;"
                                + " PUT /admin/routes without If-Match replaces it");
                    }
                    StoreStatus.Rejected bad = rejected;
                    if (bad != null) {
                        corrupt.add(bad.key() + " holds revision " + bad.revision() + ", which cannot be applied; this"
                                + " instance keeps serving revision " + applied + "; PUT /admin/routes without If-Match replaces it");
                    }
                    return new StoreStatus("redis", true, storedRevision, applied, live, null, corrupt, bad);
                })))
                .recover(error -> Future.succeededFuture(error instanceof StoreCorruptException
                        ? new StoreStatus("redis", true, -1, applied, List.of(), null, List.of(error.getMessage()), rejected)
                        : new StoreStatus("redis", false, -1, applied, List.of(), "Redis at " + link.description()
                                + " is unreachable (" + error.getMessage() + "); this instance keeps serving revision " + applied)));
    }

    @Override
    public Future<Void> close() {
        closed = true;
        if (pollTimer >= 0) vertx.cancelTimer(pollTimer);
        if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
        context.runOnContext(ignored -> {
            waiters.forEach(waiter -> waiter.promise().tryFail("the store is closed"));
            waiters.clear();
        });
        RedisClusterAsyncCommands<String, String> commands = redis;
        Future<Void> leave = commands == null ? Future.succeededFuture()
                : bridge(instances.leave(commands)).<Void>mapEmpty().otherwiseEmpty();
        // Closing waits for Lettuce's threads to stop: a worker's job, never an event loop's.
        return leave.eventually(() -> vertx.executeBlocking(() -> {
            link.close();
            return null;
        })).mapEmpty();
    }

    /** The backstop: catch up with a missed change, or put the table back if Redis lost it. */
    private void poll() {
        RouteTable applied = current;
        RedisClusterAsyncCommands<String, String> commands = redis;
        if (closed || commands == null || applied == null) return;
        bridge(commands.get(revKey)).onSuccess(stored -> {
            long storedRevision = RedisDocuments.revisionOf(stored);
            StoreStatus.Rejected bad = rejected;
            // A garbled revision: status() says so; the table may still be newer, so read it.
            if (storedRevision < 0) reload(-1);
            else if (storedRevision > applied.revision() && (bad == null || bad.revision() != storedRevision)) reload(storedRevision);
            else if (storedRevision < applied.revision()) restore(applied);
        });
    }

    /** Reads the stored table and applies it if newer and valid; the table this instance serves after that. */
    private Future<RouteTable> reload(long expectedRevision) {
        return commands().compose(commands -> bridge(commands.get(tableKey))).map(json -> {
            if (json == null) return current;
            try {
                return apply(parseStored(json, expectedRevision), "read");
            } catch (StoreCorruptException rejectedTable) {
                return current;
            }
        });
    }

    /** The stored table, validated like an admin write; else recorded as rejected and thrown. */
    private RouteTable parseStored(String json, long revisionHint) {
        try {
            return RouteCodec.fromJson(json);
        } catch (InvalidRoutesException e) {
            long revision = RedisDocuments.leadingRevision(json);
            reject(revision >= 0 ? revision : revisionHint, e.errors());
            throw new StoreCorruptException("the stored table (" + tableKey + ", revision " + rejected.revision()
                    + ") cannot be applied: " + String.join("; ", rejected.errors())
                    + "; PUT /admin/routes without If-Match replaces it");
        }
    }

    private void reject(long revision, List<String> errors) {
        StoreStatus.Rejected previous = rejected;
        List<String> shown = errors.size() > MAX_REPORTED_ERRORS ? errors.subList(0, MAX_REPORTED_ERRORS) : errors;
        rejected = new StoreStatus.Rejected(revision, tableKey, shown, Instant.now());
        if (previous == null || previous.revision() != revision) {
            LOG.warning("Redis holds route revision " + revision + " in " + tableKey + " but it fails validation ("
                    + String.join("; ", shown) + "); instance " + options.instanceId() + " keeps serving revision "
                    + (current == null ? "none" : current.revision()));
        }
    }

    /** A published history entry: kept in memory and applied; an invalid one is left to the poll, which records it. */
    private void applyMessage(String message) {
        try {
            JsonNode node = RedisDocuments.read(message);
            if (RedisDocuments.isEntry(node)) {
                Revision revision = RedisDocuments.revision(node);
                history.remember(revision.revision(), message);
                apply(revision.table(), "pub/sub");
            } else {
                apply(RouteCodec.fromTree(node), "pub/sub");
            }
        } catch (RuntimeException e) {
            LOG.fine(() -> "ignored an unusable message on " + channel + ": " + e.getMessage());
        }
    }

    private void restore(RouteTable mine) {
        ChangeInfo change = new ChangeInfo("turnout:" + options.instanceId(),
                "Redis lost the routes; restored revision " + mine.revision() + " from this instance", "restore");
        String[] args = history.restoreArgs(mine, change, channel);
        runScript(RedisScripts.RESTORE_SHA, RedisScripts.RESTORE, new String[] {keys[0], keys[1], keys[2]}, args)
                .onSuccess(result -> {
                    if ((Long) result.get(0) == 1) {
                        LOG.warning("Redis at " + link.description() + " held no routes, or older ones than this instance"
                                + " serves: instance " + options.instanceId() + " restored revision " + mine.revision()
                                + " and " + (args.length - 6) + " kept revisions from memory; the seed file was not used");
                    }
                });
    }

    private void heartbeat() {
        RouteTable table = current;
        RedisClusterAsyncCommands<String, String> commands = redis;
        if (closed || commands == null || table == null) return;
        instances.heartbeat(commands, table.revision());
    }

    /** Swaps in a newer table, on the store's context only; never goes backwards. */
    private RouteTable apply(RouteTable table, String source) {
        RouteTable previous = current;
        if (closed || previous != null && table.revision() <= previous.revision()) return previous;
        current = table;
        StoreStatus.Rejected bad = rejected;
        if (bad != null && bad.revision() <= table.revision()) rejected = null;
        // Before the listeners: whoever learns of the change from them finds it in status() too.
        heartbeat();
        LOG.fine(() -> "applied route revision " + table.revision() + " via " + source);
        for (Consumer<RouteTable> listener : listeners) {
            try {
                listener.accept(table);
            } catch (RuntimeException e) {
                LOG.log(java.util.logging.Level.WARNING, "a route listener failed on revision " + table.revision(), e);
            }
        }
        waiters.removeIf(waiter -> waiter.revision() <= table.revision() && waiter.promise().tryComplete(table));
        return table;
    }

    private void onContext(Runnable action) {
        if (closed) return;
        try {
            context.runOnContext(ignored -> action.run());
        } catch (RejectedExecutionException vertxClosed) {
            // Vert.x closed before this store: nothing is left to apply a table to.
        }
    }

    private Future<RedisClusterAsyncCommands<String, String>> commands() {
        RedisClusterAsyncCommands<String, String> commands = redis;
        return commands == null ? Future.failedFuture(new IllegalStateException("start() the store first"))
                : Future.succeededFuture(commands);
    }

    private static boolean isNoScript(Throwable error) {
        return error.getMessage() != null && error.getMessage().startsWith("NOSCRIPT");
    }

    /** Lettuce completes on its own threads; continue on this store's Vert.x context. */
    private <T> Future<T> bridge(CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, context).recover(error -> Future.failedFuture(failure(error)));
    }

    private Throwable failure(Throwable error) {
        if (error instanceof StoreUnavailableException || error instanceof StoreCorruptException
                || error instanceof RevisionNotFoundException) {
            return error;
        }
        if (error.getCause() instanceof RevisionNotFoundException) return error.getCause(); // thrown inside a stage
        String message = String.valueOf(error.getMessage());
        if (message.startsWith("WRONGTYPE")) {
            return new StoreCorruptException("a key under {" + options.prefix() + "} holds the wrong kind of value ("
                    + message + "); PUT /admin/routes without If-Match rewrites the routes keys");
        }
        return new StoreUnavailableException("Redis command failed: " + message, error);
    }
}
