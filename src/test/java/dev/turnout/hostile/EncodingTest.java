package dev.turnout.hostile;

import static dev.turnout.hostile.HostileGateway.assertOpenAiError;
import static dev.turnout.hostile.HostileGateway.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 9 item 3: only UTF-8 JSON is accepted, and anything else is answered at once with 400
 * (415 for a charset other than UTF-8), before any upstream is involved.
 */
class EncodingTest extends SharedGatewayTest {

    private static final String CHAT = "{\"model\":\"bot\",\"messages\":[{\"role\":\"user\",\"content\":\"h\u00e9\"}]}";

    static Stream<Arguments> notUtf8() {
        return Stream.of(
                Arguments.of("UTF-8 with a byte order mark", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, utf8(CHAT))),
                Arguments.of("UTF-16 with a byte order mark", CHAT.getBytes(StandardCharsets.UTF_16)),
                Arguments.of("UTF-16LE without a byte order mark", CHAT.getBytes(StandardCharsets.UTF_16LE)),
                Arguments.of("UTF-32BE", CHAT.getBytes(Charset.forName("UTF-32BE"))),
                // Both pass Jackson in a string it skips: an overlong '/' and a UTF-8-encoded surrogate.
                Arguments.of("an overlong sequence", withContent(new byte[] {(byte) 0xC0, (byte) 0xAF})),
                Arguments.of("an encoded surrogate", withContent(new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80})));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notUtf8")
    void aBodyThatIsNotUtf8GetsA400AtOnce(String what, byte[] body) throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            RawConnection.Response response = client.post("/v1/chat/completions", "Content-Type: application/json", body)
                    .response();
            assertThat(assertOpenAiError(response, 400, "invalid_encoding").path("message").asText()).contains("UTF-8");
        }
        assertThat(gateway.upstreamUris()).isEmpty();
        gateway.awaitBufferedBytes(0);
    }

    @Test
    void aCharsetOtherThanUtf8Gets415() throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            RawConnection.Response response = client.post("/v1/chat/completions",
                    "Content-Type: application/json; charset=\"UTF-16\"", CHAT.getBytes(StandardCharsets.UTF_16)).response();
            assertThat(assertOpenAiError(response, 415, "unsupported_charset").path("message").asText()).contains("UTF-16");
            RawConnection.Response utf8 = client.post("/v1/chat/completions",
                    "Content-Type: application/json; charset=utf-8", utf8(CHAT)).response();
            assertThat(utf8.status()).isEqualTo(200);
        }
        gateway.awaitBufferedBytes(0);
    }

    private static byte[] withContent(byte[] raw) {
        String[] parts = CHAT.split("h\u00e9");
        return concat(concat(utf8(parts[0]), raw), utf8(parts[1]));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
