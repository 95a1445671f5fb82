package dev.turnout.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.testing.Http;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients that hang up while a slow version thinks, or while it streams, are not the version's
 * fault: its breaker (a 4-call window here, so four wrongly counted calls would open it) hears
 * neither a failure nor a success, the upstream request is reset, and the hang-ups are counted
 * as {@code client_closed}.
 */
class ClientHangupTest extends ScriptedGatewayTest {

    private static final int CLIENTS = 20;
    private static final String STREAM = "{\"model\":\"bot\",\"stream\":true,\"messages\":[]}";
    private static final String CLOSED_METER = "turnout_requests_total{alias=\"bot\",decision=\"split\",outcome=\"client_closed\","
            + "role=\"primary\",version=\"slow\"} " + CLIENTS + ".0";

    @Override
    String routes(String upstreamUrl) {
        return String.join("\n",
                "versions:",
                "  slow: { url: '" + upstreamUrl + "', breaker: { window: 4, minimumCalls: 4, openMs: 30000 } }",
                "aliases:",
                "  bot: { split: { slow: 1 } }",
                "");
    }

    private CircuitBreaker.Metrics breakerWindow() {
        return gateway.breakers.registry().circuitBreaker("slow").getMetrics();
    }

    @Test
    void shouldNotHoldHangUpsBeforeTheAnswerAgainstTheVersion() {
        upstream.behave(request -> {}); // thinks forever
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) clients.add(RawClient.post(gateway.port(), "/v1/chat/completions", STREAM));
        upstream.awaitArrived(CLIENTS);
        clients.forEach(RawClient::close);
        upstream.awaitDropped(CLIENTS); // every abandoned generation was reset upstream

        assertThat(breakerWindow().getNumberOfBufferedCalls()).isZero();
        upstream.behave(ScriptedUpstream::answerOk);
        HttpResponse<String> next = Http.send(gateway.chat(Http.chat("bot")));
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(next.body()).isEqualTo(ScriptedUpstream.OK_BODY);
        assertThat(gateway.metrics()).contains(CLOSED_METER);
        assertThat(gateway.awaitAccessLine("\"outcome\":\"client_closed\"")).contains("\"status\":499").contains("\"alias\":\"bot\"");
    }

    @Test
    void shouldNeitherFailNorSucceedTheVersionWhenClientsHangUpMidStream() {
        upstream.behave(ScriptedUpstream.streamThenStall("data: {\"choices\":[]}\n\n"));
        List<RawClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) clients.add(RawClient.post(gateway.port(), "/v1/chat/completions", STREAM));
        for (RawClient client : clients) {
            assertThat(client.readUntil("data: {\"choices\":[]}")).startsWith("HTTP/1.1 200");
            client.close();
        }
        upstream.awaitDropped(CLIENTS);

        // Not a failure, and not a success either: twenty of those would have filled the window.
        assertThat(breakerWindow().getNumberOfBufferedCalls()).isZero();
        assertThat(gateway.breakers.registry().circuitBreaker("slow").getState()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(gateway.metrics()).contains(CLOSED_METER);
    }
}
