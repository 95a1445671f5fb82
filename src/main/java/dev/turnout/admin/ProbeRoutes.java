package dev.turnout.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.Echo;
import dev.turnout.probe.InvalidProbeException;
import dev.turnout.probe.ProbeCodec;
import dev.turnout.probe.ProbeRun;
import dev.turnout.probe.ProbeService;
import dev.turnout.probe.ProbeSpecs;
import dev.turnout.probe.ProbeStore;
import dev.turnout.route.RouteCodec;
import dev.turnout.store.StoreUnavailableException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code /admin/probes}: declare a probe, run it now, read its runs, pin a baseline. Scheduled runs
 * happen on the rollout leader; a run asked for here runs on this instance and answers when done.
 */
public final class ProbeRoutes {

    private final ProbeService probes;

    private ProbeRoutes(ProbeService probes) {
        this.probes = probes;
    }

    public static void mount(Router router, ProbeService probes) {
        ProbeRoutes routes = new ProbeRoutes(probes);
        router.put("/admin/probes/:name").handler(QueryParams.only(QueryParams.NONE, routes::put));
        router.get("/admin/probes").handler(QueryParams.only(QueryParams.NONE, routes::list));
        router.get("/admin/probes/:name").handler(QueryParams.only(QueryParams.NONE, routes::get));
        router.delete("/admin/probes/:name").handler(QueryParams.only(QueryParams.NONE, routes::delete));
        router.post("/admin/probes/:name/run").handler(QueryParams.only(QueryParams.NONE, routes::run));
        router.get("/admin/probes/:name/results").handler(QueryParams.only(Set.of("limit", "items"), routes::results));
        router.post("/admin/probes/:name/baseline").handler(QueryParams.only(QueryParams.NONE, routes::baseline));
    }

    private ProbeStore store() {
        return probes.store();
    }

    private void put(RoutingContext context) {
        try {
            var spec = ProbeSpecs.parse(context.pathParam("name"), context.body().asString());
            store().put(spec).onSuccess(done -> respond(context, ProbeSpecs.toTree(spec))).onFailure(error -> fail(context, error));
        } catch (RuntimeException e) {
            fail(context, e);
        }
    }

    private void list(RoutingContext context) {
        store().list().onSuccess(specs -> {
            ObjectNode body = RouteCodec.JSON.createObjectNode();
            ArrayNode list = body.putArray("probes");
            specs.forEach(spec -> list.add(ProbeSpecs.toTree(spec)));
            respond(context, body);
        }).onFailure(error -> fail(context, error));
    }

    private void get(RoutingContext context) {
        String name = context.pathParam("name");
        store().get(name).onSuccess(spec -> {
            if (spec.isEmpty()) {
                fail(context, notFound(name));
                return;
            }
            store().runs(name, 1).onSuccess(runs -> {
                ObjectNode body = ProbeSpecs.toTree(spec.get());
                if (!runs.isEmpty()) body.set("latest", ProbeCodec.toTree(runs.get(0), false));
                respond(context, body);
            }).onFailure(error -> fail(context, error));
        }).onFailure(error -> fail(context, error));
    }

    private void delete(RoutingContext context) {
        String name = context.pathParam("name");
        store().delete(name).onSuccess(removed -> {
            if (removed) context.response().setStatusCode(204).end();
            else fail(context, notFound(name));
        }).onFailure(error -> fail(context, error));
    }

    private void run(RoutingContext context) {
        probes.runNow(context.pathParam("name")).onSuccess(run -> respond(context, ProbeCodec.toTree(run, true)))
                .onFailure(error -> fail(context, error));
    }

    private void results(RoutingContext context) {
        int limit;
        try {
            limit = Integer.parseInt(context.request().getParam("limit", "10"));
        } catch (NumberFormatException e) {
            throw AdminException.badRequest("limit must be a whole number");
        }
        boolean items = "true".equals(context.request().getParam("items"));
        String name = context.pathParam("name");
        store().runs(name, Math.max(1, Math.min(limit, ProbeStore.MAX_RUNS))).onSuccess(runs -> {
            ObjectNode body = RouteCodec.JSON.createObjectNode().put("probe", name);
            ArrayNode list = body.putArray("runs");
            for (ProbeRun run : runs) list.add(ProbeCodec.toTree(run, items));
            respond(context, body);
        }).onFailure(error -> fail(context, error));
    }

    private void baseline(RoutingContext context) {
        JsonNode body;
        try {
            body = RouteCodec.JSON.readTree(context.body().asString() == null ? "" : context.body().asString());
        } catch (Exception e) {
            body = null;
        }
        if (body == null || !body.path("version").isTextual() || !body.path("run").isTextual()) {
            throw new AdminException(422, "invalid_probe", "a baseline pin is {\"version\": \"<version>\", \"run\": \"<run id>\"}", null);
        }
        probes.pinBaseline(context.pathParam("name"), body.get("version").asText(), body.get("run").asText())
                .onSuccess(run -> respond(context, ProbeCodec.toTree(run, false))).onFailure(error -> fail(context, error));
    }

    private static void respond(RoutingContext context, ObjectNode body) {
        context.response().putHeader("content-type", "application/json").end(body.toPrettyString());
    }


    private static AdminException notFound(String name) {
        return AdminException.notFound("no probe named '" + Echo.cut(name) + "'");
    }

    private static void fail(RoutingContext context, Throwable error) {
        AdminErrors.fail(context, probeError(error));
    }

    /** What the probe service and its store throw, as admin errors; anything else as it is. */
    private static Throwable probeError(Throwable error) {
        if (error instanceof InvalidProbeException invalid) {
            return AdminException.invalid("invalid_probe", "The probe was not stored", invalid.problems());
        } else if (error instanceof ProbeService.ProbeNotFoundException) {
            return AdminException.notFound(error.getMessage());
        } else if (error instanceof ProbeService.ProbeBusyException || error instanceof IllegalStateException) {
            return AdminException.conflict("probe_conflict", error.getMessage());
        } else if (error instanceof StoreUnavailableException) {
            return AdminException.unavailable("The probe store is unreachable; try again. " + error.getMessage());
        }
        return error;
    }
}
