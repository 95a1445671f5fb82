package dev.turnout.replay;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.StoreUnavailableException;
import dev.turnout.testing.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Recorded exchanges in a real redis-server: capped streams, paged reads, hostile entries skipped, outages told fast. */
class RedisTrafficLogTest {

    private static final AtomicInteger TESTS = new AtomicInteger();
    private static final Instant LONG_AGO = Instant.parse("2000-01-01T00:00:00Z");

    private RedisServer redis;
    private Vertx vertx;
    private RedisTrafficLog log;
    private RedisClient probeClient;
    private RedisCommands<String, String> probe;

    @BeforeEach
    void start() {
        redis = RedisServer.startNew();
        vertx = Vertx.vertx();
        RedisStoreOptions options = RedisStoreOptions.of(redis.uri(), "t" + TESTS.incrementAndGet(), "i0", 10)
                .withLimits(Duration.ofMillis(500), 1_000);
        log = (RedisTrafficLog) TrafficLog.redis(vertx, options, 100, 10_000);
        probeClient = RedisClient.create(redis.uri());
        probe = probeClient.connect().sync();
    }

    @AfterEach
    void stop() {
        probeClient.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        await(log.close());
        await(vertx.close());
        redis.close();
    }

    private static RecordedExchange exchange(String alias, int i) {
        return new RecordedExchange("", alias, "v1", "/chat/completions", "req-" + i, Instant.now(), 200, false, false,
                12.5, 3.0, "{\"model\":\"bot\",\"messages\":[{\"role\":\"user\",\"content\":\"q" + i + "\"}]}",
                "{\"choices\":[]}");
    }

    @Test
    void shouldKeepAboutMaxEntriesPerAliasAndReadThemBackOldestFirst() {
        // The first write opens the connection: writes issued while it connects wait for it and may reach Redis
        // after later ones (one full-suite run read req-823 last), which no single writer does.
        await(log.append(exchange("bot", 0)));
        List<Future<Void>> writes = new ArrayList<>();
        for (int i = 1; i < 1_000; i++) writes.add(log.append(exchange("bot", i)));
        writes.forEach(write -> await(write));
        await(log.append(exchange("other", 0)));
        long length = probe.xlen(log.key("bot"));
        // MAXLEN ~ trims whole stream nodes (100 entries each by default): at least 100, never all 1000.
        assertThat(length).isBetween(100L, 200L);
        List<RecordedExchange> read = await(log.read("bot", LONG_AGO, Instant.now().plusSeconds(1), 10_000));
        assertThat(read).hasSize((int) length);
        assertThat(read.get(read.size() - 1).requestId()).isEqualTo("req-999");
        assertThat(read).extracting(RecordedExchange::alias).containsOnly("bot");
        assertThat(read.get(0).ttftMs()).isEqualTo(3.0);
        assertThat(await(log.read("nobody", LONG_AGO, Instant.now(), 10))).isEmpty();
    }

    @Test
    void shouldPageAfterAPositionWithoutLosingOrRepeatingAnEntry() {
        for (int i = 0; i < 25; i++) await(log.append(exchange("bot", i)));
        Instant to = Instant.now().plusSeconds(1);
        List<RecordedExchange> all = new ArrayList<>(await(log.read("bot", LONG_AGO, to, 10)));
        while (true) {
            List<RecordedExchange> page = await(log.readAfter("bot", all.get(all.size() - 1).position(), to, 10));
            if (page.isEmpty()) break;
            all.addAll(page);
        }
        assertThat(all).extracting(RecordedExchange::requestId)
                .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 25).mapToObj(i -> "req-" + i).toList());
    }

    @Test
    void shouldSkipAndCountEntriesThatAreNotExchanges() {
        await(log.append(exchange("bot", 1)));
        probe.xadd(log.key("bot"), Map.of("v", "not json"));
        probe.xadd(log.key("bot"), Map.of("other", "field"));
        probe.xadd(log.key("bot"), Map.of("v", "{\"alias\":\"bot\",\"path\":\"/admin/routes\"}"));
        probe.xadd(log.key("bot"), Map.of("v", "x".repeat(20_000)));
        await(log.append(exchange("bot", 2)));
        List<RecordedExchange> read = await(log.read("bot", LONG_AGO, Instant.now().plusSeconds(1), 100));
        assertThat(read).extracting(RecordedExchange::requestId).containsExactly("req-1", "req-2");
        assertThat(log.skipped()).isEqualTo(4);
    }

    @Test
    void shouldFailFastWithStoreUnavailableWhenRedisIsGone() {
        await(log.append(exchange("bot", 1)));
        redis.stop();
        long started = System.nanoTime();
        Throwable appendFailure = failure(log.append(exchange("bot", 2)));
        Throwable readFailure = failure(log.read("bot", LONG_AGO, Instant.now(), 10));
        assertThat(appendFailure).isInstanceOf(StoreUnavailableException.class);
        assertThat(readFailure).isInstanceOf(StoreUnavailableException.class);
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(2_000);
    }

    private static Throwable failure(Future<?> future) {
        try {
            future.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("did not fail in time: " + e, e);
        }
        throw new AssertionError("did not fail");
    }
}
