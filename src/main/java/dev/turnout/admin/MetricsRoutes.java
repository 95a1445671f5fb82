package dev.turnout.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;

/** {@code GET /metrics}: every meter in Prometheus' text format. */
public final class MetricsRoutes {

    private MetricsRoutes() {}

    public static void mount(Router router, PrometheusMeterRegistry registry) {
        router.get("/metrics").handler(context -> context.response()
                .putHeader("content-type", "text/plain; version=0.0.4; charset=utf-8")
                .end(registry.scrape()));
    }
}
