package dev.turnout.admin;

import static dev.turnout.testing.Http.get;
import static dev.turnout.testing.Http.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.diff.DiffMetrics;
import dev.turnout.diff.DiffRecord;
import dev.turnout.diff.DiffReport;
import dev.turnout.diff.Verdict;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /admin/diffs/samples} over HTTP: the sort and the checked filters. */
class DiffRoutesTest {

    private final Vertx vertx = Vertx.vertx();
    private final DiffReport report = new DiffReport();
    private String base;

    @BeforeEach
    void start() throws Exception {
        Router router = Router.router(vertx);
        DiffRoutes.mount(router, report);
        HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        base = "http://127.0.0.1:" + server.actualPort() + "/admin/diffs/samples";
        accept(0, null, DiffMetrics.skipped("pool_full"));
        accept(1, 0.9, DiffMetrics.SCORED);
        accept(2, 0.3, DiffMetrics.SCORED);
        accept(3, 0.6, DiffMetrics.SCORED);
    }

    private void accept(int n, Double similarity, String status) {
        DiffMetrics lexical = new DiffMetrics(Verdict.SIMILAR, 200, 200, null, null, false, false, 0.8, 0.8, 0.8, true, true,
                List.of(), null, null, 0, 0, null, 1.0, null, DiffMetrics.DISABLED);
        DiffMetrics judged = report.judge("bot", "v1", false, lexical, similarity, status); // no noise yet: uncalibrated
        report.accept(new DiffRecord("pair-" + n, Instant.ofEpochMilli(n), "bot", "v1", "v2", DiffRecord.CANDIDATE, judged,
                null, null, null));
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static List<String> ids(HttpResponse<String> response) {
        assertThat(response.statusCode()).isEqualTo(200);
        return json(response).findValuesAsText("id");
    }

    @Test
    void shouldListTheLeastSimilarHeldPairsFirstAndUnscoredOnesLast() {
        assertThat(ids(get(base + "?sort=least_similar"))).containsExactly("pair-2", "pair-3", "pair-1", "pair-0");
        assertThat(ids(get(base + "?sort=least_similar&limit=1"))).containsExactly("pair-2");
        assertThat(ids(get(base))).containsExactly("pair-3", "pair-2", "pair-1", "pair-0");
        assertThat(ids(get(base + "?sort=newest&verdict=uncalibrated"))).containsExactly("pair-3", "pair-2", "pair-1");
        assertThat(ids(get(base + "?verdict=similar"))).containsExactly("pair-0");
    }

    @Test
    void shouldFilterByPrimaryAsTheReportGroupsPairs() {
        DiffMetrics lexical = new DiffMetrics(Verdict.DIFFERENT, 200, 200, null, null, false, false, 0.1, 0.1, 0.1, true, true,
                List.of(), null, null, 0, 0, null, 1.0, null, DiffMetrics.DISABLED);
        report.accept(new DiffRecord("other-primary", Instant.ofEpochMilli(9), "bot", "v0", "v2", DiffRecord.CANDIDATE,
                report.judge("bot", "v0", false, lexical, 0.1, DiffMetrics.SCORED), null, null, null));

        assertThat(ids(get(base + "?primary=v0"))).containsExactly("other-primary");
        assertThat(ids(get(base + "?primary=v1&candidate=v2&sort=least_similar"))).containsExactly("pair-2", "pair-3", "pair-1", "pair-0");
        assertThat(ids(get(base + "?alias=bot&candidate=v2"))).hasSize(5);
    }

    @Test
    void shouldRejectAnUnknownVerdictKindOrSortWithTheAllowedValues() {
        HttpResponse<String> verdict = get(base + "?verdict=differnt");
        assertThat(verdict.statusCode()).isEqualTo(400);
        JsonNode error = json(verdict).get("error");
        assertThat(error.get("type").asText()).isEqualTo("bad_request");
        assertThat(error.get("message").asText())
                .isEqualTo("verdict must be one of [same, similar, different, error, uncalibrated], not 'differnt'");
        HttpResponse<String> sort = get(base + "?sort=most_similar");
        assertThat(sort.statusCode()).isEqualTo(400);
        assertThat(json(sort).at("/error/message").asText()).isEqualTo("sort must be one of [newest, least_similar], not 'most_similar'");
        HttpResponse<String> kind = get(base + "?kind=noisy");
        assertThat(kind.statusCode()).isEqualTo(400);
        assertThat(json(kind).at("/error/message").asText()).contains("candidate, noise");
    }

    @Test
    void shouldRejectAMisspeltFilterNameRatherThanAnswerWithEverything() {
        HttpResponse<String> misspelt = get(base + "?verdit=different&limit=1");
        assertThat(misspelt.statusCode()).isEqualTo(400);
        assertThat(json(misspelt).at("/error/type").asText()).isEqualTo("unknown_parameter");
        assertThat(json(misspelt).at("/error/message").asText()).contains("verdit")
                .contains("alias, candidate, kind, limit, primary, scope, sort, verdict");
    }
}
