package dev.turnout.hostile;

import static dev.turnout.hostile.HostileGateway.CHAT;
import static dev.turnout.hostile.HostileGateway.assertOpenAiError;
import static dev.turnout.hostile.HostileGateway.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.proxy.FaultInjector;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 9 item 3: an exception at any stage of a request answers 500 {@code internal_error} in
 * OpenAI's shape, closes the connection and frees what the request held: its body buffer
 * reservation, and an upstream request the fault came before sending. The gateway then serves
 * the next request as usual.
 */
class FaultTest {

    private static final AtomicReference<FaultInjector.Stage> ARMED = new AtomicReference<>();
    private static HostileGateway gateway;

    @BeforeAll
    static void start() {
        gateway = HostileGateway.withFaults(HostileGateway.settings(10_000, 10_000, 10_000, 64 * 1024, 0), stage -> {
            if (ARMED.compareAndSet(stage, null)) throw new IllegalStateException("injected fault at " + stage);
        });
    }

    @AfterAll
    static void stop() throws Exception {
        gateway.close();
    }

    @ParameterizedTest
    @EnumSource(FaultInjector.Stage.class)
    void aFaultAtAnyStageAnswers500AndReleasesTheRequest(FaultInjector.Stage stage) throws IOException {
        gateway.upstreamUris().clear();
        ARMED.set(stage);
        try (RawConnection client = new RawConnection(gateway.port())) {
            assertOpenAiError(client.post("/v1/chat/completions", "", utf8(CHAT)).response(), 500, "internal_error");
            assertThat(client.closedByPeer()).isTrue();
        }
        assertThat(ARMED.get()).as("the fault fired").isNull();
        gateway.awaitBufferedBytes(0);
        // Only a fault after the upstream answered leaves a request at the upstream.
        assertThat(gateway.upstreamUris()).hasSize(stage == FaultInjector.Stage.RESPONSE_RELAY ? 1 : 0);
        try (RawConnection client = new RawConnection(gateway.port())) {
            assertThat(client.post("/v1/chat/completions", "", utf8(CHAT)).response().status()).isEqualTo(200);
        }
        gateway.awaitBufferedBytes(0);
    }
}
