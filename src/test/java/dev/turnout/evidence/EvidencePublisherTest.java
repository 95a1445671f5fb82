package dev.turnout.evidence;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Publishing every interval: retried after failures, untracked steps dropped once stored, a last publish on close. */
class EvidencePublisherTest {

    private static final Tracked BOT = new Tracked("r1", "bot", "v2", "s1");
    private static final long MS = 1_000_000;

    private final Vertx vertx = Vertx.vertx();
    private final EvidenceRecorder recorder = new EvidenceRecorder(8);

    @AfterEach
    void stop() {
        await(vertx.close());
    }

    @Test
    void shouldRetryFailedPublishesAndDropUntrackedStepsOnceStored() {
        EvidenceStore memory = EvidenceStore.memory();
        AtomicInteger failuresLeft = new AtomicInteger(3);
        EvidenceStore flaky = new EvidenceStore() {
            @Override
            public Future<Void> publish(StepRef ref, String runId, String encoded, Duration ttl) {
                return failuresLeft.getAndDecrement() > 0 ? Future.failedFuture(new IllegalStateException("down"))
                        : memory.publish(ref, runId, encoded, ttl);
            }

            @Override
            public Future<StepEvidence> read(StepRef ref) {
                return memory.read(ref);
            }

            @Override
            public long skipped() {
                return memory.skipped();
            }

            @Override
            public Future<Void> close() {
                return memory.close();
            }
        };
        recorder.track(List.of(BOT));
        for (int i = 0; i < 5; i++) recorder.request("bot", "v2", false, 10 * MS, 0, 3);
        EvidencePublisher publisher = EvidencePublisher.start(vertx, recorder, flaky, "run-1", Duration.ofMillis(20), Duration.ofSeconds(10));
        eventually(() -> await(memory.read(BOT.ref())).candidate().requests() == 5);
        assertThat(publisher.failedPublishes()).isEqualTo(3);

        recorder.request("bot", "v1", false, 10 * MS, 0, 3);
        recorder.track(List.of());
        eventually(() -> recorder.snapshot().isEmpty());
        StepEvidence stored = await(memory.read(BOT.ref()));
        assertThat(stored.candidate().requests()).isEqualTo(5); // published again, not added to: still 5
        assertThat(stored.baseline().requests()).isEqualTo(1); // the last request before the step ended is kept
        await(publisher.close());
    }

    @Test
    void shouldPublishOnceMoreOnClose() {
        EvidenceStore store = EvidenceStore.memory();
        recorder.track(List.of(BOT));
        EvidencePublisher publisher = EvidencePublisher.start(vertx, recorder, store, "run-1", Duration.ofHours(1), Duration.ofHours(2));
        recorder.request("bot", "v2", true, 10 * MS, 0, 3);
        await(publisher.close());
        assertThat(await(store.read(BOT.ref())).candidate().errors()).isEqualTo(1);
    }

    /** Not an assertion on speed: prints what a snapshot and an encode cost, for the javadoc's claim. */
    @Test
    void shouldMeasureSnapshotAndEncodeCost() {
        recorder.track(List.of(BOT));
        Random random = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            long latency = (long) (Math.exp(random.nextGaussian() * 0.8 + 13) * 1000); // ~440 ms median, wide
            recorder.request("bot", i % 5 == 0 ? "v2" : "v1", i % 50 == 0, latency, latency / 5, 20 + random.nextInt(2000));
        }
        long snapshotNanos = Long.MAX_VALUE;
        long encodeNanos = Long.MAX_VALUE;
        String encoded = null;
        for (int round = 0; round < 200; round++) {
            long start = System.nanoTime();
            StepEvidence step = recorder.snapshot().get(BOT.ref());
            long snapshotted = System.nanoTime();
            encoded = step.encode();
            long done = System.nanoTime();
            snapshotNanos = Math.min(snapshotNanos, snapshotted - start);
            encodeNanos = Math.min(encodeNanos, done - snapshotted);
        }
        long decodeNanos = Long.MAX_VALUE;
        for (int round = 0; round < 200; round++) {
            long start = System.nanoTime();
            StepEvidence.decode(encoded);
            decodeNanos = Math.min(decodeNanos, System.nanoTime() - start);
        }
        System.out.printf("evidence of one step, 100000 requests: snapshot %.3f ms, encode %.3f ms, decode %.3f ms, %d chars%n",
                snapshotNanos / 1e6, encodeNanos / 1e6, decodeNanos / 1e6, encoded.length());
        assertThat(StepEvidence.decode(encoded).candidate().requests() + StepEvidence.decode(encoded).baseline().requests())
                .isEqualTo(100_000);
    }

    private static void eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("not reached within 10 s");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
