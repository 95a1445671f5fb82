package dev.turnout.store;

import static java.util.Objects.requireNonNull;

import dev.turnout.route.RouteTable;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/**
 * Routes in Redis, shared by every instance (keys, channel and flow: {@code package-info}). One
 * Lua script ({@link RedisScripts}) decides every change: it compares the expected revision with
 * the stored one, so a conditional write is judged against the store, never against this
 * instance's possibly stale copy. Each instance applies a change from the published entry (no
 * extra round trip), re-reads once its subscription is back after a reconnect, and polls the
 * revision as a backstop because pub/sub drops what is sent while a subscriber is away.
 *
 * <p>Everything that changes {@link #current()} runs on one Vert.x context, so tables are applied,
 * and listeners told, in revision order whichever path (write, message, poll) delivers them.
 * What Redis holds is hostile input ({@link StoredTables}, {@link RedisHistory}). While Redis is
 * unreachable {@link #current()} keeps the last applied table and every other call fails fast
 * with {@link StoreUnavailableException}. If Redis comes back empty, the instance puts back the
 * newest table and the revisions it kept in memory, never the seed file.
 */
final class RedisRouteStore implements RouteStore {

    private static final Logger LOG = Logger.getLogger(RedisRouteStore.class.getName());
    /** Concurrent unconditional edits take turns, one winner per round: enough for a burst of writers. */
    private static final int UPDATE_ATTEMPTS = 50;

