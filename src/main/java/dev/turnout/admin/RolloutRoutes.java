package dev.turnout.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.Echo;
import dev.turnout.route.Alias;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.rollout.InvalidRolloutException;
import dev.turnout.rollout.RolloutSpecs;
import dev.turnout.rollout.StepWeights;
import dev.turnout.rollout.engine.Rollout;
import dev.turnout.rollout.engine.RolloutCodec;
import dev.turnout.rollout.engine.RolloutEngine;
import dev.turnout.rollout.engine.RolloutEngine.Action;
import dev.turnout.rollout.engine.RolloutState;
import dev.turnout.rollout.store.AliasBusyException;
import dev.turnout.rollout.store.RolloutConflictException;
import dev.turnout.store.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code /admin/rollouts}: declare a rollout, watch it, and pause, resume, abort or promote it. Any
 * instance answers; the leader carries the rollout out. While the store is unreachable an instance
 * answers from what it last read, marked {@code stale}, with the state {@code paused}: nothing is
 * judged or written until the store is back.
 */
public final class RolloutRoutes {

    private static final List<String> ACTIONS = Arrays.stream(Action.values())
            .map(action -> action.name().toLowerCase(Locale.ROOT)).toList();
    /** How long an action waits for the leader to write the routes it implies before answering 202. */
    private static final long SETTLE_MS = 5_000;
    private static final long SETTLE_POLL_MS = 100;
    private static final int LIST_LIMIT = 100;

    private final Vertx vertx;
    private final RolloutEngine engine;
    private final Supplier<RouteTable> routes;

    private RolloutRoutes(Vertx vertx, RolloutEngine engine, Supplier<RouteTable> routes) {
        this.vertx = vertx;
        this.engine = engine;
        this.routes = routes;
    }

    public static void mount(Router router, Vertx vertx, RolloutEngine engine, Supplier<RouteTable> routes) {
        RolloutRoutes handlers = new RolloutRoutes(vertx, engine, routes);
        router.post("/admin/rollouts").handler(QueryParams.only(QueryParams.NONE, handlers::create));
        router.get("/admin/rollouts").handler(QueryParams.only(QueryParams.NONE, handlers::list));
        router.get("/admin/rollouts/:id").handler(QueryParams.only(QueryParams.NONE, handlers::get));
        router.post("/admin/rollouts/:id/:action").handler(QueryParams.only(Set.of("reason"), handlers::act));
    }

    private void create(RoutingContext context) {
        String body = context.body().asString();
        boolean yaml = AdminGuard.mapperFor(context) == RouteCodec.YAML;
        Future<Rollout> created;
        try {
            created = engine.create(RolloutSpecs.parse(body, yaml), author(context));
        } catch (RuntimeException e) {
            created = Future.failedFuture(e);
        }
        created.onSuccess(rollout -> {
            context.response().setStatusCode(201).putHeader("location", "/admin/rollouts/" + rollout.id());
            respond(context, view(rollout));
        }).onFailure(error -> fail(context, error));
    }

    private void list(RoutingContext context) {
        engine.list(LIST_LIMIT).onSuccess(listed -> {
            ObjectNode body = RouteCodec.JSON.createObjectNode();
            ArrayNode rollouts = body.putArray("rollouts");
            for (Rollout rollout : listed.rollouts()) rollouts.add(summary(rollout));
            body.put("unreadable", listed.unreadable()).put("leader", engine.leading());
            respond(context, body);
        }).onFailure(error -> {
            if (!(error instanceof StoreUnavailableException)) {
                fail(context, error);
                return;
            }
            ObjectNode body = RouteCodec.JSON.createObjectNode();
            ArrayNode rollouts = body.putArray("rollouts");
            engine.allSeen().values().forEach(seen -> rollouts.add(summary(seen.rollout())));
            body.put("stale", true).put("storeError", error.getMessage());
            respond(context, body);
        });
    }

    private void get(RoutingContext context) {
        String id = context.pathParam("id");
        engine.get(id).onSuccess(rollout -> respond(context, view(rollout))).onFailure(error -> {
            if (error instanceof StoreUnavailableException && engine.lastSeen(id).isPresent()) {
                respond(context, staleView(engine.lastSeen(id).get(), error));
            } else {
                fail(context, error);
            }
        });
    }

    private void act(RoutingContext context) {
        String id = context.pathParam("id");
        String label = context.pathParam("action");
        Action action = Action.fromLabel(label);
        if (action == null) throw AdminException.notFound("no action '" + Echo.cut(label) + "'; one of " + ACTIONS);
        String why = context.request().getHeader("x-turnout-reason");
        if (why == null) why = context.request().getParam("reason");
        long deadline = System.nanoTime() + SETTLE_MS * 1_000_000;
        actWhenSettled(id, action, author(context), why, deadline)
                .compose(this::settled)
                .onSuccess(rollout -> {
                    if (rollout.pending() != null) context.response().setStatusCode(202);
                    respond(context, view(rollout));
                })
                .onFailure(error -> fail(context, error));
    }

