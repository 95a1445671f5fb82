package dev.turnout.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.resilience.Breakers;
import dev.turnout.route.InvalidRoutesException;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RoutePolicy;
import dev.turnout.route.RouteTable;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Route documents written to hurt: each is refused at write time with every bad field named. */
class HostileRoutesTest {

    private static final String V1 = "v1: { url: 'http://127.0.0.1:9/v1' }";

    private static List<String> errors(String yaml) {
        try {
            RouteCodec.fromYaml(yaml);
        } catch (InvalidRoutesException e) {
            return e.errors();
        }
        throw new AssertionError("accepted:\n" + yaml);
    }

    private static String version(String settings) {
        return "versions:\n  v1: { url: 'http://127.0.0.1:9/v1', " + settings + " }\n";
    }

    @Test
    void shouldRefuseABreakerWindowThatNarrowsOrAllocatesWithoutBound() {
        assertThat(errors(version("breaker: { window: 4294967301, minimumCalls: 5 }")))
                .containsExactly("versions.v1.breaker.window: must be a whole number from 1 to 1000, got 4294967301");
        assertThat(errors(version("breaker: { window: 2147483647 }")))
                .containsExactly("versions.v1.breaker.window: must be a whole number from 1 to 1000, got 2147483647");
        assertThat(errors(version("breaker: { window: 20, minimumCalls: 21 }")))
                .containsExactly("versions.v1.breaker.minimumCalls: must be a whole number from 1 to 20, got 21");

        // The edges of every breaker range build a Resilience4j breaker: nothing accepted fails at request time.
        for (String edge : List.of("{ failureRatePercent: 1, window: 1000, minimumCalls: 1000, openMs: 3600000 }",
                "{ failureRatePercent: 100, window: 1, minimumCalls: 1, openMs: 1 }")) {
            ModelVersion v1 = RouteCodec.fromYaml(version("breaker: " + edge)).version("v1");
            assertThat(new Breakers(Clock.systemUTC()).tryAcquire(v1)).as(edge).isTrue();
        }
    }

    @Test
    void shouldRefuseEveryOutOfRangeNumberAtOnceNamingItsField() {
        List<String> errors = errors(String.join("\n",
                "revision: 1.5",
                "versions:",
                "  v1: { url: 'http://127.0.0.1:9/v1', timeoutMs: 999999999999, totalTimeoutMs: -1,",
                "        breaker: { failureRatePercent: 0.5, openMs: 99999999999999999999 } }",
                "  v2: { url: 'http://127.0.0.1:9/v1', timeoutMs: 1000.0 }",
                "aliases:",
                "  bot: { split: { v1: 10000000, v2: 1.0e+400 }, shadow: [ { version: v2, sample: -0.5 } ], noiseSample: 1.01 }",
                ""));
        assertThat(errors).containsExactlyInAnyOrder(
                "revision: must be a whole number from 0 to 9007199254740991, got 1.5",
                "versions.v1.timeoutMs: must be a whole number from 1 to 3600000, got 999999999999",
                "versions.v1.totalTimeoutMs: must be a whole number from 0 to 86400000, got -1",
                "versions.v1.breaker.failureRatePercent: must be a number from 1 to 100, got 0.5",
                "versions.v1.breaker.openMs: must be a whole number from 1 to 3600000, got 99999999999999999999",
                "versions.v2.timeoutMs: must be a whole number from 1 to 3600000, got 1000.0",
                "aliases.bot.split.v1: must be a number from 0 to 1000000, got 1.0E7",
                "aliases.bot.split.v2: must be a number from 0 to 1000000, got Infinity",
                "aliases.bot.shadow[0].sample: must be between 0 and 1, got -0.5",
                "aliases.bot.noiseSample: must be between 0 and 1, got 1.01");
    }

    @Test
    void shouldCapCountsLengthsAndUrlShapes() {
        String shadows = IntStream.range(0, 11).mapToObj(i -> "{ version: v1 }").collect(Collectors.joining(", "));
        String split = IntStream.range(0, 101).mapToObj(i -> "v1x" + i + ": 1").collect(Collectors.joining(", "));
        List<String> errors = errors(String.join("\n",
                "versions:",
                "  " + V1,
                "  long: { url: 'http://127.0.0.1:9/" + "p".repeat(3_000) + "', model: '" + "m".repeat(300) + "' }",
                "  creds: { url: 'http://user:pw@127.0.0.1:9/v1' }",
                "  port: { url: 'http://127.0.0.1:99999/v1' }",
                "  query: { url: 'http://127.0.0.1:9/v1?key=sk-1' }",
                "aliases:",
                "  many-shadows: { split: { long: 1 }, shadow: [ " + shadows + " ] }",
                "  header: { split: { v1: 1 }, sticky: 'header:X Tenant' }",
                "  wide: { split: { " + split + " } }",
                ""));
        assertThat(errors).contains(
                "versions.long.url: at most 2048 characters, got 3019",
                "versions.long.model: at most 256 characters, got 300",
                "versions.port.url: port must be from 1 to 65535, got 99999",
                "aliases.many-shadows.shadow: at most 10 shadows, got 11",
                "aliases.wide.split: at most 100 versions, got 101");
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("versions.creds.url: must not carry credentials"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("versions.query.url: must not have a query"));
        assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("aliases.header.sticky: the header name must be an HTTP token"));

