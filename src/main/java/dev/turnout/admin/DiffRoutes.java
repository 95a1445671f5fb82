package dev.turnout.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.diff.DiffRecord;
import dev.turnout.diff.DiffReport;
import dev.turnout.diff.FleetDiffs;
import dev.turnout.diff.RedisDiffStream;
import dev.turnout.diff.Verdict;
import dev.turnout.store.StoreCorruptException;
import dev.turnout.store.StoreUnavailableException;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code GET /admin/diffs}: per alias × candidate, how often the candidate answers differently
 * next to the primary's own noise floor. {@code GET /admin/diffs/samples?alias=&primary=&candidate=&verdict=&kind=&sort=&limit=}:
 * held pairs side by side, newest first or ({@code sort=least_similar}) lowest similarity first.
 *
 * <p>Both take {@code scope}: {@code instance} (the default) is this instance's in-memory report,
 * the pairs it compared itself; {@code fleet} rebuilds the same report from the Redis stream every
 * instance writes its pairs to ({@link RedisDiffStream}, bounded by {@link FleetDiffs}'s caps), with
 * what the read found in {@code fleet} ({@code x-turnout-fleet-*} headers on samples, whose answer
 * stays an array). With the memory store there is no stream: {@code scope=fleet} is 409
 * {@code fleet_needs_redis}, a state of this gateway rather than a malformed request.
 */
public final class DiffRoutes {

    static final String INSTANCE = "instance";
    static final String FLEET = "fleet";
    private static final List<String> SCOPES = List.of(INSTANCE, FLEET);
    private static final Set<String> REPORT_PARAMS = Set.of("scope");
    private static final Set<String> SAMPLE_FILTERS = Set.of("alias", "primary", "candidate", "verdict", "kind", "sort", "limit",
            "scope");
    private static final List<String> VERDICTS = Arrays.stream(Verdict.values()).map(Verdict::label).toList();
    private static final List<String> KINDS = List.of(DiffRecord.CANDIDATE, DiffRecord.NOISE);
    private static final List<String> SORTS = Arrays.stream(DiffReport.SampleOrder.values())
            .map(DiffReport.SampleOrder::label).toList();

    private DiffRoutes() {}

    public static void mount(Router router, DiffReport report) {
        mount(router, report, () -> "disabled", null);
    }

    /**
     * @param semanticState the embedding model's state ({@code SemanticScorer#state}), shown with the report
     * @param fleet         the fleet's stream when the store is Redis; null with the memory store
     */
    public static void mount(Router router, DiffReport report, Supplier<String> semanticState, RedisDiffStream fleet) {
        router.get("/admin/diffs").handler(QueryParams.only(REPORT_PARAMS, context -> {
            if (!fleet(context, fleet)) {
                json(context, report.toJson().put("semantic", semanticState.get()));
                return;
            }
            read(context, fleet, result -> {
                ObjectNode body = result.report().toJson().put("semantic", semanticState.get());
                body.set("fleet", result.toJson());
                json(context, body);
            });
        }));
        router.get("/admin/diffs/samples").handler(QueryParams.only(SAMPLE_FILTERS, context -> {
            String alias = context.request().getParam("alias");
            String primary = context.request().getParam("primary");
            String candidate = context.request().getParam("candidate");
            String verdict = context.request().getParam("verdict");
            String kind = context.request().getParam("kind");
            String sort = context.request().getParam("sort", DiffReport.SampleOrder.NEWEST.label());
            // A misspelt filter would silently match nothing: say so instead.
            if (verdict != null && !VERDICTS.contains(verdict)) {
                throw AdminException.badRequest("verdict must be one of " + VERDICTS + ", not '" + verdict + "'");
            }
            if (kind != null && !KINDS.contains(kind)) {
                throw AdminException.badRequest("kind must be one of " + KINDS + ", not '" + kind + "'");
            }
            if (!SORTS.contains(sort)) {
                throw AdminException.badRequest("sort must be one of " + SORTS + ", not '" + sort + "'");
            }
            DiffReport.SampleOrder order = DiffReport.SampleOrder.values()[SORTS.indexOf(sort)];
            int limit;
            try {
                limit = Integer.parseInt(context.request().getParam("limit", "20"));
            } catch (NumberFormatException e) {
                throw AdminException.badRequest("limit must be a whole number");
            }
            Predicate<DiffRecord> filter = record -> (alias == null || alias.equals(record.alias()))
                    && (primary == null || primary.equals(record.primary()))
                    && (candidate == null || candidate.equals(record.candidate()))
                    && (verdict == null || verdict.equals(record.metrics().verdict().label()))
                    && (kind == null || kind.equals(record.kind()));
            int capped = Math.max(1, Math.min(limit, 100));
            if (!fleet(context, fleet)) {
                json(context, report.samples(filter, capped, order));
                return;
            }
            read(context, fleet, result -> {
                context.response().putHeader("x-turnout-fleet-entries", Integer.toString(result.entries()))
                        .putHeader("x-turnout-fleet-truncated", Boolean.toString(result.truncated()))
                        .putHeader("x-turnout-fleet-unreadable", Integer.toString(result.unreadable()));
                json(context, result.report().samples(filter, capped, order));
            });
        }));
    }

    /** Whether the request asks for the fleet view; refuses a scope it does not know, or one this store cannot give. */
    private static boolean fleet(RoutingContext context, RedisDiffStream fleet) {
        String scope = context.request().getParam("scope", INSTANCE);
        if (!SCOPES.contains(scope)) throw AdminException.badRequest("scope must be one of " + SCOPES + ", not '" + scope + "'");
        if (scope.equals(INSTANCE)) return false;
        if (fleet == null) {
            throw AdminException.conflict("fleet_needs_redis", "scope=fleet reads the diff stream every instance writes to Redis, "
                    + "and this gateway's store is memory (store.type: redis gives one); scope=instance is this instance's report");
        }
        return true;
    }

    private static void read(RoutingContext context, RedisDiffStream fleet, Consumer<FleetDiffs.Result> answer) {
        fleet.read().onSuccess(answer::accept).onFailure(error -> AdminErrors.fail(context, fleetError(error)));
    }

    /** The store's failures, told in terms of the fleet view rather than the routes. */
    private static Throwable fleetError(Throwable error) {
        if (error instanceof StoreUnavailableException) {
            return AdminException.unavailable("Redis is unreachable, so the fleet's diff stream cannot be read now; "
                    + "scope=instance still answers. " + error.getMessage());
        }
        if (error instanceof StoreCorruptException) {
            return AdminException.conflict("store_corrupt", "The fleet's diff stream cannot be read: " + error.getMessage());
        }
        return error;
    }

    private static void json(RoutingContext context, JsonNode body) {
        context.response().putHeader("content-type", "application/json").end(body.toPrettyString());
    }
}
