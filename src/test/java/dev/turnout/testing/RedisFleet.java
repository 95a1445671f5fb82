package dev.turnout.testing;

import static dev.turnout.testing.Fixtures.await;

import dev.turnout.Gateway;
import dev.turnout.config.GatewayConfig;
import dev.turnout.route.RouteTable;
import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.RouteStore;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Gateways on one redis-server, as behind a load balancer: each in its own Vert.x with its own instance id
 * ({@code instance-0}, {@code instance-1}, ...), all on the prefix {@code turnout}, polling the store every 200 ms.
 */
public final class RedisFleet implements AutoCloseable {

    private final List<Vertx> vertxes = new ArrayList<>();
    private final List<Gateway> gateways = new ArrayList<>();

    private RedisFleet() {}

    /** @param config every instance's, its store set here to {@code redis} */
    public static RedisFleet start(RedisServer redis, int size, GatewayConfig config, RouteTable routes) {
        RedisFleet fleet = new RedisFleet();
        GatewayConfig shared = config.withStore(new GatewayConfig.Store("redis", redis.uri(), "turnout", 100));
        for (int i = 0; i < size; i++) {
            Vertx vertx = Vertx.vertx();
            fleet.vertxes.add(vertx);
            RouteStore store = RouteStore.redis(vertx, RedisStoreOptions.of(redis.uri(), "turnout", "instance-" + i, 100)
                    .withIntervals(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofSeconds(5)));
            fleet.gateways.add(await(Gateway.start(vertx, shared, store, routes, Map.<String, String>of()::get)));
        }
        return fleet;
    }

    public Gateway gateway(int instance) {
        return gateways.get(instance);
    }

    public String admin(int instance) {
        return "http://127.0.0.1:" + gateways.get(instance).adminPort();
    }

    public String data(int instance) {
        return "http://127.0.0.1:" + gateways.get(instance).port();
    }

    @Override
    public void close() {
        gateways.forEach(gateway -> await(gateway.close().otherwiseEmpty()));
        vertxes.forEach(vertx -> await(vertx.close()));
    }
}
