package dev.turnout.sim;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.diff.AssembledResponse;
import dev.turnout.diff.ResponseAssembler;
import dev.turnout.golden.Checker;
import dev.turnout.golden.GoldenItem;
import dev.turnout.golden.GoldenSet;
import dev.turnout.golden.GoldenSets;
import dev.turnout.golden.ItemResult;
import dev.turnout.golden.Similarity;
import dev.turnout.semantic.SentenceEmbedder;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shipped golden set against {@code turnout sim --skill}, over plain HTTP: every item passes,
 * the semantic one checked by the real embedding model; after {@code --drift-after 0} most fail.
 */
class GoldenSkillEndToEndTest {

    private static GoldenSet set;
    private static Similarity similarity;
    private final Vertx vertx = Vertx.vertx();

    @BeforeAll
    static void load() throws Exception {
        set = GoldenSets.parse("support-golden", Files.readString(Path.of("conf/golden/support-golden.jsonl")), true);
        similarity = Checker.embeddings(SentenceEmbedder.shared(SentenceEmbedder.Model.MINI_LM_L6_V2_Q, 512));
    }

    @AfterEach
    void stop() {
        await(vertx.close());
    }

    /** The skilled simulator; paraphrasing, so its support answers carry a meaning the semantic check can judge. */
    private SimServer sim(long driftAfter) {
        return Fixtures.sim(vertx, SimOptions.defaults("support-v1").withSkill(true).withParaphrase(true).withDriftAfter(driftAfter));
    }

    private static ItemResult ask(SimServer sim, GoldenItem item) {
        ObjectNode request = item.request().put("model", "support-v1");
        HttpResponse<String> response = Http.send(Http.post(sim.baseUrl() + (item.chat() ? "/chat/completions" : "/completions"),
                request.toString()));
        AssembledResponse answer = ResponseAssembler.fromBody(response.statusCode(),
                response.body().getBytes(StandardCharsets.UTF_8), false, false);
        return Checker.check(item, answer, similarity);
    }

    private static Map<String, ItemResult> run(SimServer sim) {
        Map<String, ItemResult> results = new LinkedHashMap<>();
        for (GoldenItem item : set.items()) results.put(item.id(), ask(sim, item));
        return results;
    }

    @Test
    void aSkilledSimulatorPassesEveryItem() {
        Map<String, ItemResult> results = run(sim(-1));

        assertThat(results).allSatisfy((id, result) -> assertThat(result.passed()).as(id + ": " + result.detail()).isTrue());
        assertThat(results.get("support-refund-policy").detail()).startsWith("similarity 0.");
    }

    @Test
    void afterDriftMostItemsFail() {
        Map<String, ItemResult> results = run(sim(0));

        long passed = results.values().stream().filter(ItemResult::passed).count();
        assertThat(passed).as(results.toString()).isLessThan(set.items().size() / 2);
        assertThat(results.get("prime-17077").passed()).isFalse();
        assertThat(results.get("add-48-27").detail()).isEqualTo("first number is 76, expected 75");
        assertThat(results.get("tool-lookup-order").detail()).contains("lookup_order_v0");
    }

    @Test
    void driftStartsAfterTheGivenNumberOfRequests() {
        SimServer sim = sim(2);
        GoldenItem item = set.items().stream().filter(i -> i.id().equals("add-48-27")).findFirst().orElseThrow();

        assertThat(ask(sim, item).passed()).isTrue();
        assertThat(ask(sim, item).passed()).isTrue();
        assertThat(ask(sim, item).passed()).isFalse();
        assertThat(ask(sim, item).passed()).isFalse();
    }
}
