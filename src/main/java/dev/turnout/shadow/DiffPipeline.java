package dev.turnout.shadow;

import static java.util.Objects.requireNonNull;

import dev.turnout.diff.DiffOptions;
import dev.turnout.diff.DiffMetrics;
import dev.turnout.diff.DiffRecord;
import dev.turnout.diff.DiffReport;
import dev.turnout.diff.DiffSink;
import dev.turnout.diff.Exchange;
import dev.turnout.diff.ResponseDiffer;
import dev.turnout.metrics.GatewayMetrics;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns captured pairs into records: assembling and comparing run on Vert.x's worker pool (they
 * are quadratic in the capped answer length, never for an event loop), then every sink gets the
 * record. Shared by all event loops.
 */
public final class DiffPipeline implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DiffPipeline.class.getName());
    static final int SAMPLE_CHARS = 4096;

    private final Vertx vertx;
    private final GatewayMetrics metrics;
    private final DiffReport report;
    private final List<DiffSink> sinks;
    private final boolean redact;

    public DiffPipeline(Vertx vertx, GatewayMetrics metrics, DiffReport report, List<DiffSink> sinks, boolean redact) {
        this.vertx = requireNonNull(vertx, "vertx");
        this.metrics = requireNonNull(metrics, "metrics");
        this.report = requireNonNull(report, "report");
        this.sinks = List.copyOf(sinks);
        this.redact = redact;
    }

    public DiffReport report() {
        return report;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** One pair, compared off the event loop. */
    void submit(String id, String alias, String primary, String candidate, String kind, boolean wantsJson,
                byte[] request, Capture primaryCapture, Capture candidateCapture) {
        vertx.executeBlocking(() -> {
            Exchange left = primaryCapture.toExchange();
            Exchange right = candidateCapture.toExchange();
            DiffMetrics diff = ResponseDiffer.compare(left, right, DiffOptions.defaults(wantsJson));
            DiffRecord record = new DiffRecord(id, Instant.now(), alias, primary, candidate, kind, diff,
                    redact ? null : sample(new String(request, java.nio.charset.StandardCharsets.UTF_8)),
                    redact ? null : sample(left.response().text()), redact ? null : sample(right.response().text()));
            metrics.diff(alias, candidate, kind.equals(DiffRecord.NOISE) ? "noise_" + diff.verdict().label() : diff.verdict().label());
            report.accept(record);
            for (DiffSink sink : sinks) sink.accept(record);
            return null;
        }, false).onFailure(error -> LOG.log(Level.WARNING, "diff of " + alias + "/" + candidate + " failed", error));
    }

    private static String sample(String text) {
        return text.length() <= SAMPLE_CHARS ? text : text.substring(0, SAMPLE_CHARS) + "…";
    }

    @Override
    public void close() {
        sinks.forEach(DiffSink::close);
    }
}
