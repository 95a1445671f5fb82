package dev.turnout.store;

import static dev.turnout.store.RouteStoreContractTest.SEED;
import static dev.turnout.store.RouteStoreContractTest.withWeight;
import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.route.RouteTable;
import dev.turnout.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The store on Redis beyond one server: a 3-master Cluster, and Sentinel through a failover. */
class RedisTopologyTest {

    private final Vertx vertx = Vertx.vertx();
    private final List<RouteStore> stores = new ArrayList<>();
    private final List<RedisServer> servers = new ArrayList<>();
    private final List<RedisClient> clients = new ArrayList<>();

    @AfterEach
    void stop() {
        stores.forEach(store -> await(store.close().otherwiseEmpty()));
        await(vertx.close());
        clients.forEach(client -> client.shutdown(Duration.ZERO, Duration.ofSeconds(2)));
        servers.forEach(RedisServer::close);
    }

    private RouteStore started(String uri, String id, Duration poll) {
        RouteStore store = RouteStore.redis(vertx, new RedisStoreOptions(uri, "topology", id, 10, poll, Duration.ofMillis(200),
                Duration.ofSeconds(5), Duration.ofSeconds(1), 1000));
        stores.add(store);
        await(store.start(SEED));
        return store;
    }

    private RedisCommands<String, String> connect(RedisURI uri) {
        RedisClient client = RedisClient.create(uri);
        clients.add(client);
        return client.connect().sync();
    }

    private RedisServer server(RedisServer server) {
        servers.add(server);
        return server;
    }

    private static void eventually(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not within " + limit + ": " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    @Test
    void shouldShareRoutesAcrossInstancesOnACluster() {
        List<RedisCommands<String, String>> nodes = new ArrayList<>();
        List<RedisServer> cluster = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            cluster.add(server(RedisServer.startClusterNode()));
            nodes.add(connect(RedisURI.create("127.0.0.1", cluster.get(i).port())));
        }
        int[][] slots = {{0, 5460}, {5461, 10922}, {10923, 16383}};
        for (int i = 0; i < 3; i++) nodes.get(i).clusterAddSlots(IntStream.rangeClosed(slots[i][0], slots[i][1]).toArray());
        for (int i = 1; i < 3; i++) nodes.get(0).clusterMeet("127.0.0.1", cluster.get(i).port());
        eventually("the cluster forms", Duration.ofSeconds(20), () -> nodes.stream().allMatch(node -> {
            String info = node.clusterInfo();
            return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:3");
        }));

        String uri = "redis-cluster://127.0.0.1:" + cluster.get(0).port() + ",127.0.0.1:" + cluster.get(1).port();
        RouteStore one = started(uri, "one", Duration.ofMillis(200));
        RouteStore two = started(uri, "two", Duration.ofHours(1)); // learns of changes by pub/sub only
        RouteTable written = await(one.update(RouteStore.ANY_REVISION, table -> withWeight(table, 60), new ChangeInfo("alice", null, null)));
        assertThat(written.revision()).isEqualTo(2);
        assertThat(await(two.whenApplied(2)).alias("bot").split().get("v2")).isEqualTo(60.0);
        assertThat(await(two.history(10)).revisions()).extracting(Revision::revision).containsExactly(2L, 1L);
        StoreStatus status = await(one.status());
        assertThat(status.storedRevision()).isEqualTo(2);
        assertThat(status.instances()).extracting(StoreStatus.InstanceState::id).containsExactly("one", "two");
    }

    /** Master, replica in sync, and a sentinel that knows both; the sentinel URI. */
    private String sentinelSetup(List<RedisServer> masterAndReplica, List<RedisCommands<String, String>> replicaCommands) {
        RedisServer master = server(RedisServer.startNew());
        RedisServer replica = server(RedisServer.startNew("--replicaof", "127.0.0.1", Integer.toString(master.port())));
        RedisCommands<String, String> toReplica = connect(RedisURI.create("127.0.0.1", replica.port()));
        eventually("the replica syncs", Duration.ofSeconds(10), () -> toReplica.info("replication").contains("master_link_status:up"));
        RedisServer sentinel = server(RedisServer.sentinel("mymaster", master.port(), 300));
        RedisClient sentinelClient = RedisClient.create(RedisURI.create("127.0.0.1", sentinel.port()));
        clients.add(sentinelClient);
        var sentinelCommands = sentinelClient.connectSentinel().sync();
        eventually("the sentinel knows the replica", Duration.ofSeconds(15), () -> sentinelCommands.replicas("mymaster").stream()
                .anyMatch(known -> "slave".equals(known.get("flags"))));
        masterAndReplica.addAll(List.of(master, replica));
        replicaCommands.add(toReplica);
        return "redis-sentinel://127.0.0.1:" + sentinel.port() + "#mymaster";
    }

