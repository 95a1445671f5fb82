package dev.turnout.evidence;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.RedisLink;
import dev.turnout.store.StoreUnavailableException;
import dev.turnout.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Evidence in a real redis-server: every run merged, a time to live, hostile entries skipped, outages told fast. */
class RedisEvidenceStoreTest {

    private static final AtomicInteger TESTS = new AtomicInteger();
    private static final StepRef STEP = new StepRef("rollout-1", "step.2");
    private static final long MS = 1_000_000;

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.extension();

    private Vertx vertx;
    private Context context;
    private RedisLink link;
    private RedisEvidenceStore store;
    private RedisClient probeClient;
    private RedisCommands<String, String> probe;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        context = vertx.getOrCreateContext();
        link = RedisLink.open(REDIS.uri(), Duration.ofMillis(500), 1000);
        store = new RedisEvidenceStore(context, "test" + TESTS.incrementAndGet(), link);
        probeClient = RedisClient.create(REDIS.uri());
        probe = probeClient.connect().sync();
    }

    @AfterEach
    void stop() {
        probeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        link.close();
        await(vertx.close());
    }

    private static StepEvidence evidence(int candidates, int errors, long scored) {
        EvidenceRecorder recorder = new EvidenceRecorder(1);
        recorder.track(java.util.List.of(new Tracked(STEP.rolloutId(), "bot", "v2", STEP.stepKey())));
        for (int i = 0; i < candidates; i++) recorder.request("bot", "v2", i < errors, (100 + i) * MS, 20 * MS, 50 + i);
        recorder.request("bot", "v1", false, 90 * MS, 0, -1);
        StepEvidence step = recorder.snapshot().get(STEP);
        return new StepEvidence(step.candidate(), step.baseline(), scored, 0);
    }

    @Test
    void shouldMergeEveryRunsEvidenceAndSetTheTimeToLive() {
        StepEvidence one = evidence(10, 2, 5);
        StepEvidence two = evidence(30, 1, 7);
        await(store.publish(STEP, "run-a", evidence(1, 0, 0).encode(), Duration.ofSeconds(60)));
        await(store.publish(STEP, "run-a", one.encode(), Duration.ofSeconds(60))); // replaces, never adds
        await(store.publish(STEP, "run-b", two.encode(), Duration.ofSeconds(30)));
        String key = store.key(STEP);
        assertThat(key).startsWith("{test").endsWith("}:rollout:rollout-1:evidence:step.2");
        assertThat(probe.hkeys(key)).containsExactlyInAnyOrder("run-a", "run-b");
        assertThat(probe.pttl(key)).isBetween(20_000L, 30_000L);
        StepEvidence read = await(onContext(store.read(STEP)));
        assertThat(read).isEqualTo(one.merge(two));
        assertThat(read.candidate().requests()).isEqualTo(40);
        assertThat(read.candidate().errors()).isEqualTo(3);
        assertThat(read.baseline().requests()).isEqualTo(2);
        assertThat(read.scoredPairs()).isEqualTo(12);
        assertThat(store.skipped()).isZero();
        assertThat(await(store.read(new StepRef("rollout-1", "nothing-here")))).isEqualTo(StepEvidence.EMPTY);
    }

    @Test
    void shouldSkipAndCountWhatDoesNotDecodeOrIsBeyondTheBounds() {
        StepEvidence good = evidence(10, 2, 5);
        await(store.publish(STEP, "run-a", good.encode(), Duration.ofSeconds(60)));
        String key = store.key(STEP);
        probe.hset(key, "garbage", "{\"v\":1,\"scored\":\"lots\"}");
        probe.hset(key, "huge", "x".repeat(EvidenceCodec.MAX_CHARS + 1));
        assertThat(await(onContext(store.read(STEP)))).isEqualTo(good);
        assertThat(store.skipped()).isEqualTo(2);

        Map<String, String> many = new HashMap<>();
        for (int i = 0; i < RedisEvidenceStore.MAX_FIELDS + 10; i++) many.put("run-" + i, "not evidence");
        probe.hset(key, many);
        StepEvidence bounded = await(onContext(store.read(STEP)));
        // 1037 fields, 1024 read: every one skipped and counted except run-a, if it was among those read.
        long decoded = bounded.equals(good) ? 1 : 0;
        assertThat(store.skipped()).isEqualTo(2 + RedisEvidenceStore.MAX_FIELDS + 13 - decoded);

        probe.del(key);
        probe.set(key, "a string, not a hash");
        assertThat(await(store.read(STEP))).isEqualTo(StepEvidence.EMPTY);
        await(store.publish(STEP, "run-a", good.encode(), Duration.ofSeconds(60))); // replaces what cannot hold evidence
        assertThat(await(store.read(STEP))).isEqualTo(good);
    }

    @Test
    void shouldFailFastWithUnavailableWhenRedisIsDown() throws Exception {
        await(store.publish(STEP, "run-a", evidence(1, 0, 0).encode(), Duration.ofSeconds(60)));
        REDIS.stop();
        long before = System.nanoTime();
        assertThat(failure(store.publish(STEP, "run-a", evidence(2, 0, 0).encode(), Duration.ofSeconds(60))))
                .isInstanceOf(StoreUnavailableException.class);
        assertThat(failure(store.read(STEP))).isInstanceOf(StoreUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofSeconds(2));
    }

    /** The future, checked to complete on the store's context. */
    private <T> Future<T> onContext(Future<T> future) {
        CompletableFuture<Boolean> onContext = new CompletableFuture<>();
        future.onComplete(done -> onContext.complete(Vertx.currentContext() == context));
        try {
            assertThat(onContext.get(10, TimeUnit.SECONDS)).as("completed on the store's context").isTrue();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return future;
    }

    private static Throwable failure(Future<?> future) throws Exception {
        try {
            future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        }
    }
}
