package dev.turnout.probe;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.RedisStoreOptions;
import dev.turnout.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Probes, runs and baselines in a real redis-server, shared by two stores (two instances). */
class RedisProbeStoreTest {

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.extension();

    private final Vertx vertx = Vertx.vertx();
    private ProbeStore one;
    private ProbeStore other;

    @BeforeEach
    void open() {
        one = ProbeStore.redis(vertx, RedisStoreOptions.of(REDIS.uri(), "turnout", "i0", 10));
        other = ProbeStore.redis(vertx, RedisStoreOptions.of(REDIS.uri(), "turnout", "i1", 10));
    }

    @AfterEach
    void close() {
        await(one.close());
        await(other.close());
        await(vertx.close());
    }

    private static ProbeRun run(String id, String version, int passed) {
        List<ItemOutcome> outcomes = List.of(new ItemOutcome("a", "regex", passed > 0, false, "ok", "yes", null, 3, 7),
                new ItemOutcome("b", "exact", passed > 1, false, "ok", "42", "42", 4, 2));
        return new ProbeRun(id, "watch", "support-golden", "manual", Instant.parse("2026-11-23T10:00:00Z"),
                Instant.parse("2026-11-23T10:00:01Z"), List.of(new VersionRun(version, outcomes, 9, null)));
    }

    @Test
    void shouldShareProbesRunsAndBaselinesBetweenInstancesAndKeepTheNewestRuns() {
        ProbeSpec spec = ProbeSpecs.parse("watch", "{\"set\": \"support-golden\", \"versions\": [\"v1\"], \"everySeconds\": 60}");
        await(one.put(spec));
        assertThat(await(other.get("watch"))).contains(spec);
        assertThat(await(other.list())).containsExactly(spec);

        for (int i = 0; i < ProbeStore.MAX_RUNS + 5; i++) await(one.addRun(run("run-" + i, "v1", 2)));
        List<ProbeRun> runs = await(other.runs("watch", 100));
        assertThat(runs).hasSize(ProbeStore.MAX_RUNS);
        assertThat(runs.get(0).id()).isEqualTo("run-" + (ProbeStore.MAX_RUNS + 4));
        assertThat(runs.get(0).version("v1").outcomes()).isEqualTo(run("x", "v1", 2).version("v1").outcomes());

        await(one.setBaseline("watch", "v1", run("run-3", "v1", 1)));
        assertThat(await(other.baseline("watch", "v1")).orElseThrow().id()).isEqualTo("run-3");
        assertThat(await(other.delete("watch"))).isTrue();
        assertThat(await(one.runs("watch", 10))).isEmpty();
        assertThat(await(one.baseline("watch", "v1"))).isEmpty();
    }

    @Test
    void shouldSkipWhatItCannotReadInRedis() {
        await(one.addRun(run("run-good", "v1", 2)));
        try (RedisClient client = RedisClient.create(REDIS.uri()); StatefulRedisConnection<String, String> redis = client.connect()) {
            redis.sync().lpush("{turnout}:probe:watch:runs", "{\"id\": 42}", "not json", "{\"versions\": \"many\"}");
            redis.sync().hset("{turnout}:probes", "garbled", "{\"set\": 7}");
        }

        assertThat(await(other.runs("watch", 10))).extracting(ProbeRun::id).containsExactly("run-good");
        assertThat(await(other.list())).isEmpty();
        assertThat(await(other.get("garbled"))).isEmpty();
    }
}