    private final Vertx vertx;
    private final Context context;
    private final RedisStoreOptions options;
    private final RedisLink link;
    private final String revKey;
    private final String tableKey;
    private final String[] keys;
    private final RedisInstances instances;
    private final RedisHistory history;
    private final StoredTables tables;
    private final RedisCalls calls;
    private final String channel;
    private final AppliedListeners listeners = new AppliedListeners();
    private volatile RouteTable current;
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
        this.tables = new StoredTables(revKey, tableKey, options.instanceId());
        this.channel = options.prefix() + ":routes";
        this.link = RedisLink.open(options.uri(), options.commandTimeout(), options.maxQueuedCommands());
        this.calls = new RedisCalls(context, options.prefix(), link);
    }

    @Override
    public java.util.Optional<RedisStoreOptions> redisOptions() {
        return java.util.Optional.of(options);
    }

    @Override
    public Future<RouteTable> start(RouteTable seed) {
        requireNonNull(seed, "seed");
        if (link.commands() != null) return reload(-1, false); // started already: read what is stored, never seed again
        return connect()
                // Expecting revision 0 stores the seed only while Redis holds no table, atomically,
                // so instances starting together seed once; otherwise it is a conflict, ignored.
                .compose(subscribed -> runScript(RedisScripts.WRITE_SHA, RedisScripts.WRITE, keys,
                        writeArgs(seed, 0, ChangeInfo.seed("the routes file"), Instant.now(), -1)))
                .compose(seeded -> reload(-1, false))
                // Kept revisions are a spare for a restore: a garbled history must not stop a start.
                .compose(table -> table != null ? calls.bridge(history.refresh(link.commands())).otherwiseEmpty().map(table)
                        : Future.failedFuture(tables.noTable(link.description())))
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
                    link.onConnected(() -> onContext(this::poll)); // sees at once whether Redis came back empty
                    return Future.fromCompletionStage(link.subscribe(channel, entry -> onContext(() -> applyMessage(entry)),
                            () -> onContext(this::poll)), context);
                })
                .recover(error -> Future.failedFuture(new StoreUnavailableException("cannot connect to Redis at "
                        + link.description() + ": " + error.getMessage(), error)));
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
        return closed ? Future.failedFuture(new IllegalStateException("the store is closed")) : listeners.when(revision, this::current);
    }

    @Override
    public Future<RouteTable> write(RouteTable proposed, long expectedRevision, ChangeInfo change) {
        requireNonNull(proposed, "proposed");
        requireNonNull(change, "change");
        RouteTable applied = current;
        if (link.commands() == null || applied == null) return Future.failedFuture(new IllegalStateException("start() the store first"));
        // Routes are compared here, by meaning (map order aside); the script only checks that the
        // table compared against is still the stored one.
        return script(proposed, expectedRevision, change, proposed.sameRoutesAs(applied) ? applied.revision() : -1);
    }

    @Override
    public Future<RouteTable> update(long expectedRevision, UnaryOperator<RouteTable> edit, ChangeInfo change) {
        requireNonNull(edit, "edit");
        requireNonNull(change, "change");
        if (link.commands() == null || current == null) return Future.failedFuture(new IllegalStateException("start() the store first"));
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
        return reload(-1, true).map(base -> {
            if (expected != ANY_REVISION && base.revision() != expected) throw new RevisionConflictException(expected, base.revision());
            return base;
        });
    }

    private Future<RouteTable> script(RouteTable proposed, long expected, ChangeInfo change, long sameRoutesAs) {
        Instant now = Instant.now();
        return runScript(RedisScripts.WRITE_SHA, RedisScripts.WRITE, keys, writeArgs(proposed, expected, change, now, sameRoutesAs))
                .compose(result -> {
                    long code = (Long) result.get(0);
                    long revision = (Long) result.get(1);
                    if (code == 0) return Future.failedFuture(new RevisionConflictException(expected, revision));
                    if (code == 3) return Future.failedFuture(tables.garbledRevision());
                    if (code == 2) return current.revision() == revision ? Future.succeededFuture(current) : reload(revision, false);
                    RouteTable written = proposed.withRevision(revision);
                    history.remember(revision, RedisDocuments.entry(new Revision(revision, change, now, written)));
                    apply(written, "write");
                    return Future.succeededFuture(written);
                });
    }

    private String[] writeArgs(RouteTable table, long expected, ChangeInfo change, Instant now, long sameRoutesAs) {
        RouteTable applied = current;
        return RedisScripts.writeArgs(table, expected, change, now, options.historyLimit(), channel,
                applied == null ? 0 : applied.revision(), sameRoutesAs, options.instanceId());
    }

    private Future<List<Object>> runScript(String sha, String script, String[] scriptKeys, String[] args) {
        return commands().compose(commands -> calls.script(commands, sha, script, scriptKeys, args));
    }

    @Override
    public Future<History> history(int limit) {
        if (limit <= 0) return Future.succeededFuture(new History(List.of(), 0, 0));
        return commands().compose(commands -> calls.bridge(history.read(commands, limit)));
    }

    @Override
    public Future<Revision> revision(long revision) {
        return commands().compose(commands -> calls.bridge(history.find(commands, revision)));
    }

    @Override
    public Future<StoreStatus> status() {
        long applied = current == null ? 0 : current.revision();
        return commands().compose(commands -> calls.bridge(commands.get(revKey))
                .compose(stored -> calls.bridge(instances.live(commands)).map(live -> tables.status(stored, live, applied))))
                .recover(error -> Future.succeededFuture(tables.status(error, applied, link.description())));
    }

    @Override
    public Future<Void> close() {
        closed = true;
        if (pollTimer >= 0) vertx.cancelTimer(pollTimer);
        if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
        listeners.close();
        RedisClusterAsyncCommands<String, String> commands = link.commands();
        Future<Void> leave = commands == null ? Future.succeededFuture()
                : calls.bridge(instances.leave(commands)).<Void>mapEmpty().otherwiseEmpty();
        // Closing waits for Lettuce's threads to stop: a worker's job, never an event loop's.
        return leave.eventually(() -> vertx.executeBlocking(() -> {
            link.close();
            return null;
        })).mapEmpty();
    }

    /** The backstop: catch up with a missed change, or put the table back if Redis lost it. */
    private void poll() {
        RouteTable applied = current;
        RedisClusterAsyncCommands<String, String> commands = link.commands();
        if (closed || commands == null || applied == null) return;
        calls.bridge(commands.get(revKey)).onSuccess(stored -> {
            long storedRevision = RedisDocuments.revisionOf(stored);
            // A garbled revision: status() says so; the table may still be newer, so read it.
            if (storedRevision < 0) reload(-1, false);
            else if (storedRevision > applied.revision() && tables.worthReading(storedRevision)) reload(storedRevision, false);
            else if (storedRevision < applied.revision()) restore(applied);
        });
    }

    /**
     * Reads the stored table and applies it if newer and valid; the table this instance serves
     * after that. A table that fails validation is recorded as rejected, and thrown if {@code strict}.
     */
    private Future<RouteTable> reload(long revisionHint, boolean strict) {
        return commands().compose(commands -> calls.bridge(commands.get(tableKey))).map(json -> {
            try {
                return json == null ? current : apply(tables.parse(json, revisionHint, current), "read");
            } catch (StoreCorruptException refused) {
                if (strict) throw refused;
                return current;
            }
        });
    }

    /** A published history entry: kept in memory and applied. */
    private void applyMessage(String entry) {
        try {
            Revision revision = RedisDocuments.revision(entry);
            history.remember(revision.revision(), entry);
            apply(revision.table(), "pub/sub");
        } catch (RuntimeException unusable) {
            // Left to the poll, which reads the stored table and records why it is refused.
            LOG.fine(() -> "ignored an unusable message on " + channel + ": " + unusable.getMessage());
        }
    }

    private void restore(RouteTable mine) {
        String[] args = history.restoreArgs(mine, options.instanceId(), channel);
        runScript(RedisScripts.RESTORE_SHA, RedisScripts.RESTORE, new String[] {keys[0], keys[1], keys[2]}, args)
                .onSuccess(result -> {
                    if ((Long) result.get(0) == 1) {
                        LOG.warning("Redis at " + link.description() + " held no routes, or older ones than this instance"
                                + " serves: instance " + options.instanceId() + " restored revision " + mine.revision()
                                + " with " + (args.length - 6) + " history entries kept in memory; the seed file was not used");
                    }
                });
    }

    private void heartbeat() {
        RouteTable table = current;
        RedisClusterAsyncCommands<String, String> commands = link.commands();
        if (closed || commands == null || table == null) return;
        calls.bridge(instances.heartbeat(commands, table.revision())); // reported: a hung server is noticed even when idle
    }

    /** Swaps in a newer table, on the store's context only; never goes backwards. */
    private RouteTable apply(RouteTable table, String source) {
        RouteTable previous = current;
        if (closed || previous != null && table.revision() <= previous.revision()) return previous;
        current = table;
        tables.applied(table.revision());
        // Before the listeners: whoever learns of the change from them finds it in status() too.
        heartbeat();
        LOG.fine(() -> "applied route revision " + table.revision() + " via " + source);
        listeners.applied(table);
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
        RedisClusterAsyncCommands<String, String> commands = link.commands();
        return commands == null ? Future.failedFuture(new IllegalStateException("start() the store first"))
                : Future.succeededFuture(commands);
    }
}
