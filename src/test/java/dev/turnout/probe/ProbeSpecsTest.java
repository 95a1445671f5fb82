package dev.turnout.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeSpecsTest {

    @Test
    void shouldReadAProbeWithItsDefaultsAndWriteItBack() {
        ProbeSpec spec = ProbeSpecs.parse("nightly", "{\"set\": \"support-golden\", \"versions\": [\"v1\", \"v2\"], \"everySeconds\": 3600}");

        assertThat(spec.versions()).containsExactly("v1", "v2");
        assertThat(spec.concurrency()).isEqualTo(ProbeSpec.DEFAULT_CONCURRENCY);
        assertThat(spec.maxTokensPerRun()).isEqualTo(ProbeSpec.DEFAULT_MAX_TOKENS);
        var tree = ProbeSpecs.toTree(spec);
        tree.remove("name");
        assertThat(ProbeSpecs.parse("nightly", tree.toString())).isEqualTo(spec);
    }

    @Test
    void shouldRunAgainstEveryVersionOfAnAliasAsTheRoutesHaveItNow() {
        RouteTable table = RouteCodec.fromYaml(String.join("\n", "versions:", "  v1: { url: 'http://127.0.0.1:1/v1' }",
                "  v2: { url: 'http://127.0.0.1:2/v1' }", "aliases:", "  bot: { split: { v1: 100, v2: 0 } }", ""));
        ProbeSpec spec = ProbeSpecs.parse("p", "{\"set\": \"s\", \"alias\": \"bot\"}");

        assertThat(spec.targets(table)).containsExactly("v1", "v2");
        assertThat(spec.withVersions(List.of("v2")).targets(table)).containsExactly("v2");
    }

    @Test
    void shouldListEveryProblem() {
        assertThatThrownBy(() -> ProbeSpecs.parse("bad name!", "{\"versions\": [\"v1\", \"v1\", 3], \"alias\": \"a\","
                + " \"concurrency\": 0, \"everySeconds\": 1.5, \"colour\": \"red\"}"))
                .isInstanceOfSatisfying(InvalidProbeException.class, e -> assertThat(e.problems()).anySatisfy(p -> assertThat(p).startsWith("name:"))
                        .anySatisfy(p -> assertThat(p).startsWith("set:"))
                        .anySatisfy(p -> assertThat(p).contains("'v1' listed twice"))
                        .anySatisfy(p -> assertThat(p).startsWith("versions[2]"))
                        .anySatisfy(p -> assertThat(p).startsWith("versions or alias"))
                        .anySatisfy(p -> assertThat(p).startsWith("concurrency:"))
                        .anySatisfy(p -> assertThat(p).startsWith("everySeconds:"))
                        .anySatisfy(p -> assertThat(p).startsWith("colour: unknown field")));
        assertThatThrownBy(() -> ProbeSpecs.parse("p", "x".repeat(20_000))).hasMessageContaining("at most");
        assertThatThrownBy(() -> ProbeSpecs.parse("p", "[1]")).hasMessageContaining("must be an object");
        assertThatThrownBy(() -> ProbeSpecs.parse("p", "{\"set\": ")).hasMessageContaining("not valid JSON");
    }
}
