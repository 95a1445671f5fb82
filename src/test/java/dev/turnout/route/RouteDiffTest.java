package dev.turnout.route;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouteDiffTest {

    private static final String BASE = String.join("\n",
            "revision: 3",
            "versions:",
            "  support-v1: { url: 'http://127.0.0.1:1/v1' }",
            "  support-v2: { url: 'http://127.0.0.1:2/v1' }",
            "aliases:",
            "  support-bot: { split: { support-v1: 90, support-v2: 10 }, fallback: support-v1 }",
            "");

    private static RouteTable table(String yaml) {
        return RouteCodec.fromYaml(yaml);
    }

    private static String text(List<RouteDiff.Change> changes) {
        return RouteDiff.toJson(changes).toString();
    }

    @Test
    void shouldNameAChangedWeightByItsPath() {
        List<RouteDiff.Change> changes = RouteDiff.between(table(BASE), table(BASE.replace("support-v2: 10", "support-v2: 50")));
        assertThat(text(changes)).isEqualTo("[{\"path\":\"aliases.support-bot.split.support-v2\",\"from\":10,\"to\":50}]");
    }

    @Test
    void shouldReportAddedAndRemovedFieldsWithNull() {
        RouteTable after = table(BASE.replace(", fallback: support-v1", "")
                .replace("  support-v2: { url: 'http://127.0.0.1:2/v1' }",
                        "  support-v2: { url: 'http://127.0.0.1:2/v1' }\n  support-v3: { url: 'http://127.0.0.1:3/v1' }"));
        List<RouteDiff.Change> changes = RouteDiff.between(table(BASE), after);
        assertThat(changes).extracting(RouteDiff.Change::path)
                .containsExactly("versions.support-v3", "aliases.support-bot.fallback");
        assertThat(changes.get(0).from().isNull()).isTrue();
        assertThat(changes.get(0).to().get("url").asText()).isEqualTo("http://127.0.0.1:3/v1");
        assertThat(changes.get(1).from().asText()).isEqualTo("support-v1");
        assertThat(changes.get(1).to().isNull()).isTrue();
    }

    @Test
    void shouldIgnoreTheRevisionAndDefaultsWrittenOut() {
        String explicit = BASE.replace("revision: 3", "revision: 9")
                .replace("'http://127.0.0.1:1/v1' }", "'http://127.0.0.1:1/v1', timeoutMs: " + ModelVersion.DEFAULT_TIMEOUT_MS + " }");
        assertThat(RouteDiff.between(table(BASE), table(explicit))).isEmpty();
    }

    @Test
    void shouldCompareAShadowListWhole() {
        RouteTable before = table(BASE.replace("fallback: support-v1", "shadow: [{ version: support-v2, sample: 0.1 }]"));
        RouteTable after = table(BASE.replace("fallback: support-v1", "shadow: [{ version: support-v2, sample: 0.5 }]"));
        List<RouteDiff.Change> changes = RouteDiff.between(before, after);
        assertThat(changes).singleElement().satisfies(change -> {
            assertThat(change.path()).isEqualTo("aliases.support-bot.shadow");
            JsonNode to = change.to();
            assertThat(to.get(0).get("sample").asDouble()).isEqualTo(0.5);
        });
    }

    @Test
    void shouldNameAnAddedAliasWhole() {
        RouteTable after = table(BASE + "  canary: { split: { support-v2: 1 } }\n");
        assertThat(RouteDiff.between(table(BASE), after)).extracting(RouteDiff.Change::path).containsExactly("aliases.canary");
    }
}
