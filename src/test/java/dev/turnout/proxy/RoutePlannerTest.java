package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.route.VersionSelector;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RoutePlannerTest {

    private static final RouteTable TABLE = RouteCodec.fromYaml(String.join("\n",
            "versions:",
            "  v1: { url: 'http://127.0.0.1:1/v1', model: 'ft:v1' }",
            "  v2: { url: 'http://127.0.0.1:2/v1', model: 'ft:v2' }",
            "  v3: { url: 'http://127.0.0.1:3/v1', model: 'ft:v3' }",
            "aliases:",
            "  bot:   { split: { v1: 50, v2: 50 }, pins: { tester: v3 } }",
            "  users: { split: { v1: 50, v2: 50 }, sticky: user }",
            "  byhdr: { split: { v1: 50, v2: 50 }, sticky: 'header:X-Tenant' }",
            "  other: { split: { v2: 1 } }",
            "clients:",
            "  kiosk: { alias: other }",
            ""));

    private final RoutePlanner planner = new RoutePlanner(VersionSelector.rendezvous());

    private static InspectedRequest request(String model, String user) {
        return new InspectedRequest(model, 0, 0, user, false, null);
    }

    @Test
    void shouldPreferTheAliasPinOverTheSplit() {
        RouteDecision decision = planner.plan(TABLE, new ClientIdentity("tester", null), request("bot", null), h -> null);
        assertThat(decision.version().id()).isEqualTo("v3");
        assertThat(decision.kind()).isEqualTo(RouteDecision.Kind.PIN);
    }

    @Test
    void shouldRouteAPinnedClientToItsAliasWhateverTheModelSays() {
        RouteDecision decision = planner.plan(TABLE, new ClientIdentity("kiosk", TABLE.client("kiosk")),
                request("bot", null), h -> null);
        assertThat(decision.alias().name()).isEqualTo("other");
        assertThat(decision.version().id()).isEqualTo("v2");
    }

    @Test
    void shouldAnswerModelNotFoundForAnUnknownAlias() {
        assertThatThrownBy(() -> planner.plan(TABLE, ClientIdentity.ANONYMOUS, request("gpt-5", null), h -> null))
                .isInstanceOfSatisfying(RoutePlanner.PlanException.class, e -> {
                    assertThat(e.error().status()).isEqualTo(404);
                    assertThat(e.error().code()).isEqualTo("model_not_found");
                    assertThat(e.error().message()).contains("gpt-5");
                });
    }

    @Test
    void shouldKeepEachStickyKeyOnOneVersion() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            ClientIdentity client = new ClientIdentity("client-" + i, null);
            String first = planner.plan(TABLE, client, request("bot", null), h -> null).version().id();
            for (int again = 0; again < 3; again++) {
                assertThat(planner.plan(TABLE, client, request("bot", null), h -> null).version().id()).isEqualTo(first);
            }
            seen.add(first);
        }
        assertThat(seen).containsExactlyInAnyOrder("v1", "v2");
    }

    @Test
    void shouldStickByUserOrHeaderWhenTheAliasSaysSo() {
        for (int i = 0; i < 100; i++) {
            String user = "user-" + i;
            String byUser = planner.plan(TABLE, new ClientIdentity("c-" + i, null), request("users", user), h -> null).version().id();
            assertThat(planner.plan(TABLE, new ClientIdentity("other-" + i, null), request("users", user), h -> null)
                    .version().id()).isEqualTo(byUser);
            Map<String, String> headers = Map.of("X-Tenant", "tenant-" + i);
            String byHeader = planner.plan(TABLE, ClientIdentity.ANONYMOUS, request("byhdr", null), headers::get).version().id();
            assertThat(planner.plan(TABLE, new ClientIdentity("x", null), request("byhdr", null), headers::get)
                    .version().id()).isEqualTo(byHeader);
        }
    }

    @Test
    void shouldSpreadRequestsWithoutAStickyKeyAcrossTheSplit() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            seen.add(planner.plan(TABLE, ClientIdentity.ANONYMOUS, request("bot", null), h -> null).version().id());
        }
        assertThat(seen).containsExactlyInAnyOrder("v1", "v2");
    }

    @Test
    void shouldStickByTheKeyHashWhenThereIsNoClientId() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            ClientIdentity keyed = new ClientIdentity(null, null, ClientIdentity.sha256Hex("sk-" + i));
            String version = planner.plan(TABLE, keyed, request("bot", null), h -> null).version().id();
            for (int again = 0; again < 5; again++) {
                assertThat(planner.plan(TABLE, keyed, request("bot", null), h -> null).version().id())
                        .as("key %d again", i).isEqualTo(version);
            }
            seen.add(version);
        }
        assertThat(seen).containsExactlyInAnyOrder("v1", "v2");
    }
}
