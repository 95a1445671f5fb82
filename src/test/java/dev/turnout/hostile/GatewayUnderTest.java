package dev.turnout.hostile;

import static dev.turnout.testing.Fixtures.await;

import dev.turnout.Gateway;
import dev.turnout.proxy.AccessLog;
import dev.turnout.resilience.Breakers;
import dev.turnout.route.RouteCodec;
import dev.turnout.store.RouteStore;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** A gateway on loopback with the test's routes, its breakers and its access log in reach. */
final class GatewayUnderTest {

    final Breakers breakers = Breakers.withDefaults();
    private final ByteArrayOutputStream accessLines = new ByteArrayOutputStream();
    private final Gateway gateway;

    GatewayUnderTest(Vertx vertx, String routesYaml) {
        gateway = await(Gateway.start(vertx, Fixtures.config(false, 1 << 20), RouteStore.memory(10),
                RouteCodec.fromYaml(routesYaml), Map.<String, String>of()::get, breakers,
                AccessLog.to(new PrintStream(accessLines, true, StandardCharsets.UTF_8))));
    }

    int port() {
        return gateway.port();
    }

    /** A chat request with a client timeout short enough that a hanging answer fails the test quickly. */
    HttpRequest.Builder chat(String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(5)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    String metrics() {
        return Http.get("http://127.0.0.1:" + gateway.adminPort() + "/metrics").body();
    }

    /** The access log is written by a background thread: wait for the line, within 5 s. */
    String awaitAccessLine(String containing) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            for (String line : accessLines.toString(StandardCharsets.UTF_8).split("\n")) {
                if (line.contains(containing)) return line;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        throw new AssertionError("no access log line with " + containing + " in " + accessLines);
    }

    long accessLinesWith(String containing) {
        return accessLines.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains(containing)).count();
    }

    void close() {
        await(gateway.close());
    }
}
