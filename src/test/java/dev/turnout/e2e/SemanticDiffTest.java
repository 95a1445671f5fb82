package dev.turnout.e2e;

import static dev.turnout.testing.Fixtures.await;
import static dev.turnout.testing.Http.json;
import static dev.turnout.testing.Http.post;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.route.RouteCodec;
import dev.turnout.semantic.SentenceEmbedder;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Meaning-level diffs end to end, with real model inference: a primary that paraphrases itself, a
 * candidate that paraphrases the same meanings, and a candidate that contradicts 30% of its
 * answers while keeping most of their words. Within 200 shadowed requests the contradicting
 * candidate must be reported as differing beyond the primary's own noise, and the paraphrasing one
 * must not, whatever the seed.
 */
class SemanticDiffTest {

    private static final int REQUESTS = 200;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void shouldReportAContradictingCandidateAsDifferingBeyondNoiseAndAParaphrasingOneNot(long seed) {
        Vertx vertx = Vertx.vertx();
        Gateway gateway = null;
        try {
            SimServer primary = Fixtures.sim(vertx, SimOptions.defaults("support-v1").withSeed(seed).withParaphrase(true));
            SimServer paraphrasing = Fixtures.sim(vertx, SimOptions.defaults("support-v2").withSeed(seed + 100)
                    .withParaphrase(true));
            SimServer contradicting = Fixtures.sim(vertx, SimOptions.defaults("support-v3").withSeed(seed + 200)
                    .withParaphrase(true).withContradict(0.3));
            GatewayConfig config = Fixtures.config(false, 1 << 20).withDiffs(new GatewayConfig.Diffs("", false,
                    new GatewayConfig.Semantic(true, 1.0, 1, 512, 1024, 0.05, 30)));
            gateway = Fixtures.gateway(vertx, config, RouteCodec.fromYaml(String.join("\n",
                    "versions:",
                    "  support-v1: { url: '" + primary.baseUrl() + "' }",
                    "  support-v2: { url: '" + paraphrasing.baseUrl() + "' }",
                    "  support-v3: { url: '" + contradicting.baseUrl() + "' }",
                    "aliases:",
                    "  support-bot:",
                    "    split: { support-v1: 1 }",
                    "    shadow: [ { version: support-v2, sample: 1.0 }, { version: support-v3, sample: 1.0 } ]",
                    "    noiseSample: 1.0",
                    "")), Map.of());
            // The gateway loads the process's one model in the background; wait for it here, so that no
            // pair is refused as model_loading and every one of the requests is scored.
            SentenceEmbedder.shared(SentenceEmbedder.Model.MINI_LM_L6_V2_Q, 512);
            String base = "http://127.0.0.1:" + gateway.port();
            List<HttpRequest.Builder> requests = new ArrayList<>();
            for (int i = 0; i < REQUESTS; i++) {
                requests.add(post(base + "/v1/chat/completions", "{\"model\":\"support-bot\",\"messages\":"
                        + "[{\"role\":\"user\",\"content\":\"customer question " + seed + "-" + i + "\"}]}"));
            }
            assertThat(Http.sendAll(requests, 4)).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(200));
            String admin = "http://127.0.0.1:" + gateway.adminPort();
            assertThat(json(Http.get(admin + "/admin/diffs")).get("semantic").asText()).isEqualTo("ready");
            JsonNode report = awaitScored(admin);
            JsonNode paraphrase = entry(report, "support-v2");
            JsonNode contradiction = entry(report, "support-v3");
            // The figures behind the verdicts, in the test's output: how far each seed is from the line.
            System.out.println("seed " + seed + ": support-v3 " + contradiction.get("summary").asText()
                    + "; support-v2 " + paraphrase.get("summary").asText());
            assertThat(contradiction.get("differsBeyondNoise").asText()).as(contradiction.toString()).isEqualTo("yes");
            assertThat(paraphrase.get("differsBeyondNoise").asText()).as(paraphrase.toString()).isEqualTo("no");
            assertThat(contradiction.at("/similarity/p5").asDouble()).isLessThan(paraphrase.at("/similarity/p5").asDouble());
            // Word overlap alone cannot tell them apart: the contradictions keep most of the words.
            JsonNode worst = json(Http.get(admin + "/admin/diffs/samples?candidate=support-v3&sort=least_similar&limit=3"));
            assertThat(worst).hasSize(3);
            double previous = -1;
            for (JsonNode sample : worst) {
                double similarity = sample.at("/metrics/similarity").asDouble();
                assertThat(similarity).isGreaterThanOrEqualTo(previous);
                previous = similarity;
            }
            JsonNode different = json(Http.get(admin + "/admin/diffs/samples?candidate=support-v3&verdict=different&limit=5"));
            assertThat(different).isNotEmpty().allSatisfy(sample ->
                    assertThat(sample.at("/metrics/verdict").asText()).isEqualTo("different"));
        } finally {
            if (gateway != null) await(gateway.close());
            await(vertx.close());
        }
    }

    /** The report once both candidates' pairs are all in: shadows and scores finish after the client's answers. */
    private static JsonNode awaitScored(String admin) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            JsonNode report = json(Http.get(admin + "/admin/diffs")).get("candidates");
            if (report.size() == 2 && pairs(report, "support-v2") >= REQUESTS && pairs(report, "support-v3") >= REQUESTS) {
                return report;
            }
            if (System.nanoTime() > deadline) throw new AssertionError("pairs never all arrived: " + report);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }

    private static long pairs(JsonNode report, String candidate) {
        JsonNode entry = entry(report, candidate);
        return entry == null ? 0 : entry.get("pairs").asLong();
    }

    private static JsonNode entry(JsonNode report, String candidate) {
        for (JsonNode entry : report) if (entry.get("candidate").asText().equals(candidate)) return entry;
        return null;
    }
}
