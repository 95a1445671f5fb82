package dev.turnout.rollout.store;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.StoreCorruptException;
import dev.turnout.store.StoreUnavailableException;
import dev.turnout.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract on a real redis-server, plus what Redis adds: hostile contents and a hung server. */
class RedisRolloutStoreTest extends RolloutStoreContractTest {

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static final AtomicInteger TESTS = new AtomicInteger();

    @RegisterExtension
    static final RedisServer REDIS = RedisServer.extension();

    private String prefix;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private RedisCommands<String, String> redis;

    @BeforeEach
    void isolate() {
        prefix = "test" + TESTS.incrementAndGet();
        client = RedisClient.create(REDIS.uri());
        connection = client.connect();
        redis = connection.sync();
    }

    @AfterEach
    void closeProbe() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }

    @Override
    protected RolloutStore newStore() {
        return RolloutStore.redis(vertx, RedisStoreOptions.of(REDIS.uri(), prefix, "instance", 10)
                .withLimits(COMMAND_TIMEOUT, 1000));
    }

    /** Redis expires keys on its own clock: there is no event to wait on but time itself. */
    @Override
    protected void letTimePass(Duration duration) {
        LockSupport.parkNanos(duration.toNanos());
    }

    private String key(String suffix) {
        return "{" + prefix + "}:rollouts" + suffix;
    }

    @Test
    void shouldKeepEveryKeyUnderOneHashTag() {
        RolloutStore store = started();
        await(store.create("r-001", "{}", active("r-001", "bot", "s1")));
        await(store.acquireLease("instance-a", Duration.ofSeconds(30)));
        assertThat(redis.keys("{" + prefix + "}:*")).containsExactlyInAnyOrder(key(""), key(":rev"), key(":active"), key(":lease"), key(":fence"));
        assertThat(redis.hget(key(":active"), "r-001")).isEqualTo("bot v2 s1");
        assertThat(redis.get(key(":lease"))).endsWith(" instance-a");
    }

    @Test
    void shouldSkipAndCountAGarbledRevisionInAListingAndRefuseItElsewhere() {
        RolloutStore store = started();
        await(store.create("r-001", "{}", null));
        await(store.create("r-002", "{}", null));
        redis.hset(key(":rev"), "r-001", "one");
        assertThat(await(store.list(10))).extracting(StoredRollout::id).containsExactly("r-002");
        assertThat(store.unreadable()).isEqualTo(1);
        assertThat(failure(store.get("r-001"))).isInstanceOf(StoreCorruptException.class)
                .hasMessageContaining(key(":rev")).hasMessageContaining("HSET");
        assertThat(failure(store.write("r-001", 1, "{}", null, 0))).isInstanceOf(StoreCorruptException.class)
                .hasMessageContaining(key(":rev"));
        assertThat(failure(store.create("r-001", "{}", null))).isInstanceOf(StoreCorruptException.class);
        redis.hset(key(":rev"), "r-001", "7");
        assertThat(await(store.write("r-001", 7, "{}", null, 0)).revision()).isEqualTo(8);
    }

    @Test
    void shouldSkipFieldsAndDocumentsThatAreNotRollouts() {
        RolloutStore store = started();
        await(store.create("r-001", "{}", null));
        redis.hset(key(""), "not a rollout id", "{}");
        redis.hset(key(":rev"), "not a rollout id", "1");
        redis.hset(key(""), "r-002", "x".repeat(StoredRollout.MAX_JSON_BYTES + 1));
        redis.hset(key(":rev"), "r-002", "1");
        assertThat(await(store.list(10))).extracting(StoredRollout::id).containsExactly("r-001");
        assertThat(store.unreadable()).isEqualTo(2);
        assertThat(failure(store.get("r-002"))).isInstanceOf(StoreCorruptException.class).hasMessageContaining("HDEL");
    }

    @Test
    void shouldSkipActiveEntriesThatDoNotDecode() {
        RolloutStore store = started();
        await(store.create("r-001", "{}", active("r-001", "bot", "s1")));
        redis.hset(key(":active"), "r-002", "garbage");
        redis.hset(key(":active"), "bad id!", "chat v2 s1");
        redis.hset(key(":active"), "r-003", "chat v2 s1 extra");
        assertThat(await(store.active())).containsExactly(active("r-001", "bot", "s1"));
        assertThat(store.unreadable()).isEqualTo(3);
        // Garbage does not hold an alias either: only a decodable entry makes an alias busy.
        assertThat(await(store.create("r-004", "{}", active("r-004", "chat", "s1"))).revision()).isEqualTo(1);
    }

    @Test
    void shouldReadABoundedActiveIndexAndRefuseToGrowOneOverTheBound() {
        RolloutStore store = started();
        Map<String, String> flood = new HashMap<>();
        for (int i = 0; i <= RolloutStore.MAX_STORED; i++) flood.put(String.format("f-%04d", i), "alias-" + i + " v2 s1");
        redis.hset(key(":active"), flood);
        assertThat(await(store.active())).hasSize(RolloutStore.MAX_STORED);
        assertThat(failure(store.create("r-001", "{}", active("r-001", "bot", "s1")))).isInstanceOf(StoreCorruptException.class)
                .hasMessageStartingWith(key(":active") + " holds more than " + RolloutStore.MAX_STORED);
        assertThat(await(store.create("r-002", "{}", null)).revision()).as("an inactive rollout reads no index").isEqualTo(1);
    }

    @Test
    void shouldNameTheKeyOfTheWrongTypeAndHowToRepairIt() {
        RolloutStore store = started();
        redis.set(key(""), "not a hash");
        assertThat(failure(store.get("r-001"))).isInstanceOf(StoreCorruptException.class)
                .hasMessageStartingWith(key("") + " holds the wrong kind").hasMessageContaining("DEL");
        assertThat(failure(store.list(10))).isInstanceOf(StoreCorruptException.class).hasMessageContaining(key(""));
        assertThat(failure(store.create("r-001", "{}", null))).isInstanceOf(StoreCorruptException.class)
                .hasMessageStartingWith(key("") + " holds the wrong kind");
        redis.del(key(""));
        redis.lpush(key(":active"), "x");
        assertThat(failure(store.active())).isInstanceOf(StoreCorruptException.class).hasMessageStartingWith(key(":active"));
        assertThat(failure(store.create("r-001", "{}", null))).isInstanceOf(StoreCorruptException.class)
                .hasMessageStartingWith(key(":active"));
        redis.hset(key(":lease"), "a", "b");
        assertThat(failure(store.leaseHolder())).isInstanceOf(StoreCorruptException.class).hasMessageStartingWith(key(":lease"));
        assertThat(failure(store.acquireLease("instance-a", Duration.ofSeconds(1)))).isInstanceOf(StoreCorruptException.class)
                .hasMessageStartingWith(key(":lease"));
        assertThat(failure(store.releaseLease("instance-a"))).isInstanceOf(StoreCorruptException.class);
    }

    @Test
    void shouldTakeOverAGarbledLeaseAndRefuseAGarbledCounter() {
        RolloutStore store = started();
        redis.set(key(":lease"), "garbage");
        assertThat(await(store.leaseHolder())).isEmpty();
        long token = await(store.acquireLease("instance-a", Duration.ofSeconds(30)));
        assertThat(token).isPositive();
        assertThat(await(store.leaseHolder())).contains("instance-a");
        await(store.releaseLease("instance-a"));
        redis.set(key(":fence"), "twelve");
        assertThat(failure(store.acquireLease("instance-a", Duration.ofSeconds(30)))).isInstanceOf(StoreCorruptException.class)
                .hasMessageContaining("DEL " + key(":fence"));
        redis.del(key(":fence"));
        assertThat(await(store.acquireLease("instance-a", Duration.ofSeconds(30)))).isGreaterThan(token);
    }

    @Test
    void shouldFailFastWhileRedisHangsAndWorkAgainAfter() {
        RolloutStore store = started();
        await(store.create("r-001", "{}", null));
        REDIS.pause();
        try {
            long before = System.nanoTime();
            assertThat(failure(store.get("r-001"))).isInstanceOf(StoreUnavailableException.class);
            assertThat(failure(store.acquireLease("instance-a", Duration.ofSeconds(5)))).isInstanceOf(StoreUnavailableException.class);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before)).isLessThan(COMMAND_TIMEOUT.toMillis() * 2 + 1000);
        } finally {
            REDIS.resume();
        }
        assertThat(await(store.get("r-001"))).isPresent();
        assertThat(await(store.acquireLease("instance-a", Duration.ofSeconds(5)))).isPositive();
    }
}
