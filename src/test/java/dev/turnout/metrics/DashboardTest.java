package dev.turnout.metrics;

import static dev.turnout.testing.Http.chat;
import static dev.turnout.testing.Http.post;
import static dev.turnout.testing.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.Gateway;
import dev.turnout.proxy.AccessLog;
import dev.turnout.resilience.Breakers;
import dev.turnout.route.RouteCodec;
import dev.turnout.sim.SimServer;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The shipped Grafana dashboard asks for series a running gateway exports. A query on a name no
 * one exports (Vert.x 4's pool meter, say) draws an empty panel that looks like a quiet system.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardTest {

    private static final Pattern METRIC = Pattern.compile("\\b((?:turnout|vertx|jvm)_[a-z0-9_]+)");

    /**
     * Exported series that only appear once something happens, and the meter name that declares
     * each: a breaker changing state, a shadow dropped, a pair scored semantically (off in tests), a
     * rollout active (its weight), a probe run (its pass ratio and drift, one series per probe and version).
     */
    private static final Map<String, String> AFTER_AN_EVENT = Map.of(
            "turnout_breaker_transitions_total", "turnout_breaker_transitions",
            "turnout_shadow_dropped_total", "turnout_shadow_dropped",
            "turnout_semantic_pairs_total", "turnout_semantic_pairs_total",
            "turnout_semantic_skipped_total", "turnout_semantic_skipped_total",
            "turnout_semantic_seconds_sum", "turnout_semantic_seconds",
            "turnout_semantic_seconds_count", "turnout_semantic_seconds",
            "turnout_rollout_weight", "turnout_rollout_weight",
            "turnout_probe_pass_ratio", "turnout_probe_pass_ratio",
            "turnout_probe_drift", "turnout_probe_drift");

    private final JsonNode dashboard = read();
    private Vertx vertx;
    private SimServer primary;
    private SimServer candidate;
    private Gateway gateway;
    private Set<String> exported;

    private static JsonNode read() {
        try {
            return new ObjectMapper().readTree(Files.readString(Path.of("conf/grafana-dashboard.json")));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @BeforeAll
    void start() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // As `serve` builds it: Vert.x's meters in the registry /metrics shows.
        vertx = VertxMeters.vertx(2, registry, true);
        primary = Fixtures.sim(vertx, "v1");
        candidate = Fixtures.sim(vertx, "v2");
        gateway = Fixtures.await(Gateway.start(vertx, Fixtures.config(false, 4L << 20), RouteStore.memory(100),
                RouteCodec.fromYaml("versions: { v1: { url: '" + primary.baseUrl() + "' }, v2: { url: '" + candidate.baseUrl() + "' } }\n"
                        + "aliases: { bot: { split: { v1: 1 }, shadow: [ { version: v2, sample: 1.0 } ] } }\n"),
                Map.<String, String>of()::get, Breakers.withDefaults(), AccessLog.disabled(), registry));
        assertThat(send(post("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions", chat("bot"))).statusCode())
                .isEqualTo(200);
        // The shadow's pair is compared off the request's path: wait for its verdict to be counted.
        long deadline = System.nanoTime() + 10_000_000_000L;
        do {
            exported = exported();
        } while (!exported.contains("turnout_diffs_total") && System.nanoTime() < deadline);
    }

    private Set<String> exported() {
        Set<String> names = new TreeSet<>();
        Http.get("http://127.0.0.1:" + gateway.adminPort() + "/metrics").body().lines()
                .filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }

    private Set<String> queried() {
        Set<String> names = new TreeSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                Matcher name = METRIC.matcher(target.path("expr").asText());
                while (name.find()) names.add(name.group(1));
            }
        }
        return names;
    }

    @AfterAll
    void stop() {
        Fixtures.await(gateway.close());
        Fixtures.await(vertx.close());
    }

    @Test
    void shouldQueryOnlyMetricsTheGatewayExports() {
        Set<String> queried = queried();
        assertThat(queried).contains("vertx_pool_queue_pending", "turnout_requests_total", "turnout_diffs_total");
        Set<String> notYet = new TreeSet<>(queried);
        notYet.removeAll(exported);
        // Only meters that need an event this test does not cause may be missing, and those must
        // still be meters the gateway declares (a misspelt or removed name is caught either way).
        assertThat(notYet).as("queried but not exported after a request and a shadow diff")
                .isSubsetOf(AFTER_AN_EVENT.keySet());
        String sources = mainSources();
        AFTER_AN_EVENT.keySet().forEach(name -> assertThat(sources).as(name).contains("\"" + AFTER_AN_EVENT.get(name) + "\""));
    }

    @Test
    void shouldFilterByAliasAndInstance() {
        Set<String> variables = new TreeSet<>();
        dashboard.path("templating").path("list").forEach(variable -> variables.add(variable.path("name").asText()));
        assertThat(variables).contains("datasource", "alias", "instance");
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                String expr = target.path("expr").asText();
                assertThat(expr).as(panel.path("title").asText()).contains("instance=~\"$instance\"");
                if (expr.contains("turnout_requests_total") || expr.contains("turnout_diffs_total")) {
                    // Or, with requests the gateway refused before routing, also the alias they are counted under:
                    // they belong to no alias the selector lists, and must not vanish when one is picked.
                    assertThat(expr).as(panel.path("title").asText())
                            .containsAnyOf("alias=~\"$alias\"", "alias=~\"$alias|" + MetricLabels.NONE + "\"");
                }
            }
        }
    }

    @Test
    void shouldShowZeroErrorShareWhenThereAreNoErrors() {
        // The one request above succeeded: no error series exists, yet the panel must draw 0.
        JsonNode errorShare = null;
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("title").asText().startsWith("Error share")) errorShare = panel;
        }
        assertThat(errorShare).isNotNull();
        assertThat(errorShare.path("targets").get(0).path("expr").asText()).endsWith(" or on() vector(0)");
    }

    private static String mainSources() {
        try (var files = Files.walk(Path.of("src/main/java"))) {
            StringBuilder all = new StringBuilder();
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) all.append(Files.readString(file));
            return all.toString();
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
