package dev.turnout.proxy;

import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteTable;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One pooled HTTP client per model version, so one slow version cannot exhaust another's
 * connections. Owned by one event loop (one gateway verticle) and only touched from it: no locks.
 * Clients of versions that leave the table, or whose endpoint changes, are closed on the next
 * request that sees the new table.
 */
final class Upstreams {

    private record Pooled(ModelVersion version, HttpClient client) {}

    private final Vertx vertx;
    private final int poolSize;
    private final Map<String, Pooled> clients = new HashMap<>();
    private RouteTable seenTable;

    Upstreams(Vertx vertx, int poolSize) {
        this.vertx = vertx;
        this.poolSize = poolSize;
    }

    HttpClient clientFor(RouteTable table, ModelVersion version) {
        if (table != seenTable) prune(table);
        Pooled pooled = clients.get(version.id());
        if (pooled == null || !sameEndpoint(pooled.version(), version)) {
            if (pooled != null) pooled.client().close();
            pooled = new Pooled(version, create(version));
            clients.put(version.id(), pooled);
        }
        return pooled.client();
    }

    private HttpClient create(ModelVersion version) {
        HttpClientOptions options = new HttpClientOptions()
                .setSsl(version.tls())
                .setTrustAll(false)
                .setVerifyHost(true)
                .setKeepAlive(true)
                .setTcpNoDelay(true)
                .setDecompressionSupported(false)
                .setConnectTimeout((int) Math.min(version.timeoutMs(), 10_000));
        return vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(poolSize));
    }

    private void prune(RouteTable table) {
        seenTable = table;
        for (Iterator<Map.Entry<String, Pooled>> it = clients.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Pooled> entry = it.next();
            ModelVersion now = table.version(entry.getKey());
            if (now == null || !sameEndpoint(entry.getValue().version(), now)) {
                entry.getValue().client().close();
                it.remove();
            }
        }
    }

    private static boolean sameEndpoint(ModelVersion a, ModelVersion b) {
        return a.url().getHost().equals(b.url().getHost()) && a.port() == b.port() && a.tls() == b.tls();
    }

    void closeAll() {
        clients.values().forEach(pooled -> pooled.client().close());
        clients.clear();
    }
}
