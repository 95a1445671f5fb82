package dev.turnout.admin;

import dev.turnout.route.RouteTable;
import dev.turnout.store.RouteStore;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Probes for orchestrators, open without a token: {@code /health/live} answers while the process
 * runs; {@code /health/ready} once a route table is applied, saying whether the store is reachable
 * or the instance is serving its last applied table while it is not.
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
            store.status().onComplete(status -> {
                boolean reachable = status.succeeded() && status.result().healthy();
                context.json(new JsonObject()
                        .put("status", "UP")
                        .put("appliedRevision", applied.revision())
                        .put("store", reachable ? "reachable" : "unreachable")
                        .put("serving", reachable ? "current table" : "last applied table (store unreachable)"));
            });
        });
    }
}
