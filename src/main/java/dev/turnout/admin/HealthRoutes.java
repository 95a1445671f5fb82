package dev.turnout.admin;

import dev.turnout.route.RouteTable;
import dev.turnout.store.RouteStore;
import dev.turnout.store.StoreStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Probes for orchestrators, open without a token: {@code /health/live} answers while the process
 * runs; {@code /health/ready} once a route table is applied. Ready stays UP while the instance
 * serves a good table, whatever the store's state (taking it out of rotation would not serve one
 * request better): {@code store} says {@code reachable}, {@code unreachable} or {@code corrupt}
 * (with {@code corrupt}: each bad key), and {@code warning} says when a stored table was rejected
 * and the last good one is served. An instance that never applied a table is not ready.
 */
final class HealthRoutes {

    private HealthRoutes() {}

    static void mount(Router router, RouteStore store) {
        router.get("/health/live").handler(context -> context.json(new JsonObject().put("status", "UP")));
        router.get("/health/ready").handler(context -> {
            RouteTable applied = store.current();
            if (applied == null) {
                context.response().setStatusCode(503);
                context.json(new JsonObject().put("status", "DOWN").put("reason", "no route table applied yet"));
                return;
            }
            store.status().onComplete(result -> {
                StoreStatus status = result.succeeded() ? result.result() : null;
                boolean reachable = status != null && status.healthy();
                boolean corrupt = reachable && !status.corrupt().isEmpty();
                JsonObject body = new JsonObject()
                        .put("status", "UP")
                        .put("appliedRevision", applied.revision())
                        .put("store", status == null ? "unreachable" : status.state())
                        .put("serving", !reachable ? "last applied table (store unreachable)"
                                : corrupt ? "last good table (store holds values that cannot be used)" : "current table");
                if (corrupt) body.put("corrupt", new JsonArray(status.corrupt()));
                if (reachable && status.rejected() != null) {
                    body.put("warning", "stored revision " + status.rejected().revision() + " was rejected; serving revision "
                            + applied.revision());
                }
                context.json(body);
            });
        });
    }
}
