package dev.turnout.hostile;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * One gateway with long timeouts for a whole class of attacks that each send one request: what
 * reached the upstream is forgotten before every test, so each can assert on its own request.
 */
abstract class SharedGatewayTest {

    static HostileGateway gateway;

    @BeforeAll
    static void start() {
        gateway = HostileGateway.start(HostileGateway.settings(10_000, 10_000, 10_000, 64 * 1024, 0));
    }

    @BeforeEach
    void forgetEarlierRequests() {
        gateway.upstreamUris().clear();
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
    }
}
