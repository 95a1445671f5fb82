package dev.turnout.admin;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Each admin route names the query parameters it takes; any other is refused (400 naming the ones
 * it takes) before the handler runs. An ignored parameter is worse than an error: a misspelt
 * {@code ?dryrun=true} would apply the write it meant to preview, a misspelt filter would answer
 * with everything.
 */
final class QueryParams {

    static final Set<String> NONE = Set.of();

    private QueryParams() {}

    static Handler<RoutingContext> only(Set<String> known, Handler<RoutingContext> handler) {
        return context -> {
            List<String> unknown = context.queryParams().names().stream().filter(name -> !known.contains(name)).sorted().toList();
            if (unknown.isEmpty()) {
                // What a handler throws is answered here, also on a router without the admin server's failure handler.
                try {
                    handler.handle(context);
                } catch (RuntimeException e) {
                    AdminErrors.fail(context, e);
                }
                return;
            }
            AdminErrors.send(context, 400, "unknown_parameter", "Unknown query parameter(s) " + String.join(", ", unknown)
                    + "; " + context.request().method() + " " + context.request().path() + " takes "
                    + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))) + " (names are case-sensitive).", null);
        };
    }
}
