package dev.turnout.golden;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.StoreCorruptException;
import dev.turnout.store.StoreUnavailableException;
import dev.turnout.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisGoldenSetStoreTest extends GoldenSetStoreContractTest {

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.extension();
    private static final AtomicInteger PREFIXES = new AtomicInteger();

    private final String prefix = "golden-test-" + PREFIXES.incrementAndGet();
    private RedisClient probe;
    private StatefulRedisConnection<String, String> connection;

    @Override
    protected GoldenSetStore newStore() {
        return GoldenSetStore.redis(vertx, RedisStoreOptions.of(REDIS.uri(), prefix, "i1", 10));
    }

    @BeforeEach
    void connectProbe() {
        probe = RedisClient.create(REDIS.uri());
        connection = probe.connect();
    }

    @AfterEach
    void closeProbe() {
        connection.close();
        probe.shutdown();
    }

    @Test
    void keepsTheSetAsJsonlUnderItsKeyAndTheNameInTheIndex() {
        GoldenSet set = set("keys", "42");

        await(store.put(set));

        assertThat(connection.sync().get("{" + prefix + "}:golden:keys")).isEqualTo(GoldenSets.toJsonl(set));
        assertThat(connection.sync().zrange("{" + prefix + "}:golden-sets", 0, -1)).containsExactly("keys");
    }

    @Test
    void aGarbledStoredSetIsCorruptNamingItsKey() {
        String key = "{" + prefix + "}:golden:garbled";
        connection.sync().set(key, "{\"id\": \"q\", \"check\": {\"kind\": \"fuzzy\"}}\nnot json\n");

        Throwable error = failure(store.get("garbled"));

        assertThat(error).isInstanceOf(StoreCorruptException.class).hasMessageContaining(key)
                .hasMessageContaining("line 1: ").hasMessageContaining("PUT /admin/golden-sets/garbled");
        connection.sync().del(key);
        connection.sync().hset(key, "a", "b");
        assertThat(failure(store.get("garbled"))).isInstanceOf(StoreCorruptException.class).hasMessageContaining(key);
        assertThat(await(store.delete("garbled"))).isTrue();
    }

    @Test
    void anUnreachableRedisIsUnavailable() {
        GoldenSetStore unreachable = GoldenSetStore.redis(vertx, RedisStoreOptions.of("redis://127.0.0.1:1", prefix, "i1", 10)
                .withLimits(Duration.ofMillis(500), 10));
        try {
            assertThat(failure(unreachable.list())).isInstanceOf(StoreUnavailableException.class);
            assertThat(failure(unreachable.put(set("s", "x")))).isInstanceOf(StoreUnavailableException.class);
        } finally {
            await(unreachable.close());
        }
    }
}
