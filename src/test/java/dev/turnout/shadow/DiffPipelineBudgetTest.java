package dev.turnout.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.diff.DiffReport;
import dev.turnout.diff.ResponseDiffer;
import dev.turnout.metrics.GatewayMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The differ falls behind; shadow memory must not. Pairs are captured and submitted the way
 * {@link ShadowDispatcher} does it, against a differ made slow through its seam.
 */
class DiffPipelineBudgetTest {

    private static final long BUDGET = 64 * 1024;
    private static final int CAPTURE_BYTES = 16 * 1024;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final DiffReport report = new DiffReport();
    private DiffPipeline pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) pipeline.close();
    }

    private DiffPipeline pipeline(long slowMillis) {
        return new DiffPipeline(new GatewayMetrics(registry, () -> null), report, List.of(), false, BUDGET, (p, c, options) -> {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(slowMillis));
            return ResponseDiffer.compare(p, c, options);
        });
    }

    private static byte[] answer(int words) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < words; i++) text.append("word").append(i).append(' ');
        return ("{\"choices\":[{\"index\":0,\"message\":{\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /** One pair as the dispatcher makes it; false when the budget had no room to start it. */
    private boolean pair(byte[] primaryBody, byte[] candidateBody) {
        long start = System.nanoTime();
        Capture primary = pipeline.open(start, CAPTURE_BYTES);
        Capture candidate = primary == null ? null : pipeline.open(start, CAPTURE_BYTES);
        if (candidate == null) {
            if (primary != null) primary.discard();
            pipeline.dropped("a", "v1", "v2", "differ_backlog");
            return false;
        }
        primary.retain();
        candidate.retain();
        for (Capture capture : List.of(primary, candidate)) {
            capture.headers(200, "application/json");
            byte[] body = capture == primary ? primaryBody : candidateBody;
            for (int i = 0; i < body.length; i += 700) capture.append(Buffer.buffer().appendBytes(body, i, Math.min(700, body.length - i)));
            capture.end();
        }
        pipeline.submit("id", "a", "v1", "v2", "candidate", false, new byte[0], primary, candidate);
        return true;
    }

    private double dropped(String reason) {
        var counter = registry.find("turnout_shadow_dropped").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void aSlowDifferShedsPairsInsteadOfHoldingMoreThanTheBudget() {
        pipeline = pipeline(20);
        byte[] body = answer(500); // ~5 KiB: a pair holds 16 KiB of buffers
        int started = 0;
        for (int i = 0; i < 300; i++) {
            if (pair(body, body)) started++;
            assertThat(pipeline.budget().held()).isLessThanOrEqualTo(BUDGET);
        }
        assertThat(pipeline.budget().peak()).isLessThanOrEqualTo(BUDGET).isGreaterThan(BUDGET / 2);
        assertThat(dropped("differ_backlog")).isGreaterThan(0);
        // Every pair is accounted for: compared, or shed and counted.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pipeline.budget().held() > 0 && System.nanoTime() < deadline) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        // Once the differ has caught up, every reserved byte is back: nothing leaks.
        assertThat(pipeline.budget().held()).isZero();
        long compared = report.toJson().at("/candidates/0/pairs").asLong();
        assertThat(compared + (long) dropped("differ_backlog")).isEqualTo(300);
        assertThat(compared).isLessThan(started + 1).isGreaterThan(0);
    }

    @Test
    void anAnswerOverTheCaptureCapIsShedAtOnceAndGivesItsBytesBack() {
        pipeline = pipeline(0);
        assertThat(pair(answer(5_000), answer(10))).isTrue(); // ~50 KiB, over the 16 KiB cap
        assertThat(dropped("capture_too_large")).isEqualTo(1);
        assertThat(pipeline.budget().held()).isZero();
        assertThat(report.toJson().at("/candidates/0/shadowDrops").asLong()).isEqualTo(1);
    }

    @Test
    void aCaptureInProgressHoldsItsBytes() {
        pipeline = pipeline(0);
        Capture capture = pipeline.open(System.nanoTime(), CAPTURE_BYTES);
        capture.retain();
        capture.headers(200, "text/event-stream");
        capture.append(Buffer.buffer(new byte[3_000]));
        // Still streaming, not yet a pair: its buffer already counts against the budget.
        assertThat(pipeline.budget().held()).isEqualTo(capture.reservedBytes()).isGreaterThanOrEqualTo(3_000);
        capture.end();
        capture.releaseBytes();
        assertThat(pipeline.budget().held()).isZero();
    }
}