        String tooMany = IntStream.range(0, 10_001).mapToObj(i -> "\"v" + i + "\":{\"url\":\"http://127.0.0.1:9/v1\"}")
                .collect(Collectors.joining(",", "{\"versions\":{", "}}"));
        assertThatThrownBy(() -> RouteCodec.fromJson(tooMany)).isInstanceOfSatisfying(InvalidRoutesException.class,
                e -> assertThat(e.errors()).containsExactly("versions: at most 10000 versions, got 10001"));
    }

    @Test
    void shouldListAHundredProblemsAndCountTheRest() {
        String bad = IntStream.range(0, 500).mapToObj(i -> "\"v" + i + "\":{\"url\":\"ftp://x\"}")
                .collect(Collectors.joining(",", "{\"versions\":{", "}}"));
        assertThatThrownBy(() -> RouteCodec.fromJson(bad)).isInstanceOfSatisfying(InvalidRoutesException.class, e -> {
            assertThat(e.errors()).hasSize(101);
            assertThat(e.errors().get(100)).isEqualTo("... and 400 more problem(s) not listed; fix these first");
        });
    }

    @Test
    void shouldLetOnlyAllowedVariablesHoldUpstreamKeys() {
        // The gateway's own settings are refused even by code that does not know the deployment's allow-list.
        assertThat(errors(version("apiKeyEnv: TURNOUT_ADMIN_TOKEN"))).singleElement().asString()
                .startsWith("versions.v1.apiKeyEnv: 'TURNOUT_ADMIN_TOKEN' is one of the gateway's own settings");

        RoutePolicy defaults = new RoutePolicy(List.of("*_API_KEY"));
        assertThatThrownBy(() -> RouteCodec.fromYaml(version("apiKeyEnv: JAVA_TOOL_OPTIONS"), defaults))
                .hasMessageContaining("versions.v1.apiKeyEnv: 'JAVA_TOOL_OPTIONS' is not an allowed key variable:"
                        + " server.apiKeyEnvAllowed is [*_API_KEY]");
        assertThat(RouteCodec.fromYaml(version("apiKeyEnv: OPENAI_API_KEY"), defaults).version("v1").apiKeyEnv())
                .isEqualTo("OPENAI_API_KEY");

        RoutePolicy globs = new RoutePolicy(List.of("LLM_?_KEY", "VLLM.*"));
        assertThat(globs.allowsKeyEnv("LLM_A_KEY")).isTrue();
        assertThat(globs.allowsKeyEnv("LLM_AB_KEY")).isFalse();
        assertThat(globs.allowsKeyEnv("VLLMX")).as("'.' is literal, not a regex").isFalse();
        RoutePolicy everything = new RoutePolicy(List.of("*"));
        assertThat(everything.allowsKeyEnv("TURNOUT_REDIS_URI")).isFalse();
        assertThat(everything.allowsKeyEnv("TURNOUT_SOMETHING_NEW")).isFalse();
        assertThat(new RoutePolicy(List.of()).allowsKeyEnv("OPENAI_API_KEY")).isFalse();

        List<String> read = new ArrayList<>();
        Function<String, String> environment = defaults.guard(name -> {
            read.add(name);
            return "value of " + name;
        });
        assertThat(environment.apply("JAVA_TOOL_OPTIONS")).isNull();
        assertThat(environment.apply("TURNOUT_ADMIN_TOKEN")).isNull();
        assertThat(environment.apply("OPENAI_API_KEY")).isEqualTo("value of OPENAI_API_KEY");
        assertThat(read).containsExactly("OPENAI_API_KEY");
    }

    @Test
    void shouldRoundTripATableAtTheEdgeOfEveryRange() {
        RouteTable table = RouteCodec.fromYaml(String.join("\n",
                "revision: 9007199254740991",
                "versions:",
                "  v1: { url: 'http://127.0.0.1:65535/v1', timeoutMs: 3600000, totalTimeoutMs: 86400000,",
                "        breaker: { failureRatePercent: 1, window: 1000, minimumCalls: 1000, openMs: 3600000 } }",
                "  v2: { url: 'http://127.0.0.1:1/v1', timeoutMs: 1 }",
                "aliases:",
                "  bot: { split: { v1: 1000000, v2: 0 }, shadow: [ { version: v2, sample: 0 } ], noiseSample: 1 }",
                ""));
        assertThat(RouteCodec.fromJson(RouteCodec.toJson(table))).isEqualTo(table);
        assertThatThrownBy(() -> RouteCodec.fromJson(RouteCodec.toJson(table).replace("9007199254740991", "9007199254740992")))
                .hasMessageContaining("revision: must be a whole number from 0 to 9007199254740991");
    }
}
