package dev.turnout.admin;

import dev.turnout.diff.DiffRecord;
import dev.turnout.diff.DiffReport;
import io.vertx.ext.web.Router;
import java.util.function.Predicate;

/**
 * {@code GET /admin/diffs}: per alias × candidate, how often the candidate answers differently
 * next to the primary's own noise floor. {@code GET /admin/diffs/samples?alias=&candidate=&verdict=&kind=&limit=}:
 * the latest pairs side by side.
 */
public final class DiffRoutes {

    private DiffRoutes() {}

    public static void mount(Router router, DiffReport report) {
        router.get("/admin/diffs").handler(context -> context.response().putHeader("content-type", "application/json")
                .end(report.toJson().toPrettyString()));
        router.get("/admin/diffs/samples").handler(context -> {
            String alias = context.request().getParam("alias");
            String candidate = context.request().getParam("candidate");
            String verdict = context.request().getParam("verdict");
            String kind = context.request().getParam("kind");
            int limit;
            try {
                limit = Integer.parseInt(context.request().getParam("limit", "20"));
            } catch (NumberFormatException e) {
                AdminErrors.send(context, 400, "bad_request", "limit must be a whole number", null);
                return;
            }
            Predicate<DiffRecord> filter = record -> (alias == null || alias.equals(record.alias()))
                    && (candidate == null || candidate.equals(record.candidate()))
                    && (verdict == null || verdict.equals(record.metrics().verdict().label()))
                    && (kind == null || kind.equals(record.kind()));
            context.response().putHeader("content-type", "application/json")
                    .end(report.samples(filter, Math.max(1, Math.min(limit, 100))).toPrettyString());
        });
    }
}
