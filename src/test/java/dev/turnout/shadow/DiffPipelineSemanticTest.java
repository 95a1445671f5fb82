package dev.turnout.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.config.GatewayConfig;
import dev.turnout.diff.Calibration;
import dev.turnout.diff.DiffRecord;
import dev.turnout.diff.DiffReport;
import dev.turnout.diff.DiffSink;
import dev.turnout.metrics.GatewayMetrics;
import dev.turnout.semantic.SemanticScorer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The differ and the semantic scorer together, with real inference: pairs the scorer refuses are
 * recorded at once with their text verdict and the reason; scored pairs come back through the differ
 * thread and are judged against the noise floor; answers with tool calls never reach the model.
 */
class DiffPipelineSemanticTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String REFUND = "You can get a full refund within 30 days of purchase. Contact support with "
            + "your order number and the money is back on your card in five days.";
    private static final String REFUND_AGAIN = "Refunds are available if you ask within thirty days of buying. Reach out "
            + "to our support team with the order number and the money returns to your card within five days.";
    private static final String NO_REFUND = "You can get store credit only, never a refund, within 30 days of purchase. "
            + "Support keeps the money; nothing goes back on your card.";

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<DiffRecord> written = new CopyOnWriteArrayList<>();
    private DiffPipeline pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) pipeline.close();
    }

    private DiffPipeline pipeline(double sample, int minNoisePairs) throws Exception {
        GatewayConfig.Semantic semantic = new GatewayConfig.Semantic(true, sample, 1, 512, 64, 0.05, minNoisePairs);
        SemanticScorer scorer = SemanticScorer.start(semantic, registry).loadInBackground();
        scorer.whenModelLoaded().get(60, TimeUnit.SECONDS);
        DiffSink sink = new DiffSink() {
            @Override
            public void accept(DiffRecord record) {
                written.add(record);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        return new DiffPipeline(new GatewayMetrics(registry, () -> null), new DiffReport(new Calibration(0.05, minNoisePairs)),
                List.of(sink), false, 1L << 20, scorer);
    }

    private static byte[] text(String content) {
        return ("{\"choices\":[{\"index\":0,\"message\":{\"content\":" + quote(content) + "},\"finish_reason\":\"stop\"}]}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] toolCall(String city) {
        return ("{\"choices\":[{\"index\":0,\"message\":{\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\","
                + "\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"" + city + "\\\"}\"}}]},"
                + "\"finish_reason\":\"tool_calls\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    private static String quote(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** One pair captured and submitted as the dispatcher does it. */
    private void submit(String id, String kind, byte[] primaryBody, byte[] otherBody) {
        long start = System.nanoTime();
        Capture primary = pipeline.open(start, 64 * 1024);
        Capture other = pipeline.open(start, 64 * 1024);
        primary.retain();
        other.retain();
        for (Capture capture : List.of(primary, other)) {
            capture.headers(200, "application/json");
            capture.append(Buffer.buffer(capture == primary ? primaryBody : otherBody));
            capture.end();
        }
        String candidate = kind.equals(DiffRecord.NOISE) ? "v1" : "v2";
        pipeline.submit(id, "support", "v1", candidate, kind, false, new byte[0], primary, other);
    }

    private List<DiffRecord> awaitWritten(int count) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (written.size() < count) {
            if (System.nanoTime() > deadline) throw new AssertionError("only " + written.size() + " of " + count + " records");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        return List.copyOf(written);
    }

    private static JsonNode metrics(DiffRecord record) {
        return record.metrics().toJson();
    }

    @Test
    void aPairTheScorerRefusesIsRecordedAtOnceWithItsTextVerdictAndTheReason() throws Exception {
        pipeline = pipeline(0.0, 30);
        submit("r1", DiffRecord.CANDIDATE, text(REFUND), text(REFUND));
        DiffRecord record = awaitWritten(1).get(0);
        assertThat(metrics(record).get("semanticStatus").asText()).isEqualTo("skipped:not_sampled");
        assertThat(metrics(record).get("similarity").isNull()).isTrue();
        assertThat(metrics(record).get("verdict").asText()).isEqualTo("same");
        assertThat(registry.get("turnout_semantic_skipped_total").tag("reason", "not_sampled").counter().count()).isEqualTo(1);
    }

    @Test
    void scoredPairsAreJudgedAgainstTheNoiseFloorOnceItHasEnoughNoisePairs() throws Exception {
        pipeline = pipeline(1.0, 3);
        submit("early", DiffRecord.CANDIDATE, text(REFUND), text(NO_REFUND));
        assertThat(metrics(awaitWritten(1).get(0)).get("verdict").asText()).isEqualTo("uncalibrated");
        for (int i = 0; i < 3; i++) submit("noise-" + i, DiffRecord.NOISE, text(REFUND), text(REFUND_AGAIN));
        awaitWritten(4);
        submit("paraphrase", DiffRecord.CANDIDATE, text(REFUND), text(REFUND_AGAIN));
        submit("contradiction", DiffRecord.CANDIDATE, text(REFUND), text(NO_REFUND));
        List<DiffRecord> records = awaitWritten(6);
        DiffRecord paraphrase = records.stream().filter(r -> r.id().equals("paraphrase")).findFirst().orElseThrow();
        DiffRecord contradiction = records.stream().filter(r -> r.id().equals("contradiction")).findFirst().orElseThrow();
        assertThat(metrics(paraphrase).get("semanticStatus").asText()).isEqualTo("scored");
        assertThat(metrics(paraphrase).get("verdict").asText()).isEqualTo("similar");
        assertThat(metrics(contradiction).get("verdict").asText()).isEqualTo("different");
        assertThat(metrics(contradiction).get("similarity").asDouble())
                .isLessThan(metrics(paraphrase).get("similarity").asDouble());
        assertThat(registry.get("turnout_semantic_pairs_total").tag("result", "scored").counter().count()).isEqualTo(6);
    }

    @Test
    void answersWithToolCallsKeepTheirJsonComparisonAndNeverReachTheModel() throws Exception {
        pipeline = pipeline(1.0, 3);
        submit("tools", DiffRecord.CANDIDATE, toolCall("Paris"), toolCall("Rome"));
        DiffRecord record = awaitWritten(1).get(0);
        assertThat(metrics(record).get("semanticStatus").asText()).isEqualTo("not_applicable");
        assertThat(metrics(record).get("verdict").asText()).isEqualTo("different");
        assertThat(metrics(record).get("toolArgDiffs").toString()).contains("city");
        assertThat(registry.find("turnout_semantic_pairs_total").tag("result", "scored").counter().count()).isZero();
    }
}
