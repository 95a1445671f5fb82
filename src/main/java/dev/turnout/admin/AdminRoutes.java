package dev.turnout.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.golden.GoldenSets;
import dev.turnout.route.Alias;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteDiff;
import dev.turnout.route.RoutePolicy;
import dev.turnout.route.RouteTable;
import dev.turnout.route.RouteValidator;
import dev.turnout.store.ChangeInfo;
import dev.turnout.store.Revision;
import dev.turnout.store.RevisionConflictException;
import dev.turnout.store.RouteStore;
import dev.turnout.store.StoreStatus;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Route changes, rollback, history and status. Every write:
 * <pre>
 *   expected = If-Match, else the document's "revision" (PUT /admin/routes), else "any"
 *   store.update(expected, edit, author + reason)   -- the store applies the edit to its table
 *   edit: validated like a whole document (422 lists all)
 *   409 when the store holds another revision than If-Match names; its ETag is the store's revision
 * </pre>
 * The store decides, never this instance's copy, which may lag. Without an expected revision an
 * edit is applied to the store's newest table and retried there when another write slips in,
 * since the caller asked for "apply my change", not "apply it to revision n": concurrent
 * unconditional writes all land. With {@code ?dryRun=true} a write is computed and validated the
 * same way on the store's newest table and answered with its changes, but never stored. This class
 * maps outcomes to HTTP and nothing more.
 */
final class AdminRoutes {

    private static final long MAX_BODY_BYTES = 4L << 20;
    private static final String DRY_RUN = "dryRun";
    /** Every route write: {@code reason} is recorded, {@code dryRun=true} previews instead of applying. */
    private static final Set<String> WRITE = Set.of(DRY_RUN, "reason");

    private final RouteStore store;
    private final RoutePolicy policy;

    AdminRoutes(RouteStore store, RoutePolicy policy) {
        this.store = store;
        this.policy = policy;
    }

    void mount(Router router) {
        // Golden sets may be larger than any route document; every other admin body keeps the 4 MiB bound.
        BodyHandler bodies = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
        BodyHandler goldenSets = BodyHandler.create(false).setBodyLimit(GoldenSets.MAX_DOCUMENT_CHARS);
        router.route("/admin/*").handler(context -> (context.normalizedPath().startsWith(GoldenSetRoutes.PATH + "/")
                ? goldenSets : bodies).handle(context));
        router.get("/admin/routes").handler(QueryParams.only(QueryParams.NONE, this::getRoutes));
        // A whole table needs no base: without a revision it is last-writer-wins, which is also
        // how an operator replaces a garbled table or revision.
        router.put("/admin/routes").handler(write(context -> {
            JsonNode document = body(context);
            long expected = expectedRevision(context, document.path("revision"));
            replace(context, expected, RouteCodec.fromTree(document, policy), change(context, "replace-routes"));
        }));
        router.get("/admin/versions/:id").handler(QueryParams.only(QueryParams.NONE, context -> {
            RouteTable table = store.current();
            JsonNode version = RouteCodec.toTree(table).path("versions").get(context.pathParam("id"));
            if (version == null) throw new RouteChanges.NotFoundException("no version named '" + context.pathParam("id") + "'");
            respondPart(context, table, version);
        }));
        router.put("/admin/versions/:id").handler(write(context -> update(context, "put-version " + context.pathParam("id"),
                current -> RouteChanges.putVersion(current, context.pathParam("id"), body(context)))));
        router.delete("/admin/versions/:id").handler(write(context -> update(context, "delete-version " + context.pathParam("id"),
                current -> RouteChanges.deleteVersion(current, context.pathParam("id")))));
        router.get("/admin/aliases/:name").handler(QueryParams.only(QueryParams.NONE, context -> {
            RouteTable table = store.current();
            Alias alias = table.alias(context.pathParam("name"));
            if (alias == null) throw new RouteChanges.NotFoundException("no alias named '" + context.pathParam("name") + "'");
            respondPart(context, table, RouteCodec.aliasTree(alias));
        }));
        router.delete("/admin/aliases/:name").handler(write(context -> update(context, "delete-alias " + context.pathParam("name"),
                current -> RouteChanges.deleteAlias(current, context.pathParam("name")))));
        router.put("/admin/aliases/:name").handler(write(context -> update(context, "put-alias " + context.pathParam("name"),
                current -> RouteChanges.putAlias(current, context.pathParam("name"), body(context)))));
        router.patch("/admin/aliases/:name").handler(write(context -> update(context, "patch-alias " + context.pathParam("name"),
                current -> RouteChanges.patchAlias(current, context.pathParam("name"), body(context)))));
        router.post("/admin/rollback").handler(write(this::rollback));
        router.post("/admin/aliases/:name/rollback").handler(write(this::rollbackAlias));
        router.get("/admin/history").handler(QueryParams.only(Set.of("limit", "tables"), this::history));
        router.get("/admin/history/:revision").handler(QueryParams.only(QueryParams.NONE, this::historyRevision));
        router.get("/admin/status").handler(QueryParams.only(QueryParams.NONE, this::status));
    }

