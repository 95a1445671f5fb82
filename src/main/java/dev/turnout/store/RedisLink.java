package dev.turnout.store;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * One Redis deployment, whatever its topology, behind the command set every topology shares
 * ({@link RedisClusterAsyncCommands}, which the standalone {@code RedisAsyncCommands} extends):
 * <ul>
 *   <li>{@code redis://host:port}, {@code rediss://...}: one server;</li>
 *   <li>{@code redis-sentinel://s1:26379,s2:26379#mymaster}: the master the sentinels name, asked
 *       again on every reconnect, so commands and subscriptions follow it after a failover;</li>
 *   <li>{@code redis-cluster://h1:7000,h2:7001} (or {@code rediss-cluster://}, TLS): a Redis
 *       Cluster, found from any of the seed nodes; credentials, if any, apply to every node.</li>
 * </ul>
 * Every connection is bounded: at most {@code maxQueuedCommands} commands wait per connection,
 * each fails after {@code commandTimeout}, and commands sent while disconnected fail at once
 * instead of piling up for a Redis that may never come back.
 */
public final class RedisLink {

    private static final String CLUSTER = "redis-cluster://";
    private static final String CLUSTER_TLS = "rediss-cluster://";
    private static final int HUNG_AFTER_TIMEOUTS = 3;

    private record Subscription(String channel, Consumer<String> onMessage, Runnable onSubscribed) {}

    private final String description;
    private final ClientResources resources;
    private final AbstractRedisClient client;
    private final RedisURI standalone; // null on a cluster
    private final List<StatefulConnection<String, String>> opened = new CopyOnWriteArrayList<>();
    private final AtomicInteger timeoutsInARow = new AtomicInteger();
    private final AtomicBoolean reopening = new AtomicBoolean();
    private volatile StatefulConnection<String, String> commandConnection;
    private volatile RedisClusterAsyncCommands<String, String> commands;
    private volatile StatefulConnection<String, String> subscriberConnection;
    private volatile Subscription subscription;

    private RedisLink(String description, ClientResources resources, AbstractRedisClient client, RedisURI standalone) {
        this.description = description;
        this.resources = resources;
        this.client = client;
        this.standalone = standalone;
    }

    public static RedisLink open(String uri, Duration commandTimeout, int maxQueuedCommands) {
        requireNonNull(uri, "uri");
        if (maxQueuedCommands < 1) throw new IllegalArgumentException("maxQueuedCommands must be >= 1, got " + maxQueuedCommands);
        // Lettuce's default backoff grows to 30 s: after a long outage an instance would stay
        // read-only for up to 30 s after Redis returned. Cap it at 1 s.
        ClientResources resources = ClientResources.builder()
                .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                .build();
        SocketOptions socket = SocketOptions.builder().connectTimeout(commandTimeout).build();
        boolean cluster = uri.startsWith(CLUSTER) || uri.startsWith(CLUSTER_TLS);
        if (cluster) {
            RedisClusterClient clusterClient = RedisClusterClient.create(resources, clusterNodes(uri, commandTimeout));
            clusterClient.setOptions(ClusterClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .requestQueueSize(maxQueuedCommands)
                    .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                    .socketOptions(socket)
                    // A failover or resharding moves slots: follow MOVED/ASK and lost nodes at once.
                    .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder().enableAllAdaptiveRefreshTriggers().build())
                    .build());
            return new RedisLink(masked(uri), resources, clusterClient, null);
        }
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(commandTimeout);
        RedisClient redisClient = RedisClient.create(resources);
        redisClient.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                // Fail at once while disconnected instead of queueing writes an operator is waiting on.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(maxQueuedCommands)
                .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                .socketOptions(socket)
                .build());
        return new RedisLink(masked(uri), resources, redisClient, redisUri);
    }

    /** {@code redis-cluster://[user:password@]h1:p1,h2:p2}: one RedisURI per seed node. */
    static List<RedisURI> clusterNodes(String uri, Duration commandTimeout) {
        boolean tls = uri.startsWith(CLUSTER_TLS);
        String rest = uri.substring(tls ? CLUSTER_TLS.length() : CLUSTER.length());
        int slash = rest.indexOf('/');
        if (slash >= 0) rest = rest.substring(0, slash);
        String user = null;
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = credentials.indexOf(':');
            user = colon < 0 ? null : credentials.substring(0, colon);
            password = colon < 0 ? credentials : credentials.substring(colon + 1);
        }
        List<RedisURI> nodes = new ArrayList<>();
        for (String node : rest.split(",")) {
            int colon = node.lastIndexOf(':');
            if (node.isBlank() || colon <= 0 || colon == node.length() - 1) {
                throw new IllegalArgumentException("store.redisUri: '" + node + "' is not host:port in " + masked(uri)
                        + " (expected redis-cluster://host1:port1,host2:port2)");
            }
            RedisURI.Builder builder = RedisURI.builder().withHost(node.substring(0, colon))
                    .withPort(Integer.parseInt(node.substring(colon + 1))).withSsl(tls).withTimeout(commandTimeout);
            if (password != null) {
                if (user == null || user.isEmpty()) builder.withPassword(password.toCharArray());
                else builder.withAuthentication(user, password);
            }
            nodes.add(builder.build());
        }
        return nodes;
    }

    /**
     * Opens the command connection: standalone, the sentinels' master, or the cluster (routed by
     * key); {@link #commands()} from then on.
     */
    public CompletionStage<RedisClusterAsyncCommands<String, String>> connect() {
        return openCommands().thenApply(opened -> commands);
    }

    /** The command connection's commands; null until {@link #connect()} has completed. */
    public RedisClusterAsyncCommands<String, String> commands() {
        return commands;
    }

    private CompletionStage<Void> openCommands() {
        if (client instanceof RedisClusterClient cluster) {
            // connectAsync does not load the topology itself (only the blocking connect does).
            return cluster.refreshPartitionsAsync().thenCompose(loaded -> cluster.connectAsync(StringCodec.UTF8))
                    .thenAccept(connection -> swapCommands(connection, connection.async()));
        }
        return ((RedisClient) client).connectAsync(StringCodec.UTF8, standalone)
                .thenAccept(connection -> swapCommands(connection, connection.async()));
    }

    private void swapCommands(StatefulConnection<String, String> connection, RedisClusterAsyncCommands<String, String> async) {
        opened.add(connection);
        StatefulConnection<String, String> previous = commandConnection;
        commandConnection = connection;
        commands = async;
        if (previous != null) retire(previous);
    }

    /**
     * Subscribes on a connection of its own. {@code onSubscribed} runs on every subscription,
     * including Lettuce's own after a reconnect (to the sentinels' current master, on Sentinel):
     * what was published while away is missed, so it is the moment to read the store again. On a
     * cluster it subscribes on one node: a classic PUBLISH reaches every node's subscribers.
     */
    public CompletionStage<Void> subscribe(String channel, Consumer<String> onMessage, Runnable onSubscribed) {
        subscription = new Subscription(channel, onMessage, onSubscribed);
        return openSubscriber(subscription);
    }

    private CompletionStage<Void> openSubscriber(Subscription wanted) {
        return connectPubSub().thenCompose(subscriber -> {
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String from, String message) {
                    wanted.onMessage().accept(message);
                }

                @Override
                public void subscribed(String from, long count) {
                    wanted.onSubscribed().run();
                }
            });
            StatefulConnection<String, String> previous = subscriberConnection;
            subscriberConnection = subscriber;
            return subscriber.async().subscribe(wanted.channel()).thenAccept(subscribed -> {
                if (previous != null) retire(previous);
            });
        });
    }

    /**
     * How a command ended (null: answered). A server that hangs (paused, partitioned, a master
     * the sentinels have replaced but that still holds our TCP session) times commands out
     * without ever closing the connection, so Lettuce would never reconnect: after
     * {@link #HUNG_AFTER_TIMEOUTS} timeouts in a row the connections are opened again, which on
     * Sentinel asks the sentinels for the current master.
     */
    public void answered(Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (!(cause instanceof RedisCommandTimeoutException)) {
            timeoutsInARow.set(0);
            return;
        }
        if (timeoutsInARow.incrementAndGet() < HUNG_AFTER_TIMEOUTS || !reopening.compareAndSet(false, true)) return;
        timeoutsInARow.set(0);
        Subscription wanted = subscription;
        openCommands().thenCompose(reopened -> wanted == null ? CompletableFuture.<Void>completedFuture(null) : openSubscriber(wanted))
                .whenComplete((reopened, failed) -> reopening.set(false)); // on failure the next timeouts try again
    }

    private void retire(StatefulConnection<String, String> connection) {
        opened.remove(connection);
        connection.closeAsync(); // fails what still waits on it, at once
    }

    private CompletionStage<StatefulRedisPubSubConnection<String, String>> connectPubSub() {
        CompletionStage<? extends StatefulRedisPubSubConnection<String, String>> connecting =
                client instanceof RedisClusterClient cluster
                        ? cluster.refreshPartitionsAsync().thenCompose(loaded -> cluster.connectPubSubAsync(StringCodec.UTF8))
                        : ((RedisClient) client).connectPubSubAsync(StringCodec.UTF8, standalone);
        return connecting.<StatefulRedisPubSubConnection<String, String>>thenApply(connection -> {
            opened.add(connection);
            return connection;
        });
    }

    /** Runs {@code action} (on a Lettuce thread) each time a connection to a node is made, reconnects included. */
    public void onConnected(Runnable action) {
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> handler, SocketAddress address) {
                action.run();
            }
        });
    }

    /** The URI without its password, for messages. */
    public String description() {
        return description;
    }

    /** Blocks until Lettuce's threads stop: call it from a worker, never an event loop. */
    public void close() {
        opened.forEach(StatefulConnection::close);
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    static String masked(String uri) {
        return uri.replaceAll("//([^@/]*)@", "//***@");
    }
}
