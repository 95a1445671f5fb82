package dev.turnout.hostile;

import static dev.turnout.hostile.HostileGateway.CHAT;
import static dev.turnout.hostile.HostileGateway.assertOpenAiError;
import static dev.turnout.hostile.HostileGateway.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9 item 14: the path goes upstream with the gateway's key, so a target that could resolve
 * elsewhere (dot segments, encoded separators, {@code //}, backslashes, {@code ;}, absolute-form) is refused
 * with 400 and never reaches the upstream.
 */
class RequestTargetTest extends SharedGatewayTest {

    @ParameterizedTest
    @ValueSource(strings = {
            "/v1/../../admin/x",
            "/v1/chat/completions/..",
            "/v1/./chat/completions",
            "/v1/%2e%2e/%2E%2E/admin/x",
            "/v1/chat%2fcompletions",
            "/v1/chat%5Ccompletions",
            "/v1//chat/completions",
            "/v1/chat\\..\\completions",
            "/v1/..;/admin/x",
            "http://evil/v1/chat/completions",
            "//evil/v1/chat/completions"})
    void aTargetThatCouldResolveElsewhereGets400(String target) throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            RawConnection.Response response = client.post(target, "", utf8(CHAT)).response();
            assertOpenAiError(response, 400, "invalid_path");
        }
        assertThat(gateway.upstreamUris()).isEmpty();
    }

    @Test
    void ofARefusedAndANormalTargetOnlyTheNormalOneReachesTheUpstreamWithItsQueryUntouched() throws IOException {
        try (RawConnection client = new RawConnection(gateway.port())) {
            assertThat(client.post("/v1/chat/../chat/completions", "", utf8(CHAT)).response().status()).isEqualTo(400);
        }
        try (RawConnection client = new RawConnection(gateway.port())) {
            assertThat(client.post("/v1/chat/completions?note=../x%2f", "", utf8(CHAT)).response().status()).isEqualTo(200);
        }
        assertThat(gateway.upstreamUris()).containsExactly("/v1/chat/completions?note=../x%2f");
    }
}