    /**
     * A route write: {@code reason} and {@code dryRun} and nothing else. A {@code dryRun} that is
     * neither {@code true} nor {@code false} is refused rather than taken for false, which would apply.
     */
    private static Handler<RoutingContext> write(Handler<RoutingContext> handler) {
        return QueryParams.only(WRITE, context -> {
            String dryRun = context.queryParams().get(DRY_RUN);
            if (dryRun != null && !dryRun.equals("true") && !dryRun.equals("false")) {
                throw AdminException.badRequest("dryRun is true or false, got '" + dryRun + "'");
            }
            handler.handle(context);
        });
    }

    private void getRoutes(RoutingContext context) {
        respond(context, Future.succeededFuture(store.current()));
    }

    /** A partial edit: the store applies it to the revision named by If-Match, or else to its newest. */
    private void update(RoutingContext context, String action, UnaryOperator<RouteTable> edit) {
        update(context, expectedRevision(context, null), edit, change(context, action));
    }

    private void update(RoutingContext context, long expected, UnaryOperator<RouteTable> edit, ChangeInfo change) {
        // Edits are read back by the codec; this adds the deployment's own rules (the apiKeyEnv allow-list).
        UnaryOperator<RouteTable> checked = current -> RouteValidator.requireValid(edit.apply(current), policy);
        if (dryRun(context)) preview(context, expected, checked);
        else respond(context, store.update(expected, checked, change));
    }

    /** A whole table, already validated: it replaces the stored one whatever that holds. */
    private void replace(RoutingContext context, long expected, RouteTable table, ChangeInfo change) {
        if (dryRun(context)) preview(context, expected, current -> table);
        else respond(context, store.write(table, expected, change));
    }

    private static boolean dryRun(RoutingContext context) {
        return "true".equals(context.queryParams().get(DRY_RUN));
    }

    /**
     * A dry run: the write's table computed on the store's newest readable table (what the write
     * would be applied to) and its changes, stored nowhere. With If-Match it conflicts as the
     * write would, so a preview that passes names the revision to send the real write with.
     */
    private void preview(RoutingContext context, long expected, UnaryOperator<RouteTable> edit) {
        store.history(1).map(history -> {
            // A garbled newest entry is not readable: this instance's table is then the best guess of it.
            Revision newest = history.revisions().isEmpty() ? null : history.revisions().get(0);
            RouteTable base = newest != null && newest.revision() == history.newestRevision()
                    ? newest.table().withRevision(newest.revision()) : store.current();
            if (expected != RouteStore.ANY_REVISION && expected != base.revision()) {
                throw new RevisionConflictException(expected, base.revision());
            }
            RouteTable proposed = edit.apply(base).withRevision(base.revision());
            ObjectNode body = RouteCodec.JSON.createObjectNode().put("dryRun", true).put("revision", base.revision());
            body.set("changes", RouteDiff.toJson(RouteDiff.between(base, proposed)));
            body.set("routes", RouteCodec.toTree(proposed));
            return body;
        }).onSuccess(body -> {
            context.response().putHeader("etag", etag(body.get("revision").asLong())).putHeader("x-turnout-dry-run", "true")
                    .putHeader("content-type", "application/json");
            context.end(body.toPrettyString());
        }).onFailure(error -> AdminErrors.fail(context, error));
    }

    private Future<RouteTable> checked(RouteTable table) {
        try {
            return Future.succeededFuture(RouteValidator.requireValid(table, policy));
        } catch (RuntimeException e) {
            return Future.failedFuture(e);
        }
    }

    private static void respond(RoutingContext context, Future<RouteTable> written) {
        written.onSuccess(table -> {
            context.response().putHeader("etag", etag(table.revision())).putHeader("content-type", "application/json");
            context.end(RouteCodec.toTree(table).toPrettyString());
        }).onFailure(error -> AdminErrors.fail(context, error));
    }

