package dev.turnout.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouteCodecTest {

    private static final String KEY = "a".repeat(64);
    private static final String DESIGN_EXAMPLE = String.join("\n",
            "versions:",
            "  support-v1: { url: \"http://127.0.0.1:9101/v1\", model: \"ft:support:v1\", apiKeyEnv: OPENAI_API_KEY, timeoutMs: 60000 }",
            "  support-v2: { url: \"http://127.0.0.1:9102/v1\", model: \"ft:support:v2\" }",
            "  support-v3: { url: \"https://models.example.com/v1\", model: \"ft:support:v3\", passAuth: true,",
            "                breaker: { failureRatePercent: 25, window: 40, minimumCalls: 20, openMs: 5000 } }",
            "aliases:",
            "  support-bot:",
            "    split:  { support-v1: 90, support-v2: 10 }",
            "    sticky: client",
            "    pins:   { beta-tester-7: support-v2 }",
            "    shadow: [ { version: support-v3, sample: 0.25 } ]",
            "    noiseSample: 0.05",
            "    fallback: support-v1",
            "  by-tenant: { split: { support-v1: 1 }, sticky: 'header:X-Tenant' }",
            "clients:",
            "  acme-web: { alias: support-bot, keySha256: \"" + KEY + "\" }",
            "");

    @Test
    void shouldReadEveryFieldOfTheDesignExample() {
        RouteTable table = RouteCodec.fromYaml(DESIGN_EXAMPLE);
        ModelVersion v1 = table.version("support-v1");
        assertThat(v1.url().toString()).isEqualTo("http://127.0.0.1:9101/v1");
        assertThat(v1.model()).isEqualTo("ft:support:v1");
        assertThat(v1.apiKeyEnv()).isEqualTo("OPENAI_API_KEY");
        assertThat(v1.timeoutMs()).isEqualTo(60_000);
        assertThat(v1.basePath()).isEqualTo("/v1");
        assertThat(table.version("support-v2").timeoutMs()).isEqualTo(ModelVersion.DEFAULT_TIMEOUT_MS);
        assertThat(table.version("support-v3").passAuth()).isTrue();
        assertThat(table.version("support-v3").port()).isEqualTo(443);
        assertThat(table.version("support-v3").breaker()).isEqualTo(new BreakerPolicy(25, 40, 20, 5000));
        assertThat(v1.breaker()).isEqualTo(BreakerPolicy.DEFAULT);
        Alias alias = table.alias("support-bot");
        assertThat(alias.split()).isEqualTo(Map.of("support-v1", 90.0, "support-v2", 10.0));
        assertThat(alias.sticky()).isEqualTo(Sticky.CLIENT);
        assertThat(alias.pins()).isEqualTo(Map.of("beta-tester-7", "support-v2"));
        assertThat(alias.shadows()).containsExactly(new Shadow("support-v3", 0.25));
        assertThat(alias.noiseSample()).isEqualTo(0.05);
        assertThat(alias.fallback()).isEqualTo("support-v1");
        assertThat(table.alias("by-tenant").sticky()).isEqualTo(Sticky.header("X-Tenant"));
        assertThat(table.client("acme-web")).isEqualTo(new Client("acme-web", "support-bot", KEY));
        assertThat(table.clientByKeySha256(KEY).id()).isEqualTo("acme-web");
    }

    @Test
    void shouldRoundTripThroughJson() {
        RouteTable table = RouteCodec.fromYaml(DESIGN_EXAMPLE).withRevision(7);
        RouteTable again = RouteCodec.fromJson(RouteCodec.toJson(table));
        assertThat(again).isEqualTo(table);
        assertThat(again.revision()).isEqualTo(7);
    }

    @Test
    void shouldReportEveryProblemOfADocumentAtOnceEachNamingItsField() {
        String broken = String.join("\n",
                "versions:",
                "  v1: { url: 'ftp://host/v1', timeoutMs: 'soon', colour: blue }",
                "  'bad name!': { url: 'http://127.0.0.1:1/v1' }",
                "  v2: { url: 'http://127.0.0.1:2/v1', apiKeyEnv: 'sk-live-123', breaker: { failureRatePercent: 0, window: 0, colour: 1 } }",
                "aliases:",
                "  bot:",
                "    split: { v1: -5, v9: 1 }",
                "    sticky: sometimes",
                "    pins: { tester: v8 }",
                "    shadow: [ { version: v7, sample: 1.5 } ]",
                "    noiseSample: -0.1",
                "    fallback: v6",
                "  zero: { split: { v2: 0 } }",
                "  only: { split: { v2: 1 }, shadow: [ { version: v2 } ] }",
                "clients:",
                "  c1: { alias: nobody, keySha256: 'XYZ' }",
                "");
        assertThatThrownBy(() -> RouteCodec.fromYaml(broken)).isInstanceOfSatisfying(InvalidRoutesException.class, e -> {
            List<String> errors = e.errors();
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("versions.v1.colour: unknown key"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("versions.v1.timeoutMs: must be a whole number"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("versions.v1.url: must be an absolute http(s) URL"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("versions.bad name!: name 'bad name!' must match"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("versions.v2.apiKeyEnv: must name an environment variable"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("versions.v2.breaker.colour: unknown key"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("versions.v2.breaker.failureRatePercent: must be a number from 1 to 100"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("versions.v2.breaker.window: must be a whole number from 1 to 1000"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("aliases.bot.split.v1: must be a number from 0 to 1000000"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("aliases.bot.split.v9: no version named 'v9'"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("aliases.bot.sticky: must be client | user | header:<Name> | none"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("aliases.bot.pins.tester: no version named 'v8'"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("aliases.bot.shadow[0].version: no version named 'v7'"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("aliases.bot.shadow[0].sample: must be between 0 and 1"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("aliases.bot.noiseSample: must be between 0 and 1"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("aliases.bot.fallback: no version named 'v6'"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("aliases.zero.split: weights must not all be zero"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("aliases.only.shadow[0].version: 'v2' is the alias's only split version"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("clients.c1.alias: no alias named 'nobody'"));
            assertThat(errors).anySatisfy(m -> assertThat(m).startsWith("clients.c1.keySha256: must be 64 lowercase hex digits"));
        });
    }

    @Test
    void shouldRejectWrongTypesAndUnknownTopLevelKeys() {
        assertThatThrownBy(() -> RouteCodec.fromYaml("versions: []\nroutes: {}\n"))
                .isInstanceOfSatisfying(InvalidRoutesException.class, e -> assertThat(e.errors())
                        .anySatisfy(m -> assertThat(m).startsWith("versions: must be a map"))
                        .anySatisfy(m -> assertThat(m).startsWith("routes: unknown key")));
        assertThatThrownBy(() -> RouteCodec.fromYaml("aliases: { a: { split: { v: 'ten' } } }"))
                .hasMessageContaining("aliases.a.split.v: weight must be a number");
        assertThatThrownBy(() -> RouteCodec.fromJson("{\"versions\":")).hasMessageContaining("not valid JSON");
    }

    @Test
    void shouldParseAndPrintStickyModes() {
        for (String text : List.of("client", "user", "none", "header:X-Tenant")) {
            assertThat(Sticky.parse(text).toString()).isEqualTo(text);
        }
        assertThat(Sticky.parse("header:")).isNull();
        assertThat(Sticky.parse("random")).isNull();
    }
}
