package dev.turnout.hostile;

import static dev.turnout.testing.Fixtures.await;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A fresh gateway before every test, in front of one {@link ScriptedUpstream} that each test tells
 * how to misbehave; subclasses give the route table over the upstream's URL.
 */
abstract class ScriptedGatewayTest {

    Vertx vertx;
    ScriptedUpstream upstream;
    GatewayUnderTest gateway;

    /** The route table, as YAML, over {@code upstreamUrl}. */
    abstract String routes(String upstreamUrl);

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        upstream = ScriptedUpstream.start(vertx);
        gateway = new GatewayUnderTest(vertx, routes(upstream.baseUrl()));
    }

    @AfterEach
    void stop() {
        gateway.close();
        await(vertx.close());
    }
}