    /** An action on a rollout whose route change is being written waits for it (the leader finishes it within a look). */
    private Future<Rollout> actWhenSettled(String id, Action action, String author, String why, long deadline) {
        return engine.act(id, action, author, why).recover(error -> {
            if (!(error instanceof RolloutEngine.ChangeInFlightException) || System.nanoTime() > deadline) {
                return Future.failedFuture(error);
            }
            Promise<Void> later = Promise.promise();
            vertx.setTimer(SETTLE_POLL_MS, timer -> later.complete());
            return later.future().compose(ignored -> actWhenSettled(id, action, author, why, deadline));
        });
    }

    /** The rollout once the leader has written what the action implies, or as it is after {@link #SETTLE_MS}. */
    private Future<Rollout> settled(Rollout rollout) {
        if (rollout.pending() == null) return Future.succeededFuture(rollout);
        Promise<Rollout> settled = Promise.promise();
        long deadline = System.nanoTime() + SETTLE_MS * 1_000_000;
        poll(rollout, deadline, settled);
        return settled.future();
    }

    private void poll(Rollout last, long deadline, Promise<Rollout> settled) {
        if (System.nanoTime() > deadline) {
            settled.complete(last);
            return;
        }
        vertx.setTimer(SETTLE_POLL_MS, timer -> engine.get(last.id()).onComplete(read -> {
            if (read.failed()) settled.complete(last);
            else if (read.result().pending() == null) settled.complete(read.result());
            else poll(read.result(), deadline, settled);
        }));
    }

    private ObjectNode view(Rollout rollout) {
        ObjectNode node = RolloutCodec.toTree(rollout);
        Alias served = routes.get().alias(rollout.spec().alias());
        node.put("servedWeight", served == null ? 0 : StepWeights.percentOf(served.split(), rollout.spec().candidate()));
        return node;
    }

    private ObjectNode staleView(RolloutEngine.Seen seen, Throwable error) {
        ObjectNode node = view(seen.rollout());
        Instant since = engine.storeDownSince();
        node.put("stale", true).put("readAt", seen.readAt().toString()).put("storedState", seen.rollout().state().label());
        if (!seen.rollout().state().isFinal()) {
            node.put("state", RolloutState.PAUSED.label());
            node.put("reason", "the rollout store is unreachable" + (since == null ? "" : " since " + since)
                    + ": nothing is judged or changed until it is back; each instance keeps its evidence and keeps serving"
                    + " the split it last applied (" + error.getMessage() + ")");
        }
        return node;
    }

    private static ObjectNode summary(Rollout rollout) {
        return RouteCodec.JSON.createObjectNode().put("id", rollout.id()).put("alias", rollout.spec().alias())
                .put("candidate", rollout.spec().candidate()).put("state", rollout.state().label())
                .put("step", rollout.step()).put("weight", rollout.stepWeight()).put("reason", rollout.reason())
                .put("createdAt", rollout.createdAt().toString()).put("updatedAt", rollout.updatedAt().toString());
    }

    private static void respond(RoutingContext context, ObjectNode body) {
        context.response().putHeader("content-type", "application/json").end(body.toPrettyString());
    }

    private static String author(RoutingContext context) {
        String author = AdminGuard.author(context);
        return author == null || author.isBlank() ? "unknown" : Echo.cut(author);
    }


    private static void fail(RoutingContext context, Throwable error) {
        AdminErrors.fail(context, rolloutError(error));
    }

    /** What the rollout engine and its store throw, as admin errors; anything else as it is. */
    private static Throwable rolloutError(Throwable error) {
        if (error instanceof InvalidRolloutException invalid) {
            return AdminException.invalid("invalid_rollout", "The rollout was not started", invalid.problems());
        } else if (error instanceof AliasBusyException busy) {
            return AdminException.conflict("rollout_conflict", "alias already has an active rollout, " + busy.existingId()
                    + "; abort or finish it first");
        } else if (error instanceof RolloutConflictException) {
            return AdminException.conflict("rollout_conflict", "the rollout changed meanwhile; read it again and retry");
        } else if (error instanceof RolloutEngine.ActionRefusedException || error instanceof RolloutEngine.ChangeInFlightException) {
            return AdminException.conflict("rollout_conflict", error.getMessage());
        } else if (error instanceof RolloutEngine.RolloutNotFoundException) {
            return AdminException.notFound(error.getMessage());
        } else if (error instanceof StoreUnavailableException) {
            return AdminException.unavailable("The rollout store is unreachable; rollouts neither move"
                    + " nor change until it is back. " + error.getMessage());
        }
        return error;
    }
}
