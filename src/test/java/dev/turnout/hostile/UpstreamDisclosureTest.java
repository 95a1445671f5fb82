package dev.turnout.hostile;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Error answers name the model version, never where it runs: hosts and ports go to the access log. */
class UpstreamDisclosureTest {

    private Vertx vertx;
    private GatewayUnderTest gateway;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        gateway = new GatewayUnderTest(vertx, String.join("\n",
                "versions:",
                "  gone: { url: 'http://localhost:1/v1' }",
                "aliases:",
                "  gone-bot: { split: { gone: 1 } }",
                ""));
    }

    @AfterEach
    void stop() {
        gateway.close();
        await(vertx.close());
    }

    @Test
    void shouldNotNameTheUnreachableUpstreamToTheClient() {
        HttpResponse<String> answer = Http.send(gateway.chat(Http.chat("gone-bot")));
        assertThat(answer.statusCode()).isEqualTo(502);
        assertThat(Http.json(answer).at("/error/code").asText()).isEqualTo("upstream_unreachable");
        assertThat(answer.body()).contains("'gone'").doesNotContain("localhost").doesNotContain("127.0.0.1")
                .doesNotContain(":1").doesNotContain("/v1");
        assertThat(gateway.awaitAccessLine("\"alias\":\"gone-bot\"")).contains("\"upstreamError\":\"").contains("Connection refused");
    }
}
