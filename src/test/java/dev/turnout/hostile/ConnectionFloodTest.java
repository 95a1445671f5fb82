package dev.turnout.hostile;

import static dev.turnout.hostile.HostileGateway.CHAT;
import static dev.turnout.hostile.HostileGateway.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client that opens connections and sends nothing costs the gateway heap and a descriptor per
 * connection until the header timeout: past {@code server.maxConnections} new ones are closed on
 * arrival, so one client cannot hold more than that, and the connections already open keep working.
 */
class ConnectionFloodTest {

    private static final long LONG = 10_000;
    private static final int LIMIT = 20;

    private HostileGateway gateway;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) gateway.close();
    }

    @Test
    void connectionsPastTheLimitAreClosedOnArrivalAndTheOpenOnesStillServe() throws Exception {
        gateway = HostileGateway.start(HostileGateway.settings(LONG, LONG, LONG, 64 * 1024, 0, LIMIT));
        List<RawConnection> flood = new ArrayList<>();
        try {
            for (int i = 0; i < LIMIT; i++) flood.add(new RawConnection(gateway.port()));
            // Every place is taken once the gateway has accepted them all.
            gateway.awaitMeter("turnout_open_connections", LIMIT);

            List<RawConnection> beyond = new ArrayList<>();
            for (int i = 0; i < 30; i++) beyond.add(new RawConnection(gateway.port()));
            for (RawConnection refused : beyond) {
                assertThat(refused.closedByPeer()).as("a connection past the limit is closed").isTrue();
                refused.close();
            }
            assertThat(gateway.meter("turnout_refused_connections_total")).isEqualTo(30);
            assertThat(gateway.meter("turnout_open_connections")).isEqualTo(LIMIT);

            // The connections let in are served as usual.
            assertThat(flood.get(0).post("/v1/chat/completions", "", utf8(CHAT)).response().status()).isEqualTo(200);
        } finally {
            for (RawConnection connection : flood) connection.close();
        }
        // Their places come back as they close: a new client is served.
        gateway.awaitMeter("turnout_open_connections", 0);
        try (RawConnection next = new RawConnection(gateway.port())) {
            assertThat(next.post("/v1/chat/completions", "", utf8(CHAT)).response().status()).isEqualTo(200);
        }
    }
}
