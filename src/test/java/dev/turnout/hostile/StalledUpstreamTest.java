package dev.turnout.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Upstreams that send their headers and then go quiet, mid-event or between events: the answer
 * still ends within {@code timeoutMs} of silence (or {@code totalTimeoutMs}), an event stream with
 * an error event that starts on an event boundary, and the upstream request is reset.
 */
class StalledUpstreamTest extends ScriptedGatewayTest {

    private static final String HALF_LINE = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel";
    private static final String WHOLE_EVENT = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hello\"}}]}\n\n";
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Override
    String routes(String upstreamUrl) {
        return String.join("\n",
                "versions:",
                "  stalling: { url: '" + upstreamUrl + "', timeoutMs: 300 }",
                // The total limit runs from the request's arrival: long enough that the half line is
                // surely out before it, on a loaded machine too.
                "  capped: { url: '" + upstreamUrl + "', timeoutMs: 60000, totalTimeoutMs: 1000 }",
                "aliases:",
                "  stall-bot: { split: { stalling: 1 } }",
                "  capped-bot: { split: { capped: 1 } }",
                "");
    }

    /** The whole answer, body included, within 5 s: the client's own timeout only covers the headers. */
    private HttpResponse<String> send(String body) throws Exception {
        return CLIENT.sendAsync(gateway.chat(body).build(), HttpResponse.BodyHandlers.ofString()).get(5, TimeUnit.SECONDS);
    }

    private HttpResponse<String> stream(String alias) throws Exception {
        return send("{\"model\":\"" + alias + "\",\"stream\":true,\"messages\":[]}");
    }

    @Test
    void shouldEndAStreamThatFallsSilentMidLineWithAnErrorEventOfItsOwn() throws Exception {
        upstream.behave(ScriptedUpstream.streamThenStall(HALF_LINE));
        HttpResponse<String> answer = stream("stall-bot");
        assertThat(answer.statusCode()).isEqualTo(200);
        // The half line is closed as an event first, so the error is parsed as an event of its own.
        assertThat(answer.body()).startsWith(HALF_LINE + "\n\ndata: {\"error\":{")
                .contains("\"code\":\"upstream_timeout\"").contains("sent nothing for 300 ms").endsWith("}}\n\n")
                .doesNotContain("[DONE]");
        upstream.awaitDropped(1);
        assertThat(gateway.awaitAccessLine("\"alias\":\"stall-bot\"")).contains("\"outcome\":\"timeout\"");
    }

    @Test
    void shouldAddNoBlankLineWhenTheSilenceFallsBetweenEvents() throws Exception {
        upstream.behave(ScriptedUpstream.streamThenStall(WHOLE_EVENT));
        HttpResponse<String> answer = stream("stall-bot");
        assertThat(answer.body()).startsWith(WHOLE_EVENT + "data: {\"error\":{").contains("\"code\":\"upstream_timeout\"");
        upstream.awaitDropped(1);
    }

    @Test
    void shouldCutAPlainBodyThatFallsSilentAfterItsHeaders() {
        upstream.behave(request -> request.response().putHeader("content-type", "application/json")
                .putHeader("content-length", "100").write("{\"choices\":"));
        // Not a client timeout: the gateway cuts the body, which is all it can say once a 200 went out.
        assertThatThrownBy(() -> send("{\"model\":\"stall-bot\",\"messages\":[]}"))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
        upstream.awaitDropped(1);
        assertThat(gateway.awaitAccessLine("\"alias\":\"stall-bot\"")).contains("\"outcome\":\"timeout\"");
    }

    @Test
    void shouldEndAStreamPastItsTotalLimitOnAnEventBoundary() throws Exception {
        upstream.behave(ScriptedUpstream.streamThenStall(HALF_LINE));
        HttpResponse<String> answer = stream("capped-bot");
        assertThat(answer.body()).startsWith(HALF_LINE + "\n\ndata: {\"error\":{")
                .contains("\"code\":\"upstream_timeout\"").contains("total limit of 1000 ms");
        upstream.awaitDropped(1);
    }
}
