package dev.turnout.admin;

import dev.turnout.diff.DiffRecord;
import dev.turnout.diff.DiffReport;
import dev.turnout.diff.Verdict;
import io.vertx.ext.web.Router;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * {@code GET /admin/diffs}: per alias × candidate, how often the candidate answers differently
 * next to the primary's own noise floor. {@code GET /admin/diffs/samples?alias=&primary=&candidate=&verdict=&kind=&sort=&limit=}:
 * held pairs side by side, newest first or ({@code sort=least_similar}) lowest similarity first.
 */
public final class DiffRoutes {

    private static final Set<String> SAMPLE_FILTERS = Set.of("alias", "primary", "candidate", "verdict", "kind", "sort", "limit");
    private static final List<String> VERDICTS = Arrays.stream(Verdict.values()).map(Verdict::label).toList();
    private static final List<String> KINDS = List.of(DiffRecord.CANDIDATE, DiffRecord.NOISE);
    private static final List<String> SORTS = Arrays.stream(DiffReport.SampleOrder.values())
            .map(DiffReport.SampleOrder::label).toList();

    private DiffRoutes() {}

    public static void mount(Router router, DiffReport report) {
        mount(router, report, () -> "disabled");
    }

    /** @param semanticState the embedding model's state ({@code SemanticScorer#state}), shown with the report */
    public static void mount(Router router, DiffReport report, Supplier<String> semanticState) {
        router.get("/admin/diffs").handler(QueryParams.only(QueryParams.NONE, context -> context.response()
                .putHeader("content-type", "application/json").end(report.toJson().put("semantic", semanticState.get()).toPrettyString())));
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
            context.response().putHeader("content-type", "application/json")
                    .end(report.samples(filter, Math.max(1, Math.min(limit, 100)), order).toPrettyString());
        }));
    }
}