    /** Writes until one succeeds (bounded): only unavailability is expected while the sentinel fails over. */
    private static RouteTable writeAfterFailover(RouteStore store, double weight) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(25);
        while (true) {
            try {
                return store.update(RouteStore.ANY_REVISION, table -> withWeight(table, weight), new ChangeInfo(null, null, null))
                        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                assertThat(e.getCause()).as("only unavailability while the sentinel fails over").isInstanceOf(StoreUnavailableException.class);
                if (System.nanoTime() > deadline) throw new AssertionError("writes did not resume after the failover", e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    @Test
    void shouldKeepServingAndResumeWritesAfterASentinelFailover() {
        List<RedisServer> pair = new ArrayList<>();
        List<RedisCommands<String, String>> replicaCommandsHolder = new ArrayList<>();
        String uri = sentinelSetup(pair, replicaCommandsHolder);
        RedisServer master = pair.get(0);
        RedisCommands<String, String> replicaCommands = replicaCommandsHolder.get(0);
        RouteStore one = started(uri, "one", Duration.ofMillis(200));
        RouteStore two = started(uri, "two", Duration.ofHours(1)); // learns of changes by pub/sub only: it must follow the master
        for (int weight = 20; weight <= 30; weight += 10) {
            int w = weight;
            await(one.update(RouteStore.ANY_REVISION, table -> withWeight(table, w), new ChangeInfo(null, null, null)));
        }
        eventually("revision 3 reaches the replica", Duration.ofSeconds(5), () -> "3".equals(replicaCommands.get("{topology}:rev")));

        master.kill();
        assertThat(one.current().revision()).isEqualTo(3); // the data plane keeps its table
        assertThat(two.current().alias("bot").split().get("v2")).isEqualTo(30.0);
        RouteTable next = writeAfterFailover(one, 40);
        assertThat(next.revision()).isEqualTo(4); // neither lost nor reused
        assertThat(replicaCommands.get("{topology}:rev")).isEqualTo("4"); // the replica is the master now
        assertThat(await(two.whenApplied(4)).alias("bot").split().get("v2")).isEqualTo(40.0);
        assertThat(await(two.history(10)).revisions()).extracting(Revision::revision).containsExactly(4L, 3L, 2L, 1L);
    }

    @Test
    void shouldLeaveAHungMasterForTheOneTheSentinelsPromote() {
        List<RedisServer> pair = new ArrayList<>();
        List<RedisCommands<String, String>> replicaCommandsHolder = new ArrayList<>();
        String uri = sentinelSetup(pair, replicaCommandsHolder);
        RedisCommands<String, String> replicaCommands = replicaCommandsHolder.get(0);
        RouteStore one = started(uri, "one", Duration.ofMillis(200));
        RouteStore two = started(uri, "two", Duration.ofHours(1)); // pub/sub only: its subscriber must leave the hung master too
        await(one.update(RouteStore.ANY_REVISION, table -> withWeight(table, 20), new ChangeInfo(null, null, null)));
        eventually("revision 2 reaches the replica", Duration.ofSeconds(5), () -> "2".equals(replicaCommands.get("{topology}:rev")));

        pair.get(0).pause(); // hangs with its connections open: no reconnect would ever happen by itself
        RouteTable next = writeAfterFailover(one, 40);
        assertThat(next.revision()).isEqualTo(3);
        assertThat(replicaCommands.get("{topology}:rev")).isEqualTo("3");
        assertThat(await(two.whenApplied(3)).alias("bot").split().get("v2")).isEqualTo(40.0);
    }
}