    /**
     * One alias or version as PUT takes it, with the table's revision as ETag: a client can edit it
     * and PUT it back with If-Match, without reading and re-sending the whole table.
     */
    private static void respondPart(RoutingContext context, RouteTable table, JsonNode part) {
        context.response().putHeader("etag", etag(table.revision())).putHeader("content-type", "application/json");
        context.end(part.toPrettyString());
    }

    /** Roll-forward to a copy of an older revision; by default the one before the current. */
    private void rollback(RoutingContext context) {
        JsonNode request = optionalBody(context);
        long expected = expectedRevision(context, null);
        // The newest readable revision before the newest one, so a garbled newest entry is rolled back too.
        Future<Revision> target = request.hasNonNull("toRevision")
                ? store.revision(revisionParam(request.get("toRevision").asText()))
                : store.history(Integer.MAX_VALUE).map(history -> history.revisions().stream()
                        .filter(revision -> revision.revision() < history.newestRevision()).findFirst()
                        .orElseThrow(() -> new RouteChanges.NotFoundException("there is no earlier revision to roll back to")));
        // An old revision may predate today's allow-list: it is checked like any other write.
        target.onSuccess(revision -> checked(revision.table())
                        .onSuccess(table -> replace(context, expected, table, change(context, "rollback to " + revision.revision(), request)))
                        .onFailure(error -> AdminErrors.fail(context, error)))
                .onFailure(error -> AdminErrors.fail(context, error));
    }

    /** Restores one alias as it was; by default as it was before its last change. */
    private void rollbackAlias(RoutingContext context) {
        String name = context.pathParam("name");
        JsonNode request = optionalBody(context);
        long expected = expectedRevision(context, null);
        Future<Revision> target;
        if (request.hasNonNull("toRevision")) {
            target = store.revision(revisionParam(request.get("toRevision").asText()));
        } else {
            Alias now = store.current().alias(name);
            target = store.history(Integer.MAX_VALUE).map(history -> history.revisions().stream()
                    .filter(revision -> !java.util.Objects.equals(revision.table().alias(name), now))
                    .findFirst()
                    .orElseThrow(() -> new RouteChanges.NotFoundException(
                            "alias '" + name + "' has no earlier state in the kept history")));
        }
        target.onSuccess(revision -> update(context, expected,
                        current -> RouteChanges.restoreAlias(current, revision.table(), name),
                        change(context, "rollback alias " + name + " to " + revision.revision(), request)))
                .onFailure(error -> AdminErrors.fail(context, error));
    }

    private void history(RoutingContext context) {
        int limit = 20;
        String limitParam = context.request().getParam("limit");
        if (limitParam != null) {
            try {
                limit = Integer.parseInt(limitParam);
            } catch (NumberFormatException e) {
                throw AdminException.badRequest("limit must be a whole number, got '" + limitParam + "'");
            }
        }
        boolean tables = "true".equals(context.request().getParam("tables"));
        store.history(limit).onSuccess(history -> {
            ArrayNode entries = RouteCodec.JSON.createArrayNode();
            history.revisions().forEach(revision -> entries.add(historyEntry(revision, tables)));
            // Garbled entries in the store are left out, and counted here.
            context.response().putHeader("content-type", "application/json")
                    .putHeader("x-turnout-history-skipped", Integer.toString(history.skipped()));
            context.end(entries.toPrettyString());
        }).onFailure(error -> AdminErrors.fail(context, error));
    }

    /**
     * One revision with its table and what it changed: the diff against the previous kept, readable
     * revision ({@code previousRevision}, null and no changes for the oldest kept), so an operator
     * reading the history sees what each write did without fetching two tables.
     */
    private void historyRevision(RoutingContext context) {
        long wanted = revisionParam(context.pathParam("revision"));
        store.revision(wanted).compose(revision -> store.history(Integer.MAX_VALUE).map(history -> {
            ObjectNode entry = historyEntry(revision, true);
            Revision previous = history.revisions().stream().filter(older -> older.revision() < wanted).findFirst().orElse(null);
            if (previous == null) {
                entry.putNull("previousRevision").putArray("changes");
            } else {
                entry.put("previousRevision", previous.revision())
                        .set("changes", RouteDiff.toJson(RouteDiff.between(previous.table(), revision.table())));
            }
            return entry;
        })).onSuccess(entry -> {
            context.response().putHeader("content-type", "application/json");
            context.end(entry.toPrettyString());
        }).onFailure(error -> AdminErrors.fail(context, error));
    }

