package dev.turnout.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.diff.DiffReport;
import dev.turnout.replay.Replay;
import dev.turnout.replay.ReplaySpec;
import dev.turnout.replay.Replays;
import dev.turnout.route.RouteCodec;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;

/**
 * {@code /admin/replays}: send recorded requests to a candidate and compare its answers with the
 * recorded primary's ({@code POST}), watch a replay with its diff entries ({@code GET /{id}}), list
 * them, cancel one. Replays run on the instance that accepted them and are kept in its memory.
 */
public final class ReplayRoutes {

    private final Replays replays;
    private final DiffReport report;

    private ReplayRoutes(Replays replays, DiffReport report) {
        this.replays = replays;
        this.report = report;
    }

    public static void mount(Router router, Replays replays, DiffReport report) {
        ReplayRoutes handlers = new ReplayRoutes(replays, report);
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
        respond(context, Replays.view(replay, report));
    }

    private void list(RoutingContext context) {
        ObjectNode body = RouteCodec.JSON.createObjectNode();
        ArrayNode list = body.putArray("replays");
        for (Replay replay : replays.list()) list.add(replay.toJson(null));
        body.put("kept", Replays.MAX_KEPT);
        respond(context, body);
    }

    private void get(RoutingContext context) {
        replays.get(context.pathParam("id")).ifPresentOrElse(replay -> respond(context, Replays.view(replay, report)),
                () -> notFound(context));
    }

    private void cancel(RoutingContext context) {
        replays.cancel(context.pathParam("id")).onSuccess(found -> found.ifPresentOrElse(
                replay -> respond(context, Replays.view(replay, report)), () -> notFound(context)))
                .onFailure(error -> AdminErrors.fail(context, error));
    }

    private static void notFound(RoutingContext context) {
        AdminErrors.fail(context, AdminException.notFound("no replay by that id on this instance (replays are kept in the memory"
                + " of the instance that accepted them, at most " + Replays.MAX_KEPT + ")"));
    }

    private static void respond(RoutingContext context, ObjectNode body) {
        context.response().putHeader("content-type", "application/json").end(body.toPrettyString());
    }
}
