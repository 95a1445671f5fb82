package dev.turnout.store;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Routes in Redis, shared by every instance. One Lua script applies a change atomically and
 * publishes the new table; each instance applies it from the message (no extra round trip),
 * re-reads after reconnecting, and polls the revision as a backstop because pub/sub drops what
 * is sent while a subscriber is disconnected.
 * <pre>
 *   {prefix}:rev        integer, the stored revision
 *   {prefix}:table      the table as JSON, with its revision
 *   {prefix}:history    list of {revision, routes, author, reason, action, time}, newest first, trimmed
 *   {prefix}:instances  hash: instance id -> {appliedRevision, heartbeat}
 *   prefix:routes       channel: each new table as JSON
 * </pre>
 * While Redis is unreachable {@link #current()} keeps the last applied table and every other
 * call fails fast with {@link StoreUnavailableException}. If Redis comes back empty, the instance
 * puts back the newest table it holds (never the seed file) and says so in the log.
 */
final class RedisRouteStore implements RouteStore {

    private static final Logger LOG = Logger.getLogger(RedisRouteStore.class.getName());

    private final Vertx vertx;
    private final Context context;
    private final RedisStoreOptions options;
    private final RedisClient client;
    private final String revKey;
    private final String tableKey;
    private final String historyKey;
    private final String instancesKey;
    private final String channel;
    private final List<Consumer<RouteTable>> listeners = new CopyOnWriteArrayList<>();
    private StatefulRedisConnection<String, String> connection;
    private StatefulRedisPubSubConnection<String, String> pubSub;
    private RedisAsyncCommands<String, String> redis;
    private volatile RouteTable current;
    private long pollTimer = -1;
    private long heartbeatTimer = -1;

    RedisRouteStore(Vertx vertx, RedisStoreOptions options) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.options = requireNonNull(options, "options");
        this.context = vertx.getOrCreateContext();
        String tag = "{" + options.prefix() + "}";
        this.revKey = tag + ":rev";
        this.tableKey = tag + ":table";
        this.historyKey = tag + ":history";
        this.instancesKey = tag + ":instances";
        this.channel = options.prefix() + ":routes";
        RedisURI uri = RedisURI.create(options.uri());
        uri.setTimeout(options.commandTimeout());
        this.client = RedisClient.create(uri);
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
        return vertx.executeBlocking(() -> {
            // Connecting is the one blocking step, done once at start-up off the event loop.
            connection = client.connect();
            redis = connection.async();
            pubSub = client.connectPubSub();
            return null;
        }).recover(error -> Future.failedFuture(unavailable("cannot connect to Redis at " + options.uri(), error)))
                .compose(connected -> {
                    pubSub.addListener(new RedisPubSubAdapter<>() {
                        @Override
                        public void message(String from, String message) {
                            applyJson(message, "pub/sub");
                        }
                    });
                    client.addListener(new RedisConnectionStateListener() {
                        @Override
                        public void onRedisConnected(io.lettuce.core.RedisChannelHandler<?, ?> handler, SocketAddress address) {
                            // Messages sent while we were away are lost: read the stored table again.
                            vertx.setTimer(1, id -> poll());
                        }
                    });
                    return bridge(pubSub.async().subscribe(channel));
                })
                // Expecting revision 0 stores the seed only while Redis holds no table, atomically,
                // so instances starting together seed once.
                .compose(subscribed -> runScript(RedisScripts.WRITE, writeArgs(seed, 0, ChangeInfo.seed("the routes file"))))
                .compose(ignored -> bridge(redis.get(tableKey)))
                .map(json -> {
                    applyJson(json, "start");
                    pollTimer = vertx.setPeriodic(options.pollInterval().toMillis(), id -> poll());
                    heartbeatTimer = vertx.setPeriodic(options.heartbeatInterval().toMillis(), id -> heartbeat());
                    heartbeat();
                    LOG.info("instance " + options.instanceId() + " applied route revision " + current.revision()
                            + " from Redis at " + options.uri());
                    return current;
                });
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
        return runScript(RedisScripts.WRITE, writeArgs(proposed, expectedRevision, change)).compose(result -> {
            long code = (Long) result.get(0);
            long revision = (Long) result.get(1);
            if (code == 0) return Future.failedFuture(new RevisionConflictException(expectedRevision, revision));
            if (code == 2) return current.revision() == revision ? Future.succeededFuture(current)
                    : bridge(redis.get(tableKey)).map(json -> applyJson(json, "read"));
            return Future.succeededFuture(apply(proposed.withRevision(revision), "write"));
        });
    }

    private String[] writeArgs(RouteTable table, long expectedRevision, ChangeInfo change) {
        long floor = current == null ? 0 : current.revision();
        return new String[] {Long.toString(expectedRevision), tableWithoutRevision(table), entry(change),
                Integer.toString(options.historyLimit()), channel, Long.toString(floor)};
    }

    private Future<List<Object>> runScript(String script, String[] args) {
        String[] keys = {revKey, tableKey, historyKey};
        // EVALSHA sends 40 bytes instead of the script; Redis answers NOSCRIPT once after a restart.
        return bridge(redis.<List<Object>>evalsha(sha1(script), ScriptOutputType.MULTI, keys, args),
                error -> isNoScript(error) ? redis.<List<Object>>eval(script, ScriptOutputType.MULTI, keys, args) : null);
    }

    @Override
    public Future<List<Revision>> history(int limit) {
        if (limit <= 0) return Future.succeededFuture(List.of());
        return bridge(redis.lrange(historyKey, 0, limit - 1)).map(entries -> {
            List<Revision> history = new ArrayList<>(entries.size());
            for (String entry : entries) history.add(revisionFrom(entry));
            return history;
        });
    }

    @Override
    public Future<Revision> revision(long revision) {
        return history(options.historyLimit()).compose(history -> history.stream()
                .filter(entry -> entry.revision() == revision).findFirst()
                .map(Future::succeededFuture)
                .orElseGet(() -> Future.failedFuture(new RevisionNotFoundException(revision))));
    }

    @Override
    public Future<StoreStatus> status() {
        long applied = current == null ? 0 : current.revision();
        return bridge(redis.get(revKey)).compose(stored -> bridge(redis.hgetall(instancesKey)).map(all -> {
            long now = System.currentTimeMillis();
            List<StoreStatus.InstanceState> live = new ArrayList<>();
            for (Map.Entry<String, String> instance : all.entrySet()) {
                JsonNode state = readJson(instance.getValue());
                long heartbeat = state.path("heartbeat").asLong();
                if (now - heartbeat <= options.instanceTtl().toMillis()) {
                    live.add(new StoreStatus.InstanceState(instance.getKey(), state.path("appliedRevision").asLong(),
                            Instant.ofEpochMilli(heartbeat)));
                }
            }
            live.sort(java.util.Comparator.comparing(StoreStatus.InstanceState::id));
            return new StoreStatus("redis", true, stored == null ? 0 : Long.parseLong(stored), applied, live, null);
        })).recover(error -> Future.succeededFuture(new StoreStatus("redis", false, -1, applied,
                List.of(), "Redis unreachable: " + error.getMessage())));
    }

    @Override
    public Future<Void> close() {
        if (pollTimer >= 0) vertx.cancelTimer(pollTimer);
        if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
        Future<Void> leave = redis == null ? Future.succeededFuture()
                : bridge(redis.hdel(instancesKey, options.instanceId())).<Void>mapEmpty().otherwiseEmpty();
        return leave.eventually(() -> vertx.executeBlocking(() -> {
            if (pubSub != null) pubSub.close();
            if (connection != null) connection.close();
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            return null;
        })).mapEmpty();
    }

    /** The backstop: catch up with a missed change, or put the table back if Redis lost it. */
    private void poll() {
        if (redis == null || current == null) return;
        bridge(redis.get(revKey)).onSuccess(stored -> {
            long storedRevision = stored == null ? 0 : Long.parseLong(stored);
            if (storedRevision > current.revision()) {
                bridge(redis.get(tableKey)).onSuccess(json -> applyJson(json, "poll"));
            } else if (storedRevision < current.revision()) {
                restore();
            }
        });
    }

    private void restore() {
        RouteTable mine = current;
        ChangeInfo change = new ChangeInfo("turnout:" + options.instanceId(),
                "Redis lost the routes; restored revision " + mine.revision() + " from this instance", "restore");
        String[] args = {Long.toString(mine.revision()), tableWithoutRevision(mine), entry(change),
                Integer.toString(options.historyLimit()), channel};
        runScript(RedisScripts.RESTORE, args).onSuccess(result -> {
            if ((Long) result.get(0) == 1) {
                LOG.warning("Redis held no routes, or older ones than this instance serves: instance "
                        + options.instanceId() + " restored revision " + mine.revision()
                        + " from memory; the seed file was not used");
            }
        });
    }

    private void heartbeat() {
        RouteTable table = current;
        if (redis == null || table == null) return;
        String state = "{\"appliedRevision\":" + table.revision() + ",\"heartbeat\":" + System.currentTimeMillis() + "}";
        redis.hset(instancesKey, options.instanceId(), state);
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

    /** Swaps in a newer table; never goes backwards, whichever path (write, pub/sub, poll) comes last. */
    private RouteTable apply(RouteTable table, String source) {
        synchronized (this) {
            if (current != null && table.revision() <= current.revision()) return current;
            current = table;
        }
        LOG.fine(() -> "applied route revision " + table.revision() + " via " + source);
        for (Consumer<RouteTable> listener : listeners) listener.accept(table);
        heartbeat();
        return table;
    }

    private static String tableWithoutRevision(RouteTable table) {
        ObjectNode document = RouteCodec.toTree(table);
        document.remove("revision");
        return document.toString();
    }

    private static String entry(ChangeInfo change) {
        return RouteCodec.JSON.createObjectNode()
                .put("author", change.author()).put("reason", change.reason()).put("action", change.action())
                .put("time", Instant.now().toString()).toString();
    }

    private static Revision revisionFrom(String json) {
        JsonNode entry = readJson(json);
        RouteTable table = RouteCodec.fromTree(entry.get("routes"));
        return new Revision(entry.get("revision").asLong(), new ChangeInfo(entry.path("author").asText(null),
                entry.path("reason").asText(null), entry.path("action").asText(null)),
                Instant.parse(entry.path("time").asText()), table);
    }

    private static JsonNode readJson(String json) {
        try {
            return RouteCodec.JSON.readTree(json);
        } catch (Exception e) {
            throw new IllegalStateException("unreadable JSON in Redis: " + e.getMessage(), e);
        }
    }

    private static String sha1(String script) {
        return io.lettuce.core.codec.Base16.digest(script.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    private static boolean isNoScript(Throwable error) {
        return error.getMessage() != null && error.getMessage().startsWith("NOSCRIPT");
    }

    /** Lettuce completes on its own threads; continue on this store's Vert.x context. */
    private <T> Future<T> bridge(CompletionStage<T> stage) {
        return bridge(stage, error -> null);
    }

    /** As {@link #bridge(CompletionStage)}, with one retry command for the errors {@code retry} answers. */
    private <T> Future<T> bridge(CompletionStage<T> stage, java.util.function.Function<Throwable, CompletionStage<T>> retry) {
        return Future.fromCompletionStage(stage, context).recover(error -> {
            CompletionStage<T> again = retry.apply(error);
            Future<T> retried = again == null ? Future.failedFuture(error) : Future.fromCompletionStage(again, context);
            return retried.recover(failed -> Future.failedFuture(unavailable("Redis command failed", failed)));
        });
    }

    private static Throwable unavailable(String message, Throwable error) {
        if (error instanceof StoreUnavailableException) return error;
        return new StoreUnavailableException(message + ": " + error.getMessage(), error);
    }
}
