package dev.turnout.upstream;

import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteTable;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP connection pools of one event loop: one per model version for primaries, and a separate
 * one per version for shadows, so neither a slow version nor a slow candidate can take another's
 * connections. Owned by one event loop (one gateway verticle) and only touched from it: no locks.
 *
 * <p>When a route change removes a version or moves it (host, port, scheme or connect timeout),
 * both of its pools are retired as soon as this event loop sees the new table, on a request or on
 * {@link #follow}: new calls get a fresh pool at once, while calls already under way on the old
 * one may finish within {@link #DRAIN_MS}; a rollback does not cut the streams it did not concern.
 */
public final class UpstreamPools {

    /** How long in-flight exchanges on a retired pool may still run before its connections are closed. */
    static final long DRAIN_MS = 30_000;

    /** What a pool's connections depend on: a version whose other fields change keeps its pool. */
    private record Endpoint(String host, int port, boolean tls, int connectTimeoutMs) {
        static Endpoint of(ModelVersion version) {
            return new Endpoint(version.url().getHost(), version.port(), version.tls(), UpstreamPools.connectTimeoutMs(version));
        }
    }

    private record Pooled(Endpoint endpoint, HttpClient client) {}

    private final Vertx vertx;
    private final int primarySize;
    private final int shadowSize;
    private final Map<String, Pooled> primaries = new HashMap<>();
    private final Map<String, Pooled> shadows = new HashMap<>();
    private RouteTable seenTable;

    /** @param primarySize connections per version for primaries; {@code shadowSize} for shadows */
    public UpstreamPools(Vertx vertx, int primarySize, int shadowSize) {
        this.vertx = vertx;
        this.primarySize = primarySize;
        this.shadowSize = shadowSize;
    }

    /** The pool for client-facing calls to {@code version}, as {@code table} defines it. */
    public HttpClient primary(RouteTable table, ModelVersion version) {
        return client(primaries, primarySize, table, version);
    }

    /** The pool for shadow and noise calls to {@code version}, apart from the primaries'. */
    public HttpClient shadow(RouteTable table, ModelVersion version) {
        return client(shadows, shadowSize, table, version);
    }

    /** Retires the pools {@code table} no longer describes, if it is a table this event loop has not seen. */
    public void follow(RouteTable table) {
        if (table != seenTable) prune(table);
    }

    private HttpClient client(Map<String, Pooled> pools, int size, RouteTable table, ModelVersion version) {
        follow(table);
        Endpoint endpoint = Endpoint.of(version);
        Pooled pooled = pools.get(version.id());
        if (pooled == null || !pooled.endpoint().equals(endpoint)) {
            if (pooled != null) retire(pooled);
            pooled = new Pooled(endpoint, create(version, size));
            pools.put(version.id(), pooled);
        }
        return pooled.client();
    }

    private HttpClient create(ModelVersion version, int size) {
        HttpClientOptions options = new HttpClientOptions()
                .setSsl(version.tls())
                .setTrustAll(false)
                .setVerifyHost(true)
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setConnectTimeout(connectTimeoutMs(version));
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(size));
    }

    private static int connectTimeoutMs(ModelVersion version) {
        return (int) Math.min(version.timeoutMs(), 10_000);
    }

    private void prune(RouteTable table) {
        seenTable = table;
        prune(primaries, table);
        prune(shadows, table);
    }

    private static void prune(Map<String, Pooled> pools, RouteTable table) {
        for (Iterator<Map.Entry<String, Pooled>> it = pools.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Pooled> entry = it.next();
            ModelVersion now = table.version(entry.getKey());
            if (now == null || !entry.getValue().endpoint().equals(Endpoint.of(now))) {
                retire(entry.getValue());
                it.remove();
            }
        }
    }

    private static void retire(Pooled pooled) {
        pooled.client().shutdown(DRAIN_MS, TimeUnit.MILLISECONDS);
    }

    /** Pools open now, primaries and shadows together. */
    int size() {
        return primaries.size() + shadows.size();
    }

    /** Closes every pool at once: the event loop is stopping. */
    public void closeAll() {
        primaries.values().forEach(pooled -> pooled.client().close());
        shadows.values().forEach(pooled -> pooled.client().close());
        primaries.clear();
        shadows.clear();
    }
}
