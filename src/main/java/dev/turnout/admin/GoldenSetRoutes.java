package dev.turnout.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.golden.GoldenItem;
import dev.turnout.golden.GoldenSet;
import dev.turnout.golden.GoldenSetStore;
import dev.turnout.golden.GoldenSets;
import dev.turnout.golden.InvalidGoldenSetException;
import dev.turnout.route.RouteCodec;
import dev.turnout.store.StoreUnavailableException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code /admin/golden-sets}: store, read and delete golden sets by name.
 * <pre>
 *   PUT    /admin/golden-sets/{name}   JSONL (application/jsonl, application/x-ndjson, application/x-jsonlines)
 *                                      or JSON (application/json); 200 {name, items, kinds}, 422 listing every problem
 *   GET    /admin/golden-sets          {"names": [...]}
 *   GET    /admin/golden-sets/{name}   the set as JSONL (application/jsonl); 404
 *   DELETE /admin/golden-sets/{name}   204; 404
 * </pre>
 * Bodies may be {@link GoldenSets#MAX_DOCUMENT_CHARS} bytes ({@link AdminRoutes} gives this path
 * that limit instead of the 4 MiB of other admin bodies); parsing a set that size takes a while,
 * so it runs on a worker, never on the event loop.
 */
public final class GoldenSetRoutes {

    static final String PATH = "/admin/golden-sets";

    private GoldenSetRoutes() {}

    public static void mount(Router router, GoldenSetStore store) {
        // No golden-set route takes a query parameter.
        router.route(PATH + "*").handler(QueryParams.only(QueryParams.NONE, RoutingContext::next));
        router.put(PATH + "/:name").handler(context -> put(context, store));
        router.get(PATH).handler(context -> store.list().onSuccess(names -> {
            ObjectNode body = RouteCodec.JSON.createObjectNode();
            ArrayNode list = body.putArray("names");
            names.forEach(list::add);
            context.response().putHeader("content-type", "application/json").end(body.toPrettyString());
        }).onFailure(error -> fail(context, error)));
        router.get(PATH + "/:name").handler(context -> {
            String name = context.pathParam("name");
            store.get(name).onSuccess(found -> {
                if (found.isEmpty()) {
                    notFound(context, name);
                } else {
                    context.response().putHeader("content-type", "application/jsonl").end(GoldenSets.toJsonl(found.get()));
                }
            }).onFailure(error -> fail(context, error));
        });
        router.delete(PATH + "/:name").handler(context -> {
            String name = context.pathParam("name");
            store.delete(name).onSuccess(deleted -> {
                if (deleted) {
                    context.response().setStatusCode(204).end();
                } else {
                    notFound(context, name);
                }
            }).onFailure(error -> fail(context, error));
        });
    }

    private static void put(RoutingContext context, GoldenSetStore store) {
        String type = AdminGuard.mediaType(context.request());
        boolean jsonl = AdminGuard.JSONL_TYPES.contains(type);
        if (!jsonl && !AdminGuard.JSON_TYPES.contains(type)) {
            fail(context, new AdminException(415, "unsupported_media_type", "A golden set is JSONL (Content-Type application/jsonl,"
                    + " application/x-ndjson or application/x-jsonlines) or JSON (application/json); got '"
                    + context.request().getHeader("content-type") + "'.", null));
            return;
        }
        String name = context.pathParam("name");
        String body = context.body().asString();
        context.vertx().executeBlocking(() -> GoldenSets.parse(name, body, jsonl), false)
                .compose(set -> store.put(set).map(set))
                .onSuccess(set -> context.response().putHeader("content-type", "application/json").end(summary(set).toPrettyString()))
                .onFailure(error -> fail(context, error));
    }

    /** The name, how many items, and how many of each check kind: what an operator glances at after an upload. */
    static ObjectNode summary(GoldenSet set) {
        Map<String, Integer> kinds = new LinkedHashMap<>();
        for (GoldenItem item : set.items()) kinds.merge(item.check().kind(), 1, Integer::sum);
        ObjectNode body = RouteCodec.JSON.createObjectNode().put("name", set.name()).put("items", set.items().size());
        ObjectNode counts = body.putObject("kinds");
        kinds.forEach(counts::put);
        return body;
    }

    private static void notFound(RoutingContext context, String name) {
        fail(context, AdminException.notFound("no golden set named '" + name + "'; GET " + PATH + " lists them"));
    }

    private static void fail(RoutingContext context, Throwable error) {
        if (error instanceof InvalidGoldenSetException invalid) {
            error = AdminException.invalid("invalid_golden_set", "The golden set was not stored", invalid.problems());
        } else if (error instanceof StoreUnavailableException) {
            error = AdminException.unavailable("The golden-set store is unreachable; try again. " + error.getMessage());
        }
        AdminErrors.fail(context, error);
    }
}
