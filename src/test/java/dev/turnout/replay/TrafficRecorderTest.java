package dev.turnout.replay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.config.GatewayConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The recorder: bounded in bytes (full: dropped and counted, never waiting), redacting, truncating, counting. */
class TrafficRecorderTest {

    private static final byte[] REQUEST = ("{\"model\":\"bot\",\"user\":\"u-7\",\"messages\":[{\"role\":\"user\","
            + "\"content\":\"I am jane@example.com\"}]}").getBytes(StandardCharsets.UTF_8);

    /** A log that keeps what it is given and answers each append as the test says. */
    private static final class HeldLog implements TrafficLog {
        final List<RecordedExchange> appended = new CopyOnWriteArrayList<>();
        final List<Promise<Void>> pending = new CopyOnWriteArrayList<>();
        volatile boolean answer = true;
        volatile boolean fail;

        @Override
        public Future<Void> append(RecordedExchange exchange) {
            appended.add(exchange);
            if (fail) return Future.failedFuture(new IllegalStateException("store down"));
            if (answer) return Future.succeededFuture();
            Promise<Void> promise = Promise.promise();
            pending.add(promise);
            return promise.future();
        }

        @Override
        public Future<List<RecordedExchange>> read(String alias, Instant from, Instant to, int limit) {
            return Future.succeededFuture(List.of());
        }

        @Override
        public Future<List<RecordedExchange>> readAfter(String alias, String position, Instant to, int limit) {
            return Future.succeededFuture(List.of());
        }

        @Override
        public long skipped() {
            return 0;
        }

        @Override
        public Future<Void> close() {
            return Future.succeededFuture();
        }
    }

    private final HeldLog log = new HeldLog();
    private TrafficRecorder recorder;

    @AfterEach
    void stop() {
        if (recorder != null) recorder.close();
    }

    private static GatewayConfig.Recording config(int maxRequest, int maxAnswer, long maxPending) {
        return new GatewayConfig.Recording(true, 1.0, List.of("bot"), maxRequest, maxAnswer, 100, maxPending,
                List.of("user"), true, true, List.of());
    }

    private TrafficRecorder start(GatewayConfig.Recording config) {
        recorder = new TrafficRecorder(config, log, new SimpleMeterRegistry());
        return recorder;
    }

    private static void answer(RecordingTee tee, String... chunks) {
        tee.headers("v1", 200, "application/json");
        for (String chunk : chunks) tee.append(Buffer.buffer(chunk));
        tee.end();
    }

    private static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("condition never held");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void shouldRecordARedactedExchangeWithTheVersionThatAnswered() {
        start(config(4096, 4096, 1 << 20));
        RecordingTee tee = recorder.begin("bot", "v0", "/chat/completions", "req-1", REQUEST, REQUEST.length, System.nanoTime());
        answer(tee, "{\"choices\":[{\"message\":{\"content\":", "\"write to bob@example.com\"}}]}");
        await(() -> recorder.recorded() == 1);
        RecordedExchange stored = log.appended.get(0);
        assertThat(stored.version()).as("the headers name who answered (a fallback, say)").isEqualTo("v1");
        assertThat(stored.requestId()).isEqualTo("req-1");
        assertThat(stored.request()).contains("[redacted-email]").doesNotContain("jane@").doesNotContain("u-7");
        assertThat(stored.answer()).contains("[redacted-email]").doesNotContain("bob@");
        assertThat(stored.truncated()).isFalse();
        assertThat(stored.status()).isEqualTo(200);
        await(() -> recorder.pendingBytes() == 0);
    }

    @Test
    void shouldRecordALongAnswerCutAndMarkedTruncated() {
        start(config(4096, 10, 1 << 20));
        answer(recorder.begin("bot", "v1", "/completions", null, REQUEST, REQUEST.length, System.nanoTime()),
                "abcdefg", "hijklmnop");
        await(() -> recorder.recorded() == 1);
        assertThat(log.appended.get(0).answer()).isEqualTo("abcdefghij");
        assertThat(log.appended.get(0).truncated()).isTrue();
        assertThat(log.appended.get(0).requestId()).as("made up when the client sent none").isNotBlank();
    }

    @Test
    void shouldNotRecordARequestOverItsLimitNorAnAliasNotListed() {
        start(config(REQUEST.length - 1, 4096, 1 << 20));
        assertThat(recorder.begin("bot", "v1", "/completions", null, REQUEST, REQUEST.length, System.nanoTime())).isNull();
        assertThat(recorder.dropped("too_large")).isEqualTo(1);
        assertThat(recorder.begin("other", "v1", "/completions", null, REQUEST, 10, System.nanoTime())).isNull();
        assertThat(recorder.dropped("too_large") + recorder.dropped("backlog")).as("not recorded is not dropped").isEqualTo(1);
        assertThat(recorder.pendingBytes()).isZero();
    }

    @Test
    void shouldDropAndCountWhenTheBacklogIsFullWithoutWaiting() {
        log.answer = false; // the store never answers: every written exchange keeps its bytes
        long budget = 8 * (REQUEST.length + RecordingTee.INITIAL_BYTES + TrafficRecorder.OVERHEAD_BYTES);
        start(config(4096, 4096, budget));
        int accepted = 0;
        long started = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            RecordingTee tee = recorder.begin("bot", "v1", "/completions", null, REQUEST, REQUEST.length, System.nanoTime());
            if (tee == null) continue;
            accepted++;
            answer(tee, "{\"text\":\"ok\"}");
        }
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).as("never blocks").isLessThan(1_000);
        assertThat(accepted).isEqualTo(8);
        assertThat(recorder.dropped("backlog")).isEqualTo(92);
        assertThat(recorder.pendingBytes()).isLessThanOrEqualTo(budget);
        await(() -> log.pending.size() == 8);
        log.pending.forEach(Promise::complete); // the store catches up: the budget is free again
        await(() -> recorder.pendingBytes() == 0);
        assertThat(recorder.begin("bot", "v1", "/completions", null, REQUEST, REQUEST.length, System.nanoTime())).isNotNull();
    }

    @Test
    void shouldAbandonAnAnswerThatCannotGrowWithinTheBudget() {
        long budget = REQUEST.length + RecordingTee.INITIAL_BYTES + TrafficRecorder.OVERHEAD_BYTES;
        start(config(4096, 65_536, budget));
        RecordingTee tee = recorder.begin("bot", "v1", "/completions", null, REQUEST, REQUEST.length, System.nanoTime());
        answer(tee, "x".repeat(5_000));
        assertThat(recorder.dropped("backlog")).isEqualTo(1);
        assertThat(recorder.pendingBytes()).isZero();
        assertThat(log.appended).isEmpty();
    }

    @Test
    void shouldCountAStoreErrorAndGiveTheBytesBack() {
        log.fail = true;
        start(config(4096, 4096, 1 << 20));
        answer(recorder.begin("bot", "v1", "/completions", null, REQUEST, REQUEST.length, System.nanoTime()), "{}");
        await(() -> recorder.dropped("store_error") == 1);
        assertThat(recorder.recorded()).isZero();
        await(() -> recorder.pendingBytes() == 0);
    }

    @Test
    void shouldRecordNothingForAFailedCall() {
        start(config(4096, 4096, 1 << 20));
        RecordingTee tee = recorder.begin("bot", "v1", "/completions", null, REQUEST, REQUEST.length, System.nanoTime());
        tee.headers("v1", 200, "text/event-stream");
        tee.append(Buffer.buffer("data: {}\n\n"));
        tee.fail("reset");
        assertThat(recorder.pendingBytes()).isZero();
        assertThat(log.appended).isEmpty();
    }
}