    private void status(RoutingContext context) {
        RouteTable applied = store.current();
        store.status().onComplete(result -> {
            ObjectNode body = RouteCodec.JSON.createObjectNode();
            body.put("appliedRevision", applied.revision());
            ObjectNode storeNode = body.putObject("store");
            if (result.succeeded()) {
                StoreStatus status = result.result();
                storeNode.put("kind", status.kind()).put("healthy", status.healthy())
                        .put("state", status.state())
                        .put("storedRevision", status.storedRevision());
                if (status.detail() != null) storeNode.put("detail", status.detail());
                if (!status.corrupt().isEmpty()) status.corrupt().forEach(storeNode.putArray("corrupt")::add);
                if (status.rejected() != null) body.set("rejected", rejected(status.rejected()));
                body.put("converged", status.converged());
                ArrayNode instances = body.putArray("instances");
                for (StoreStatus.InstanceState instance : status.instances()) {
                    instances.addObject().put("id", instance.id()).put("appliedRevision", instance.appliedRevision())
                            .put("heartbeat", instance.heartbeat().toString());
                }
            } else {
                storeNode.put("healthy", false).put("detail", String.valueOf(result.cause().getMessage()));
                body.put("converged", false);
            }
            context.response().putHeader("content-type", "application/json");
            context.end(body.toPrettyString());
        });
    }

    /** A stored table this instance refused: it keeps serving its last good one. */
    static ObjectNode rejected(StoreStatus.Rejected rejected) {
        ObjectNode node = RouteCodec.JSON.createObjectNode().put("revision", rejected.revision()).put("key", rejected.key())
                .put("time", rejected.time().toString());
        rejected.errors().forEach(node.putArray("errors")::add);
        return node;
    }

    private static ObjectNode historyEntry(Revision revision, boolean withTable) {
        ObjectNode entry = RouteCodec.JSON.createObjectNode()
                .put("revision", revision.revision())
                .put("time", revision.time().toString())
                .put("author", revision.change().author())
                .put("reason", revision.change().reason())
                .put("action", revision.change().action());
        if (withTable) entry.set("routes", RouteCodec.toTree(revision.table()));
        return entry;
    }

    private static ChangeInfo change(RoutingContext context, String action) {
        return change(context, action, null);
    }

    private static ChangeInfo change(RoutingContext context, String action, JsonNode body) {
        String reason = context.request().getHeader("x-turnout-reason");
        if (reason == null) reason = context.request().getParam("reason");
        if (reason == null && body != null && body.hasNonNull("reason")) reason = body.get("reason").asText();
        return new ChangeInfo(AdminGuard.author(context), reason, action);
    }

    /** If-Match wins; else a revision given in the document; else unconditional. */
    private static long expectedRevision(RoutingContext context, JsonNode documentRevision) {
        String ifMatch = context.request().getHeader("if-match");
        if (ifMatch != null && !ifMatch.trim().equals("*")) {
            String value = ifMatch.trim();
            if (value.startsWith("W/")) value = value.substring(2);
            return revisionParam(value.replace("\"", ""));
        }
        if (documentRevision != null && documentRevision.canConvertToLong() && documentRevision.asLong() > 0) {
            return documentRevision.asLong();
        }
        return RouteStore.ANY_REVISION;
    }

    private static long revisionParam(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw AdminException.badRequest("a revision is a whole number, got '" + text + "'");
        }
    }

    /** JSON, or YAML when the content type says so (AdminGuard lets no other type through). */
    private static JsonNode body(RoutingContext context) {
        String text = context.body().asString();
        if (text == null || text.isBlank()) throw AdminException.badRequest("this request needs a JSON or YAML body");
        ObjectMapper mapper = AdminGuard.mapperFor(context);
        try {
            JsonNode node = mapper.readTree(text);
            if (node == null) throw AdminException.badRequest("this request needs a JSON or YAML body");
            return node;
        } catch (JsonProcessingException e) {
            throw AdminException.badRequest("the body is not valid " + (mapper == RouteCodec.YAML ? "YAML" : "JSON")
                    + ": " + e.getOriginalMessage());
        }
    }

    private static JsonNode optionalBody(RoutingContext context) {
        String text = context.body().asString();
        return text == null || text.isBlank() ? RouteCodec.JSON.createObjectNode() : body(context);
    }

    private static String etag(long revision) {
        return "\"" + revision + "\"";
    }

}
