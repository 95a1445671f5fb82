package dev.turnout.hostile;

import static dev.turnout.hostile.HostileGateway.CHAT;
import static dev.turnout.hostile.HostileGateway.assertOpenAiError;
import static dev.turnout.hostile.HostileGateway.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9 item 2: clients that send slowly, partly or not at all cannot hold connections past
 * their deadlines, nor make the gateway buffer more request bodies than its budget.
 */
class SlowClientTest {

    private static final long LONG = 10_000;
    private static final int MAX_BODY = 64 * 1024;

    private HostileGateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) gateway.close();
    }

    @Test
    void headersDribbledPastTheHeaderTimeoutLoseTheConnection() throws IOException {
        gateway = HostileGateway.start(HostileGateway.settings(300, LONG, LONG, MAX_BODY, 0));
        try (RawConnection slowloris = new RawConnection(gateway.port())) {
            assertThat(dribbleHeadersUntilClosed(slowloris)).as("closed within 5 s by a 300 ms header timeout").isTrue();
        }
    }

    @Test
    void aKeptAliveConnectionMustSendItsNextHeadInTimeToo() throws IOException {
        gateway = HostileGateway.start(HostileGateway.settings(300, LONG, LONG, MAX_BODY, 0));
        try (RawConnection client = new RawConnection(gateway.port())) {
            assertThat(client.post("/v1/chat/completions", "", utf8(CHAT)).response().status()).isEqualTo(200);
            assertThat(dribbleHeadersUntilClosed(client)).as("closed within 5 s by a 300 ms header timeout").isTrue();
        }
    }

    /** Sends a request head one header line every 50 ms, never finishing it; true once the gateway closes. */
    private static boolean dribbleHeadersUntilClosed(RawConnection slowloris) throws IOException {
        slowloris.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n");
        // The read timeout paces the lines: the connection is never idle and its head never complete.
        slowloris.readTimeout(50);
        long deadline = System.nanoTime() + 5_000_000_000L;
        for (int line = 0; System.nanoTime() < deadline; line++) {
            try {
                slowloris.send("X-Dribble-" + line + ": x\r\n");
                if (slowloris.read() < 0) return true;
            } catch (SocketTimeoutException stillOpen) {
                // the gateway is still listening: dribble on
            } catch (IOException reset) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aStalledBodyGets408AndLosesItsConnectionAndItsBuffer() throws IOException {
        gateway = HostileGateway.start(HostileGateway.settings(LONG, 300, LONG, MAX_BODY, 0));
        try (RawConnection client = new RawConnection(gateway.port())) {
            byte[] body = utf8(CHAT);
            client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Length: " + body.length + "\r\n\r\n")
                    .send(Arrays.copyOf(body, body.length - 1));
            assertOpenAiError(client.response(), 408, "request_timeout");
            assertThat(client.closedByPeer()).isTrue();
        }
        gateway.awaitBufferedBytes(0);
        assertThat(gateway.upstreamUris()).isEmpty();
    }

    @Test
    void aSilentConnectionIsClosedAfterTheIdleTimeout() throws IOException {
        gateway = HostileGateway.start(HostileGateway.settings(LONG, LONG, 300, MAX_BODY, 0));
        try (RawConnection silent = new RawConnection(gateway.port())) {
            assertThat(silent.closedByPeer()).as("closed within 5 s by a 300 ms idle timeout").isTrue();
        }
    }

    /**
     * The attack that killed the process, scaled down: many connections each declaring a body at
     * the cap and sending all but its last byte. Only as many as the budget holds are read; the
     * others get 503 overloaded at once; every reservation goes when its connection does.
     */
    @Test
    void halfSentBodiesNeverHoldMoreThanTheBudget() throws IOException {
        int budgetBodies = 4;
        gateway = HostileGateway.start(HostileGateway.settings(LONG, LONG, LONG, MAX_BODY, (long) budgetBodies * MAX_BODY));
        byte[] allButLast = new byte[MAX_BODY - 1];
        Arrays.fill(allButLast, (byte) ' ');
        String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nContent-Length: " + MAX_BODY + "\r\n\r\n";
        List<RawConnection> attackers = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                RawConnection attacker = new RawConnection(gateway.port());
                attackers.add(attacker);
                attacker.send(head).send(allButLast);
                if (i < budgetBodies) {
                    gateway.awaitBufferedBytes((long) (i + 1) * MAX_BODY);
                } else {
                    RawConnection.Response refused = attacker.response();
                    assertOpenAiError(refused, 503, "overloaded");
                    assertThat(refused.header("retry-after")).isEqualTo("1");
                }
            }
            assertThat(gateway.bufferedBytes()).isEqualTo((long) budgetBodies * MAX_BODY);
            assertThat(gateway.meter("turnout_overloaded_requests_total")).isEqualTo(20 - budgetBodies);

            // A chunked body reserves as it grows, and is refused as soon as it cannot.
            try (RawConnection chunked = new RawConnection(gateway.port())) {
                chunked.send("POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + Integer.toHexString(CHAT.length()) + "\r\n" + CHAT + "\r\n");
                assertOpenAiError(chunked.response(), 503, "overloaded");
            }
        } finally {
            for (RawConnection attacker : attackers) attacker.close();
        }
        gateway.awaitBufferedBytes(0);
        try (RawConnection client = new RawConnection(gateway.port())) {
            assertThat(client.post("/v1/chat/completions", "", utf8(CHAT)).response().status()).isEqualTo(200);
        }
        gateway.awaitBufferedBytes(0);
    }
}
