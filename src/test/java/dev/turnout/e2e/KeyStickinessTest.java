package dev.turnout.e2e;

import static dev.turnout.testing.Http.chat;
import static dev.turnout.testing.Http.post;
import static dev.turnout.testing.Http.send;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.Gateway;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An app that only changed its base URL: no {@code X-Turnout-Client}, a bearer key the table does
 * not list. Its key's hash is what keeps it on one version of a 50/50 split.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KeyStickinessTest {

    private Vertx vertx;
    private SimServer v1;
    private SimServer v2;
    private Gateway gateway;
    private String url;

    @BeforeAll
    void start() {
        vertx = Vertx.vertx();
        v1 = Fixtures.sim(vertx, "v1");
        v2 = Fixtures.sim(vertx, "v2");
        gateway = Fixtures.gateway(vertx, String.join("\n",
                "versions:",
                "  v1: { url: '" + v1.baseUrl() + "' }",
                "  v2: { url: '" + v2.baseUrl() + "' }",
                "aliases:",
                "  bot: { split: { v1: 50, v2: 50 } }",
                ""));
        url = "http://127.0.0.1:" + gateway.port() + "/v1/chat/completions";
    }

    @AfterAll
    void stop() {
        Fixtures.await(gateway.close());
        Fixtures.await(vertx.close());
    }

    private String version(HttpResponse<String> answer) {
        assertThat(answer.statusCode()).isEqualTo(200);
        return answer.headers().firstValue("x-turnout-version").orElseThrow();
    }

    @Test
    void shouldKeepOneKeyOnOneVersion() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            seen.add(version(send(post(url, chat("bot"), "authorization", "Bearer sk-abc"))));
        }
        assertThat(seen).hasSize(1);
    }

    @Test
    void shouldSpreadDifferentKeys() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            seen.add(version(send(post(url, chat("bot"), "authorization", "Bearer sk-" + i))));
        }
        assertThat(seen).containsExactlyInAnyOrder("v1", "v2");
    }

    @Test
    void shouldStillServeAndSpreadRequestsWithoutAKey() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 40; i++) {
            seen.add(version(send(post(url, chat("bot")))));
        }
        assertThat(seen).containsExactlyInAnyOrder("v1", "v2");
    }
}
