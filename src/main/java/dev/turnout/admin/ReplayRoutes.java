package dev.turnout.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.diff.DiffReport;
import dev.turnout.diff.RedisDiffStream;
import dev.turnout.replay.Replay;
import dev.turnout.replay.ReplaySpec;
import dev.turnout.replay.Replays;
import dev.turnout.route.RouteCodec;
import dev.turnout.store.StoreUnavailableException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.Optional;

/**
 * {@code /admin/replays}: send recorded requests to a candidate and compare its answers with the
 * recorded primary's ({@code POST}), watch a replay with its diff entries ({@code GET /{id}}), list
 * them, cancel one. Replays run on the instance that accepted them. With a Redis store every
 * instance answers {@code GET} for the fleet's replays from the documents their instances write
 * there ({@link Replays#listAll}), a replay's {@code diffs} then coming from the fleet's diff stream
 * when it ran elsewhere; a running replay is cancelled only by the instance that runs it.
 */
public final class ReplayRoutes {

    private final Replays replays;
    private final DiffReport report;
    private final RedisDiffStream fleet;

    private ReplayRoutes(Replays replays, DiffReport report, RedisDiffStream fleet) {
        this.replays = replays;
        this.report = report;
        this.fleet = fleet;
    }

    /** @param fleet the fleet's diff stream when the store is Redis; null with the memory store */
    public static void mount(Router router, Replays replays, DiffReport report, RedisDiffStream fleet) {
        ReplayRoutes handlers = new ReplayRoutes(replays, report, fleet);
        router.post("/admin/replays").handler(QueryParams.only(QueryParams.NONE, handlers::create));
        router.get("/admin/replays").handler(QueryParams.only(QueryParams.NONE, handlers::list));
        router.get("/admin/replays/:id").handler(QueryParams.only(QueryParams.NONE, handlers::get));
        router.post("/admin/replays/:id/cancel").handler(QueryParams.only(QueryParams.NONE, handlers::cancel));
    }

    private void create(RoutingContext context) {
        Replay replay;
        try {
            replay = replays.start(ReplaySpec.parse(context.body().asString(), Instant.now()));
        } catch (ReplaySpec.InvalidReplayException invalid) {
            throw AdminException.invalid("invalid_replay", "The replay was not started", invalid.problems());
        } catch (Replays.UnknownVersionException unknown) {
            throw AdminException.notFound(unknown.getMessage());
        } catch (Replays.TooManyReplaysException busy) {
            throw new AdminException(429, "too_many_replays", busy.getMessage(), null);
        }
        context.response().setStatusCode(201).putHeader("location", "/admin/replays/" + replay.id());
        respond(context, replays.view(replay, report));
    }

    private void list(RoutingContext context) {
        replays.listAll().onSuccess(listing -> {
            ObjectNode body = RouteCodec.JSON.createObjectNode();
            ArrayNode list = body.putArray("replays");
            listing.documents().forEach(list::add);
            body.put("kept", Replays.MAX_KEPT);
            if (replays.shared()) body.put("unreadable", listing.unreadable());
            respond(context, body);
        }).onFailure(error -> AdminErrors.fail(context, storeError(error)));
    }

    private void get(RoutingContext context) {
        String id = context.pathParam("id");
        Optional<Replay> local = replays.get(id);
        if (local.isPresent()) {
            respond(context, replays.view(local.get(), report));
            return;
        }
        replays.document(id).onSuccess(found -> found.ifPresentOrElse(document -> withFleetDiffs(context, document),
                () -> notFound(context))).onFailure(error -> AdminErrors.fail(context, storeError(error)));
    }

    /** Another instance compared its pairs: they are in the fleet's diff stream, under its alias. */
    private void withFleetDiffs(RoutingContext context, ObjectNode document) {
        if (fleet == null) {
            respond(context, document.set("diffs", RouteCodec.JSON.createArrayNode()));
            return;
        }
        fleet.read().onSuccess(result -> respond(context,
                        document.set("diffs", Replays.entries(document.get("diffAlias").asText(), result.report()))))
                .onFailure(error -> AdminErrors.fail(context, storeError(error)));
    }

    private void cancel(RoutingContext context) {
        String id = context.pathParam("id");
        if (replays.get(id).isPresent()) {
            replays.cancel(id).onSuccess(found -> found.ifPresentOrElse(
                    replay -> respond(context, replays.view(replay, report)), () -> notFound(context)))
                    .onFailure(error -> AdminErrors.fail(context, error));
            return;
        }
        replays.document(id).onSuccess(found -> found.ifPresentOrElse(document -> {
            // One that has ended stays as it is, as here; a running one only its own instance can stop.
            if (!document.get("state").asText().equals(Replay.State.RUNNING.label())) {
                respond(context, document);
                return;
            }
            AdminErrors.fail(context, AdminException.conflict("replay_runs_elsewhere", "replay " + id + " runs on instance '"
                    + document.get("instance").asText() + "', not this one; a replay is cancelled by the instance that runs it:"
                    + " send the cancel there (its admin address), or retry until the load balancer picks it"));
        }, () -> notFound(context))).onFailure(error -> AdminErrors.fail(context, storeError(error)));
    }

    private void notFound(RoutingContext context) {
        AdminErrors.fail(context, AdminException.notFound(replays.shared()
                ? "no replay by that id in this fleet (Redis keeps the newest " + Replays.MAX_KEPT + " by start)"
                : "no replay by that id on this instance (replays are kept in the memory of the instance that accepted them,"
                        + " at most " + Replays.MAX_KEPT + ")"));
    }

    /** Redis's failures, told in terms of replays rather than routes. */
    private static Throwable storeError(Throwable error) {
        if (error instanceof StoreUnavailableException) {
            return AdminException.unavailable("Redis is unreachable, so other instances' replays cannot be read now; "
                    + "the instance that runs a replay still answers for it. " + error.getMessage());
        }
        return error;
    }

    private static void respond(RoutingContext context, ObjectNode body) {
        context.response().putHeader("content-type", "application/json").end(body.toPrettyString());
    }
}
