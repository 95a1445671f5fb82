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

/** Pairs made outside the data plane (a replay's): an answer that ended elsewhere, within the same byte budget. */
class DiffPipelineEndedTest {

    private static final byte[] ANSWER = "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"hello there\"},\"finish_reason\":\"stop\"}]}"
            .getBytes(StandardCharsets.UTF_8);

    private final DiffReport report = new DiffReport();
    private DiffPipeline pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) pipeline.close();
    }

    private DiffPipeline pipeline(long budget) {
        return new DiffPipeline(new GatewayMetrics(new SimpleMeterRegistry(), () -> null), report, List.of(), false, budget,
                ResponseDiffer::compare);
    }

    private Capture answered(byte[] body) {
        Capture capture = pipeline.open(System.nanoTime(), 4096);
        capture.headers(200, "application/json");
        capture.append(Buffer.buffer(body));
        capture.end();
        return capture;
    }

    private long pairs() {
        var entries = report.toJson().path("candidates");
        return entries.isEmpty() ? 0 : entries.get(0).get("pairs").asLong();
    }

    @Test
    void shouldCompareARecordedAnswerWithALiveOneAndGiveTheBytesBack() {
        pipeline = pipeline(1 << 20);
        Capture recorded = pipeline.ended(200, false, ANSWER, 120.0, 40.0);
        assertThat(recorded.done()).isTrue();
        assertThat(pipeline.budget().held()).isGreaterThanOrEqualTo(ANSWER.length);
        assertThat(pipeline.submitEnded("r1", "replay:x", "v1", "v2", "candidate", false, new byte[0], recorded,
                answered(ANSWER))).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (pairs() < 1 && System.nanoTime() < deadline) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        var entry = report.toJson().path("candidates").get(0);
        assertThat(entry.get("alias").asText()).isEqualTo("replay:x");
        assertThat(entry.at("/verdicts/same").asLong()).isEqualTo(1);
        while (pipeline.budget().held() > 0 && System.nanoTime() < deadline) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(pipeline.budget().held()).isZero();
    }

    @Test
    void shouldShedAPairWhoseRecordedSideFindsNoRoomAndCountIt() {
        pipeline = pipeline(Capture.INITIAL_BYTES + ANSWER.length - 1); // one byte short of both
        Capture live = answered(ANSWER);
        Capture recorded = pipeline.ended(200, false, ANSWER, 120.0, null);
        assertThat(recorded).as("the live capture holds the budget").isNull();
        assertThat(pipeline.submitEnded("r1", "replay:x", "v1", "v2", "candidate", false, new byte[0], recorded, live))
                .isFalse();
        assertThat(pipeline.budget().held()).isZero();
        assertThat(report.toJson().path("candidates").get(0).get("shadowDrops").asLong()).isEqualTo(1);
    }
}
