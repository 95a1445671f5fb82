package dev.turnout.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Everything {@code serve} needs, as read from {@code conf/turnout.yaml} and then the
 * {@code TURNOUT_*} environment. Immutable; built and validated by {@link ConfigLoader}.
 */
public record GatewayConfig(Server server, Admin admin, Store store, Path routes) {

    public GatewayConfig {
        requireNonNull(server, "server");
        requireNonNull(admin, "admin");
        requireNonNull(store, "store");
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

    public static GatewayConfig defaults() {
        return new GatewayConfig(Server.defaults(), Admin.defaults(), Store.defaults(), Path.of("conf/routes.yaml"));
    }

    public GatewayConfig withServer(Server newServer) {
        return new GatewayConfig(newServer, admin, store, routes);
    }

    public GatewayConfig withAdmin(Admin newAdmin) {
        return new GatewayConfig(server, newAdmin, store, routes);
    }

    public GatewayConfig withStore(Store newStore) {
        return new GatewayConfig(server, admin, newStore, routes);
    }

    public GatewayConfig withRoutes(Path newRoutes) {
        return new GatewayConfig(server, admin, store, newRoutes);
    }
}
