package dev.turnout.store;

import static java.util.Objects.requireNonNull;

import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routes in Redis, shared by every instance. One Lua script ({@link RedisScripts}) applies a
 * change atomically and publishes the new table; each instance applies it from the message (no
 * extra round trip), re-reads once its subscription is back after a reconnect, and polls the
 * revision as a backstop because pub/sub drops what is sent while a subscriber is away.
 * <pre>
 *   {prefix}:rev        integer, the stored revision
 *   {prefix}:table      the table as JSON, with its revision
 *   {prefix}:history    list of {revision, routes, author, reason, action, time}, newest first, trimmed
 *   {prefix}:instances  hash: instance id -> {appliedRevision, heartbeat}
 *   prefix:routes       channel: each new table as JSON
 *
 *   writer --EVALSHA write--> Redis --PUBLISH table--> every instance: parse, swap, notify
 *                                    <--GET rev (poll)-- every instance, every pollInterval
 * </pre>
 * Everything that changes {@link #current()} runs on one Vert.x context, so tables are applied,
 * and listeners told, in revision order whichever path (write, message, poll) delivers them.
 * While Redis is unreachable {@link #current()} keeps the last applied table and every other
 * call fails fast with {@link StoreUnavailableException}. If Redis comes back empty, the instance
 * puts back the newest table it holds (never the seed file) and says so in the log.
 */
final class RedisRouteStore implements RouteStore {

    private static final Logger LOG = Logger.getLogger(RedisRouteStore.class.getName());

    private final Vertx vertx;
    private final Context context;
    private final RedisStoreOptions options;
    private final RedisURI uri;
    private final ClientResources resources;
    private final RedisClient client;
    private final String[] keys;
    private final RedisInstances instances;
    private final String channel;
    private final List<Consumer<RouteTable>> listeners = new CopyOnWriteArrayList<>();
    // Set once by start(); read from Lettuce threads, timers and callers alike.
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> pubSub;
    private volatile RedisAsyncCommands<String, String> redis;
    private volatile RouteTable current;
    private volatile boolean closed;
    private long pollTimer = -1;
    private long heartbeatTimer = -1;

    RedisRouteStore(Vertx vertx, RedisStoreOptions options) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.options = requireNonNull(options, "options");
        this.context = vertx.getOrCreateContext();
        String tag = "{" + options.prefix() + "}";
        this.keys = new String[] {tag + ":rev", tag + ":table", tag + ":history", tag + ":instances"};
        this.instances = new RedisInstances(keys[3], options.instanceId(), options.instanceTtl());
        this.channel = options.prefix() + ":routes";
        this.uri = RedisURI.create(options.uri());
        uri.setTimeout(options.commandTimeout());
        // Lettuce's default backoff grows to 30 s: after a long outage an instance would stay
        // read-only for up to 30 s after Redis returned. Cap it at 1 s.
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Fail at once while disconnected instead of queueing writes an operator is waiting on.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(options.commandTimeout()).build())
                .build());
    }

    @Override
    public Future<RouteTable> start(RouteTable seed) {
        requireNonNull(seed, "seed");
        if (redis != null) return reload(); // started already: read what is stored, never seed again
        return connect()
                .compose(connected -> bridge(pubSub.async().subscribe(channel)))
                // Expecting revision 0 stores the seed only while Redis holds no table, atomically,
                // so instances starting together seed once; otherwise it is a conflict, ignored.
                .compose(subscribed -> runScript(RedisScripts.WRITE_SHA, RedisScripts.WRITE, keys,
                        writeArgs(seed, 0, ChangeInfo.seed("the routes file"), -1)))
                .compose(seeded -> reload())
                .map(table -> {
                    if (table == null) {
                        throw new IllegalStateException("Redis at " + options.uri() + " holds " + keys[0]
                                + " but no " + keys[1] + "; delete " + keys[0] + " to seed it again");
                    }
                    pollTimer = vertx.setPeriodic(options.pollInterval().toMillis(), id -> poll());
                    heartbeatTimer = vertx.setPeriodic(options.heartbeatInterval().toMillis(), id -> heartbeat());
                    heartbeat();
                    LOG.info("instance " + options.instanceId() + " serves route revision " + table.revision()
                            + " from Redis at " + options.uri());
                    return table;
                });
    }

    private Future<Void> connect() {
        return Future.fromCompletionStage(client.connectAsync(StringCodec.UTF8, uri), context)
                .compose(commands -> {
                    connection = commands;
                    redis = commands.async();
                    return Future.fromCompletionStage(client.connectPubSubAsync(StringCodec.UTF8, uri), context);
                })
                .<Void>map(subscriber -> {
                    pubSub = subscriber;
                    subscriber.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String from, String table) {
                            onContext(() -> applyJson(table, "pub/sub"));
                        }

                        @Override
                        public void subscribed(String from, long count) {
                            // Also after a reconnect, once Lettuce has subscribed again: whatever was
                            // published while we were away is in Redis, and newer changes now reach us.
                            onContext(RedisRouteStore.this::poll);
                        }
                    });
                    client.addListener(new RedisConnectionStateListener() {
                        @Override
                        public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                            onContext(RedisRouteStore.this::poll); // sees at once whether Redis came back empty
                        }
                    });
                    return null;
                })
                .recover(error -> Future.failedFuture(unavailable("cannot connect to Redis at " + options.uri(), error)));
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
    public Future<RouteTable> write(RouteTable proposed, long expectedRevision, ChangeInfo change) {
        requireNonNull(proposed, "proposed");
        requireNonNull(change, "change");
        RouteTable applied = current;
        if (redis == null || applied == null) return Future.failedFuture(new IllegalStateException("start() the store first"));
        // Routes are compared here, by meaning (map order aside); the script only checks that the
        // table compared against is still the stored one.
        long sameRoutesAs = proposed.sameRoutesAs(applied) ? applied.revision() : -1;
        return runScript(RedisScripts.WRITE_SHA, RedisScripts.WRITE, keys,
                writeArgs(proposed, expectedRevision, change, sameRoutesAs)).compose(result -> {
            long code = (Long) result.get(0);
            long revision = (Long) result.get(1);
            if (code == 0) return Future.failedFuture(new RevisionConflictException(expectedRevision, revision));
            if (code == 2) return current.revision() == revision ? Future.succeededFuture(current) : reload();
            RouteTable written = proposed.withRevision(revision);
            apply(written, "write");
            return Future.succeededFuture(written);
        });
    }

    private String[] writeArgs(RouteTable table, long expectedRevision, ChangeInfo change, long sameRoutesAs) {
        RouteTable applied = current;
        return new String[] {Long.toString(expectedRevision), RedisDocuments.tableWithoutRevision(table),
                RedisDocuments.entry(change, Instant.now()), Integer.toString(options.historyLimit()), channel,
                Long.toString(applied == null ? 0 : applied.revision()), Long.toString(sameRoutesAs),
                options.instanceId(), Long.toString(System.currentTimeMillis())};
    }

    private Future<List<Object>> runScript(String sha, String script, String[] scriptKeys, String[] args) {
        RedisAsyncCommands<String, String> commands = redis;
        // EVALSHA sends 40 bytes instead of the script; Redis answers NOSCRIPT once after a restart.
        return Future.fromCompletionStage(commands.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, scriptKeys, args), context)
                .recover(error -> isNoScript(error)
                        ? bridge(commands.<List<Object>>eval(script, ScriptOutputType.MULTI, scriptKeys, args))
                        : Future.failedFuture(unavailable("Redis command failed", error)));
    }

    @Override
    public Future<List<Revision>> history(int limit) {
        if (limit <= 0) return Future.succeededFuture(List.of());
        return commands().compose(commands -> bridge(commands.lrange(keys[2], 0, limit - 1)))
                .map(entries -> entries.stream().map(RedisDocuments::revision).toList());
    }

    @Override
    public Future<Revision> revision(long revision) {
        return commands().compose(commands -> bridge(commands.lrange(keys[2], 0, options.historyLimit() - 1)))
                .compose(entries -> entries.stream().filter(entry -> RedisDocuments.isEntryOf(entry, revision)).findFirst()
                        .map(entry -> Future.succeededFuture(RedisDocuments.revision(entry)))
                        .orElseGet(() -> Future.failedFuture(new RevisionNotFoundException(revision))));
    }

    @Override
    public Future<StoreStatus> status() {
        long applied = current == null ? 0 : current.revision();
        return commands().compose(commands -> bridge(commands.get(keys[0]))
                .compose(stored -> bridge(instances.live(commands)).map(live ->
                        new StoreStatus("redis", true, stored == null ? 0 : Long.parseLong(stored), applied, live, null))))
                .recover(error -> Future.succeededFuture(new StoreStatus("redis", false, -1, applied, List.of(),
                        "Redis at " + options.uri() + " is unreachable (" + error.getMessage()
                                + "); this instance keeps serving revision " + applied)));
    }

    @Override
    public Future<Void> close() {
        closed = true;
        if (pollTimer >= 0) vertx.cancelTimer(pollTimer);
        if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
        RedisAsyncCommands<String, String> commands = redis;
        StatefulRedisPubSubConnection<String, String> subscriber = pubSub;
        Future<Void> leave = commands == null ? Future.succeededFuture()
                : bridge(instances.leave(commands)).<Void>mapEmpty().otherwiseEmpty();
        Future<Void> unsubscribe = subscriber == null ? Future.succeededFuture()
                : bridge(subscriber.async().unsubscribe(channel)).otherwiseEmpty();
        return leave.compose(left -> unsubscribe).eventually(() -> vertx.executeBlocking(() -> {
            // Closing waits for Lettuce's threads to stop: a worker's job, never an event loop's.
            if (subscriber != null) subscriber.close();
            if (connection != null) connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            return null;
        })).mapEmpty();
    }

    /** The backstop: catch up with a missed change, or put the table back if Redis lost it. */
    private void poll() {
        RouteTable applied = current;
        RedisAsyncCommands<String, String> commands = redis;
        if (closed || commands == null || applied == null) return;
        bridge(commands.get(keys[0])).onSuccess(stored -> {
            long storedRevision = stored == null ? 0 : Long.parseLong(stored);
            if (storedRevision > applied.revision()) reload();
            else if (storedRevision < applied.revision()) restore(applied);
        });
    }

    /** Reads the stored table and applies it if newer; the table this instance serves after that. */
    private Future<RouteTable> reload() {
        return commands().compose(commands -> bridge(commands.get(keys[1]))).map(json -> applyJson(json, "read"));
    }

    private void restore(RouteTable mine) {
        ChangeInfo change = new ChangeInfo("turnout:" + options.instanceId(),
                "Redis lost the routes; restored revision " + mine.revision() + " from this instance", "restore");
        String[] args = {Long.toString(mine.revision()), RedisDocuments.tableWithoutRevision(mine),
                RedisDocuments.entry(change, Instant.now()), Integer.toString(options.historyLimit()), channel};
        runScript(RedisScripts.RESTORE_SHA, RedisScripts.RESTORE, new String[] {keys[0], keys[1], keys[2]}, args)
                .onSuccess(result -> {
                    if ((Long) result.get(0) == 1) {
                        LOG.warning("Redis at " + options.uri() + " held no routes, or older ones than this instance"
                                + " serves: instance " + options.instanceId() + " restored revision " + mine.revision()
                                + " from memory; the seed file was not used");
                    }
                });
    }

    private void heartbeat() {
        RouteTable table = current;
        RedisAsyncCommands<String, String> commands = redis;
        if (closed || commands == null || table == null) return;
        instances.heartbeat(commands, table.revision());
    }

    private RouteTable applyJson(String json, String source) {
        if (json == null) return current;
        try {
            return apply(RouteCodec.fromJson(json), source);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "ignored an unreadable route table from " + source + ": " + e.getMessage());
            return current;
        }
    }

    /** Swaps in a newer table, on the store's context only; never goes backwards. */
    private RouteTable apply(RouteTable table, String source) {
        RouteTable previous = current;
        if (closed || previous != null && table.revision() <= previous.revision()) return previous;
        current = table;
        // Before the listeners: whoever learns of the change from them finds it in status() too.
        heartbeat();
        LOG.fine(() -> "applied route revision " + table.revision() + " via " + source);
        for (Consumer<RouteTable> listener : listeners) {
            try {
                listener.accept(table);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "a route listener failed on revision " + table.revision(), e);
            }
        }
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

    private Future<RedisAsyncCommands<String, String>> commands() {
        RedisAsyncCommands<String, String> commands = redis;
        return commands == null ? Future.failedFuture(new IllegalStateException("start() the store first"))
                : Future.succeededFuture(commands);
    }

    private static boolean isNoScript(Throwable error) {
        return error.getMessage() != null && error.getMessage().startsWith("NOSCRIPT");
    }

    /** Lettuce completes on its own threads; continue on this store's Vert.x context. */
    private <T> Future<T> bridge(CompletionStage<T> stage) {
        return Future.fromCompletionStage(stage, context)
                .recover(error -> Future.failedFuture(unavailable("Redis command failed", error)));
    }

    private static Throwable unavailable(String message, Throwable error) {
        if (error instanceof StoreUnavailableException) return error;
        return new StoreUnavailableException(message + ": " + error.getMessage(), error);
    }
}
