package dev.turnout.store;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract on a real redis-server, plus what only a shared store does: propagation and outages. */
class RedisRouteStoreTest extends RouteStoreContractTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static final AtomicInteger TESTS = new AtomicInteger();

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.extension();

    private String prefix;
    private int instances;
    private RedisClient probe;

    @BeforeEach
    void isolate() {
        prefix = "test" + TESTS.incrementAndGet();
        probe = RedisClient.create(REDIS.uri());
    }

    @AfterEach
    void closeProbe() {
        probe.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @Override
    protected RouteStore newStore(int historyLimit) {
        return RouteStore.redis(vertx, new RedisStoreOptions(REDIS.uri(), prefix, "instance-" + (++instances), historyLimit,
                Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(5), COMMAND_TIMEOUT, 1000));
    }

    @Override
    protected RouteStore onSameStorage(RouteStore store) {
        return newStore(10);
    }

    @Test
    void shouldApplyAWriteOnEveryInstanceAndListThemInStatus() throws Exception {
        RouteStore one = started(10);
        RouteStore two = started(10);
        assertThat(two.current().revision()).isEqualTo(1);
        CompletableFuture<RouteTable> seenByTwo = applied(two, 2);
        await(one.write(withWeight(one.current(), 50), 1, new ChangeInfo("alice", "ramp", "patch")));
        assertThat(seenByTwo.get(10, TimeUnit.SECONDS).alias("bot").split().get("v2")).isEqualTo(50.0);
        StoreStatus status = await(two.status());
        assertThat(status.healthy()).isTrue();
        assertThat(status.storedRevision()).isEqualTo(2);
        assertThat(status.appliedRevision()).isEqualTo(2);
        assertThat(status.instances()).extracting(StoreStatus.InstanceState::id, StoreStatus.InstanceState::appliedRevision)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("instance-1", 2L),
                        org.assertj.core.groups.Tuple.tuple("instance-2", 2L));
        assertThat(status.converged()).isTrue();
    }

    @Test
    void shouldSeedOnceWhenInstancesStartTogether() {
        List<RouteStore> stores = new ArrayList<>();
        List<Future<RouteTable>> starts = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RouteStore store = newStore(10);
            stores.add(store);
            starts.add(store.start(withWeight(SEED, i)));
        }
        try {
            List<RouteTable> loaded = starts.stream().map(start -> await(start)).toList();
            assertThat(loaded).extracting(RouteTable::revision).containsOnly(1L);
            assertThat(loaded).allSatisfy(table -> assertThat(table.sameRoutesAs(loaded.get(0))).isTrue());
            assertThat(await(stores.get(3).history(10)).revisions()).hasSize(1);
        } finally {
            stores.forEach(store -> await(store.close()));
        }
    }

    @Test
    void shouldLetExactlyOneWriterWinAcrossInstances() {
        List<RouteStore> stores = List.of(started(10), started(10));
        List<Future<RouteTable>> writes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            RouteStore store = stores.get(i % 2);
            writes.add(store.write(withWeight(SEED, 20 + i), 1, new ChangeInfo("writer-" + i, null, null)));
        }
        List<Throwable> failures = writes.stream().map(write -> write.toCompletionStage().toCompletableFuture())
                .map(RedisRouteStoreTest::failureOrNull).toList();
        assertThat(failures).filteredOn(failure -> failure == null).hasSize(1);
        assertThat(failures).filteredOn(failure -> failure != null).hasSize(7)
                .allSatisfy(failure -> assertThat(failure).isInstanceOfSatisfying(RevisionConflictException.class,
                        conflict -> assertThat(conflict.actual()).isEqualTo(2)));
        assertThat(await(stores.get(0).history(10)).revisions()).hasSize(2);
    }

    @Test
    void shouldCatchUpByPollingWhenAMessageIsLost() throws Exception {
        RouteStore store = started(10);
        CompletableFuture<RouteTable> caughtUp = applied(store, 2);
        // A change stored without its message, as when the message went out while this instance
        // was not subscribed: only the poll can find it.
        try (StatefulRedisConnection<String, String> redis = probe.connect()) {
            redis.sync().set("{" + prefix + "}:table", RouteCodec.toJson(withWeight(SEED, 70).withRevision(2)));
            redis.sync().set("{" + prefix + "}:rev", "2");
        }
        assertThat(caughtUp.get(10, TimeUnit.SECONDS).alias("bot").split().get("v2")).isEqualTo(70.0);
    }

    @Test
    void shouldKeepServingAndFailFastWhileRedisIsDown() {
        RouteStore store = started(10);
        await(store.write(withWeight(store.current(), 50), 1, new ChangeInfo(null, null, null)));
        REDIS.stop();

        assertThat(store.current().revision()).isEqualTo(2);
        long before = System.nanoTime();
        Throwable failure = failure(store.write(withWeight(store.current(), 60), 2, new ChangeInfo(null, null, null)));
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(COMMAND_TIMEOUT.plusSeconds(1));
        assertThat(failure).isInstanceOf(StoreUnavailableException.class);
        assertThat(failure(store.history(10))).isInstanceOf(StoreUnavailableException.class);
        StoreStatus status = await(store.status());
        assertThat(status.healthy()).isFalse();
        assertThat(status.storedRevision()).isEqualTo(-1);
        assertThat(status.appliedRevision()).isEqualTo(2);
        assertThat(status.detail()).contains("unreachable").contains("keeps serving revision 2");
        assertThat(store.current().alias("bot").split().get("v2")).isEqualTo(50.0);
    }

    @Test
    void shouldResumeWhenRedisReturnsWithItsData() throws Exception {
        RouteStore one = started(10);
        RouteStore two = started(10);
        await(one.write(withWeight(one.current(), 50), 1, new ChangeInfo(null, null, null)));
        applied(two, 2).get(10, TimeUnit.SECONDS);
        REDIS.stopKeepingData();
        REDIS.start();

        CompletableFuture<RouteTable> seenByTwo = applied(two, 3);
        RouteTable written = writeOnceReachable(one, withWeight(one.current(), 60), 2);
        assertThat(written.revision()).isEqualTo(3);
        assertThat(seenByTwo.get(10, TimeUnit.SECONDS).alias("bot").split().get("v2")).isEqualTo(60.0);
        assertThat(await(two.history(10)).revisions()).extracting(Revision::revision).containsExactly(3L, 2L, 1L);
    }

    @Test
    void shouldRestoreTheNewestTableNotTheSeedWhenRedisComesBackEmpty() throws Exception {
        RouteStore one = started(10);
        RouteStore two = started(10);
        for (int weight = 20; weight <= 40; weight += 10) {
            await(one.write(withWeight(one.current(), weight), one.current().revision(), new ChangeInfo(null, null, null)));
        }
        applied(two, 4).get(10, TimeUnit.SECONDS);
        REDIS.stop();
        REDIS.start();

        RouteTable restored = RouteCodec.fromJson(storedTableOnceThere());
        assertThat(restored.revision()).isEqualTo(4);
        assertThat(restored.alias("bot").split().get("v2")).isEqualTo(40.0);
        RouteStore three = started(10); // a new instance with the seed file finds the restored table
        assertThat(three.current()).isEqualTo(restored);
        List<Revision> history = await(three.history(10)).revisions();
        assertThat(history.get(0).revision()).isEqualTo(4);
        assertThat(history.get(0).change().action()).isEqualTo("restore");
        // The revisions before it come back too, from the instances' memory: a rollback still finds them.
        assertThat(history).extracting(Revision::revision).containsExactly(4L, 4L, 3L, 2L, 1L);
        assertThat(history.get(2).table().alias("bot").split().get("v2")).isEqualTo(30.0);

        CompletableFuture<RouteTable> seenByTwo = applied(two, 5);
        RouteTable next = writeOnceReachable(one, withWeight(one.current(), 45), 4);
        assertThat(next.revision()).isEqualTo(5);
        assertThat(seenByTwo.get(10, TimeUnit.SECONDS).alias("bot").split().get("v2")).isEqualTo(45.0);
    }

    @Test
    void shouldLandEveryConcurrentUnconditionalEditAcrossInstances() {
        List<RouteStore> stores = List.of(started(10), started(10), started(10));
        List<Future<RouteTable>> edits = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String alias = "extra-" + i;
            edits.add(stores.get(i % 3).update(RouteStore.ANY_REVISION, table -> dev.turnout.admin.RouteChanges.putAlias(table,
                    alias, RouteCodec.JSON.createObjectNode().set("split", RouteCodec.JSON.createObjectNode().put("v1", 1))),
                    new ChangeInfo("writer-" + i, null, "put-alias")));
        }
        List<Long> revisions = edits.stream().map(edit -> await(edit).revision()).sorted().toList();
        assertThat(revisions).doesNotHaveDuplicates().hasSize(20).allSatisfy(revision -> assertThat(revision).isBetween(2L, 21L));
        for (RouteStore store : stores) {
            assertThat(await(store.whenApplied(21)).aliases()).hasSize(21);
        }
    }

    @Test
    void shouldEditTheStoredTableWhenThisInstanceLags() {
        RouteStore lagging = RouteStore.redis(vertx, new RedisStoreOptions(REDIS.uri(), prefix, "lagging", 10,
                Duration.ofHours(1), Duration.ofHours(1), Duration.ofSeconds(5), COMMAND_TIMEOUT, 1000));
        await(lagging.start(SEED));
        try (StatefulRedisConnection<String, String> redis = probe.connect()) {
            redis.sync().set("{" + prefix + "}:table", RouteCodec.toJson(withWeight(SEED, 70).withRevision(2)));
            redis.sync().set("{" + prefix + "}:rev", "2");
        }
        try {
            Throwable stale = failure(lagging.update(1, table -> withWeight(table, 5), new ChangeInfo(null, null, null)));
            assertThat(stale).isInstanceOfSatisfying(RevisionConflictException.class, e -> assertThat(e.actual()).isEqualTo(2));
            RouteTable written = await(lagging.update(2, table -> table.withAliases(java.util.Map.of("bot",
                    table.alias("bot").withSplit(java.util.Map.of("v1", 10.0, "v2", table.alias("bot").split().get("v2"))))),
                    new ChangeInfo(null, null, null)));
            assertThat(written.revision()).isEqualTo(3);
            assertThat(written.alias("bot").split()).containsEntry("v1", 10.0).containsEntry("v2", 70.0); // edited revision 2
            assertThat(await(lagging.whenApplied(3))).isEqualTo(written);
        } finally {
            await(lagging.close());
        }
    }

    /** The table {@code store} serves once it has applied {@code revision} or later. */
    private static CompletableFuture<RouteTable> applied(RouteStore store, long revision) {
        return store.whenApplied(revision).toCompletionStage().toCompletableFuture();
    }

    /**
     * The stored table JSON, waiting for the message that puts it there if it is not yet: subscribe
     * first, then read, so a table stored in between is seen one way or the other.
     */
    private String storedTableOnceThere() throws Exception {
        CompletableFuture<String> published = new CompletableFuture<>();
        try (StatefulRedisPubSubConnection<String, String> subscriber = probe.connectPubSub();
             StatefulRedisConnection<String, String> redis = probe.connect()) {
            subscriber.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String table) {
                    published.complete(table);
                }
            });
            subscriber.sync().subscribe(prefix + ":routes");
            String stored = redis.sync().get("{" + prefix + "}:table");
            if (stored != null) return stored;
            published.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return redis.sync().get("{" + prefix + "}:table");
        }
    }

    /**
     * Writes as an operator would after an outage: retried while the instance has not reconnected
     * yet (each attempt fails fast), at most for {@link #WAIT}. Any other failure fails the test.
     */
    private static RouteTable writeOnceReachable(RouteStore store, RouteTable table, long expectedRevision) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            CompletableFuture<RouteTable> attempt = store.write(table, expectedRevision, new ChangeInfo("ops", null, null))
                    .toCompletionStage().toCompletableFuture();
            Throwable failure = failureOrNull(attempt);
            if (failure == null) return attempt.join();
            if (!(failure instanceof StoreUnavailableException) || System.nanoTime() > deadline) {
                throw new AssertionError("the write did not succeed once Redis was back", failure);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static Throwable failureOrNull(CompletableFuture<?> future) {
        try {
            future.get(WAIT.toSeconds(), TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
