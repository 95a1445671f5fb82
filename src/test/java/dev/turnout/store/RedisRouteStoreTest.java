package dev.turnout.store;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.route.RouteTable;
import dev.turnout.testing.RedisServer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract on a real redis-server, plus what only a shared store does: propagation and outages. */
class RedisRouteStoreTest extends RouteStoreContractTest {

    private static final AtomicInteger TESTS = new AtomicInteger();
    private static RedisServer redis;
    private String prefix;
    private int instances;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.startNew();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    @BeforeEach
    void isolate() {
        if (!redisRunning()) redis.start();
        prefix = "test" + TESTS.incrementAndGet();
    }

    private static boolean redisRunning() {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", redis.port())) {
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Override
    protected RouteStore newStore(int historyLimit) {
        return RouteStore.redis(vertx, RedisStoreOptions.of(redis.uri(), prefix, "instance-" + (++instances), historyLimit)
                .withIntervals(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(5)));
    }

    private static CompletableFuture<RouteTable> nextApplied(RouteStore store, long revision) {
        CompletableFuture<RouteTable> applied = new CompletableFuture<>();
        store.onApplied(table -> {
            if (table.revision() >= revision) applied.complete(table);
        });
        if (store.current().revision() >= revision) applied.complete(store.current());
        return applied;
    }

    @Test
    void shouldApplyAWriteOnEveryInstance() throws Exception {
        RouteStore one = started(10);
        RouteStore two = started(10);
        assertThat(two.current().revision()).isEqualTo(1);
        CompletableFuture<RouteTable> seenByTwo = nextApplied(two, 2);
        await(one.write(withWeight(one.current(), 50), 1, new ChangeInfo("alice", "ramp", "patch")));
        assertThat(seenByTwo.get(5, TimeUnit.SECONDS).alias("bot").split().get("v2")).isEqualTo(50.0);
        StoreStatus status = await(two.status());
        assertThat(status.storedRevision()).isEqualTo(2);
        assertThat(status.instances()).extracting(StoreStatus.InstanceState::id).contains("instance-1", "instance-2");
    }

    @Test
    void shouldKeepServingAndFailWritesFastWhileRedisIsDown() throws Exception {
        RouteStore one = started(10);
        RouteStore two = started(10);
        redis.stop();
        assertThat(one.current().revision()).isEqualTo(1);
        long before = System.nanoTime();
        Throwable failure = failure(one.write(withWeight(one.current(), 50), 1, new ChangeInfo(null, null, null)));
        assertThat(failure).isInstanceOf(StoreUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(5));
        assertThat(await(one.status()).healthy()).isFalse();
        // Redis returns (empty, as after a restart without persistence): the instances put their
        // table back, with its revision, and writes work again.
        redis.start();
        RouteTable written = awaitWrite(one, withWeight(one.current(), 50));
        assertThat(written.revision()).isEqualTo(2);
        assertThat(nextApplied(two, 2).get(10, TimeUnit.SECONDS).alias("bot").split().get("v2")).isEqualTo(50.0);
    }

    @Test
    void shouldRestoreTheNewestTableNotTheSeedWhenRedisComesBackEmpty() throws Exception {
        RouteStore one = started(10);
        RouteStore two = started(10);
        for (int weight = 20; weight <= 40; weight += 10) {
            await(one.write(withWeight(one.current(), weight), one.current().revision(), new ChangeInfo(null, null, null)));
        }
        nextApplied(two, 4).get(5, TimeUnit.SECONDS);
        redis.stop();
        redis.start();
        // Poll until the restored table is back in Redis, as a new instance would see it.
        RouteStore three = startedWhenRestored(4);
        assertThat(three.current().revision()).isEqualTo(4);
        assertThat(three.current().alias("bot").split().get("v2")).isEqualTo(40.0);
        assertThat(await(three.history(1)).get(0).change().action()).isEqualTo("restore");
        RouteTable next = await(one.write(withWeight(one.current(), 45), 4, new ChangeInfo(null, null, null)));
        assertThat(next.revision()).isEqualTo(5);
    }

    /** Retries a write until Redis is reachable again (bounded), as an operator would. */
    private static RouteTable awaitWrite(RouteStore store, RouteTable table) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                return store.write(table, RouteStore.ANY_REVISION, new ChangeInfo(null, null, null))
                        .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                if (System.nanoTime() > deadline) throw new AssertionError("Redis did not come back", e);
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
    }

    private RouteStore startedWhenRestored(long revision) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            RouteStore store = started(10);
            if (store.current().revision() >= revision) return store;
            if (System.nanoTime() > deadline) throw new AssertionError("the table was not restored");
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }
}
