package dev.turnout.hostile;

import static dev.turnout.hostile.HostileGateway.CHAT;
import static dev.turnout.hostile.HostileGateway.assertOpenAiError;
import static dev.turnout.hostile.HostileGateway.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 15: {@code Expect: 100-continue} is honoured only for bodies the gateway will
 * read; requests Netty cannot parse are answered in OpenAI's shape; {@code /v1/models} shows a
 * pinned client only its alias.
 */
class ProtocolEdgesTest extends SharedGatewayTest {

    @Test
    void anOversizedBodyAwaitingContinueGets413WithoutContinue() throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Length: 10000000\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            assertOpenAiError(client.response(), 413, "request_too_large");
            assertThat(client.closedByPeer()).isTrue();
        }
        try (RawConnection client = new RawConnection(gateway.port())) {
            byte[] body = utf8(CHAT);
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Length: " + body.length + "\r\n"
                    + "Expect: 100-continue\r\n\r\n");
            assertThat(client.response().status()).as("a body the gateway wants is asked for").isEqualTo(100);
            assertThat(client.send(body).response().status()).isEqualTo(200);
        }
    }

    @Test
    void anyRefusalBeforeTheBodyIsTheFinalAnswerToAClientAwaitingContinue() throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Length: 100\r\n"
                    + "Content-Type: application/json; charset=latin1\r\nExpect: 100-continue\r\n\r\n");
            assertOpenAiError(client.response(), 415, "unsupported_charset");
            assertThat(client.closedByPeer()).as("the body will never come: the connection is done").isTrue();
        }
    }

    @Test
    void aRequestLineLongerThanTheLimitGets414InOpenAiShape() throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            client.send("GET /v1/models?q=" + "a".repeat(10 * 1024) + " HTTP/1.1\r\nHost: gateway\r\n\r\n");
            assertOpenAiError(client.response(), 414, "uri_too_long");
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void headersLargerThanTheLimitGet431InOpenAiShape() throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            StringBuilder headers = new StringBuilder();
            for (int i = 0; i < 20; i++) headers.append("X-Filler-").append(i).append(": ").append("b".repeat(1024)).append("\r\n");
            client.send("GET /v1/models HTTP/1.1\r\nHost: gateway\r\n" + headers + "\r\n");
            assertOpenAiError(client.response(), 431, "headers_too_large");
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void anUnparsableRequestGets400InOpenAiShape() throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            client.send("GET /v1/models HTTP/1.1\r\nHost: gateway\r\nContent-Length: twelve\r\n\r\n");
            assertOpenAiError(client.response(), 400, "invalid_http_request");
            assertThat(client.closedByPeer()).isTrue();
        }
    }

    @Test
    void aPinnedClientSeesOnlyItsAlias() throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            client.send("GET /v1/models HTTP/1.1\r\nHost: gateway\r\nX-Turnout-Client: pinned\r\n\r\n");
            assertThat(ids(client.response().json())).containsExactly("bot");
            client.send("GET /v1/models/other HTTP/1.1\r\nHost: gateway\r\nX-Turnout-Client: pinned\r\n\r\n");
            assertOpenAiError(client.response(), 404, "model_not_found");
            client.send("GET /v1/models/bot HTTP/1.1\r\nHost: gateway\r\nX-Turnout-Client: pinned\r\n\r\n");
            assertThat(client.response().json().path("id").asText()).isEqualTo("bot");
            client.send("GET /v1/models HTTP/1.1\r\nHost: gateway\r\nX-Turnout-Client: someone-else\r\n\r\n");
            assertThat(ids(client.response().json())).containsExactlyInAnyOrder("bot", "other");
        }
    }

    private static List<String> ids(JsonNode list) {
        List<String> ids = new ArrayList<>();
        list.path("data").forEach(model -> ids.add(model.path("id").asText()));
        return ids;
    }
}
