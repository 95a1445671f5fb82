package dev.turnout.hostile;

import static dev.turnout.hostile.HostileGateway.assertOpenAiError;
import static dev.turnout.hostile.HostileGateway.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 9 item 6: a body naming a top-level key twice would be routed on one value and read by
 * the upstream with the other; it is refused with 400 naming the key, and never forwarded.
 */
class DuplicateKeyTest extends SharedGatewayTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "model  | {\"model\":\"bot\",\"messages\":[],\"model\":\"other\"}",
            "stream | {\"model\":\"bot\",\"stream\":false,\"messages\":[],\"stream\":true}",
            "tools  | {\"model\":\"bot\",\"tools\":[],\"tools\":[{\"type\":\"function\"}]}"})
    void aRepeatedTopLevelKeyGets400NamingIt(String key, String body) throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            JsonNode error = assertOpenAiError(client.post("/v1/chat/completions", "", utf8(body)).response(), 400,
                    "duplicate_key");
            assertThat(error.path("param").asText()).isEqualTo(key);
            assertThat(error.path("message").asText()).contains("'" + key + "'");
        }
        assertThat(gateway.upstreamUris()).isEmpty();
    }
}
