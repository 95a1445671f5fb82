package dev.turnout.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Everything {@code serve} needs, as read from {@code conf/turnout.yaml} and then the
 * {@code TURNOUT_*} environment. Immutable; built and validated by {@link ConfigLoader}.
 */
public record GatewayConfig(Server server, Admin admin, Store store, Shadow shadow, Diffs diffs, Path routes) {

    public GatewayConfig {
        requireNonNull(server, "server");
        requireNonNull(admin, "admin");
        requireNonNull(store, "store");
        requireNonNull(shadow, "shadow");
        requireNonNull(diffs, "diffs");
        requireNonNull(routes, "routes");
    }

    /**
     * The data plane.
     *
     * @param eventLoops 0 means one per core, Vert.x's default
     * @param clientAuth when true, every request must carry a client key listed in the route table
     */
    public record Server(String host, int port, long maxBodyBytes, boolean clientAuth, int eventLoops) {
        public static Server defaults() {
            return new Server("0.0.0.0", 8080, 4L << 20, false, 0);
        }
    }

    /** The admin API; without a token it may only bind to loopback. */
    public record Admin(String host, int port, String token) {
        public static Admin defaults() {
            return new Admin("127.0.0.1", 8081, null);
        }

        public boolean hasToken() {
            return token != null && !token.isEmpty();
        }

        @Override
        public String toString() {
            return "Admin[host=" + host + ", port=" + port + ", token=" + (hasToken() ? "<set>" : "<none>") + "]";
        }
    }

    /** Where the route table lives: {@code memory} (one instance) or {@code redis} (many). */
    public record Store(String kind, String redisUri, String prefix, int historyLimit) {
        public static Store defaults() {
            return new Store("memory", "redis://127.0.0.1:6379", "turnout", 100);
        }

        public boolean redis() {
            return "redis".equals(kind);
        }
    }

    /**
     * Shadow traffic: bounded in flight (dropped, never queued, when full), each response captured
     * up to {@code captureBytes}, each shadow cut off after {@code timeoutMs}.
     */
    public record Shadow(int maxInFlight, int maxInFlightPerVersion, int captureBytes, long timeoutMs) {
        public static Shadow defaults() {
            return new Shadow(64, 32, 256 * 1024, 60_000);
        }
    }

    /**
     * Where compared pairs go besides the in-memory report: a rotating JSONL file ({@code log},
     * empty for none), with request and answer text left out when {@code redact} is set.
     */
    public record Diffs(String log, boolean redact) {
        public static Diffs defaults() {
            return new Diffs("turnout-diffs.jsonl", false);
        }
    }

    public static GatewayConfig defaults() {
        return new GatewayConfig(Server.defaults(), Admin.defaults(), Store.defaults(), Shadow.defaults(), Diffs.defaults(),
                Path.of("conf/routes.yaml"));
    }

    public GatewayConfig withServer(Server newServer) {
        return new GatewayConfig(newServer, admin, store, shadow, diffs, routes);
    }

    public GatewayConfig withAdmin(Admin newAdmin) {
        return new GatewayConfig(server, newAdmin, store, shadow, diffs, routes);
    }

    public GatewayConfig withStore(Store newStore) {
        return new GatewayConfig(server, admin, newStore, shadow, diffs, routes);
    }

    public GatewayConfig withShadow(Shadow newShadow) {
        return new GatewayConfig(server, admin, store, newShadow, diffs, routes);
    }

    public GatewayConfig withDiffs(Diffs newDiffs) {
        return new GatewayConfig(server, admin, store, shadow, newDiffs, routes);
    }

    public GatewayConfig withRoutes(Path newRoutes) {
        return new GatewayConfig(server, admin, store, shadow, diffs, newRoutes);
    }
}
