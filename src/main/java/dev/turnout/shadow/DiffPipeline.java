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
import dev.turnout.semantic.Refusal;
import dev.turnout.semantic.SemanticScorer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns captured pairs into records on one background thread: assembling and comparing cost time
 * in the capped answer length, never work for an event loop. Pairs are queued and the thread takes
 * them in batches every {@value #BATCH_MS} ms, so an event loop never wakes a thread per pair.
 * Every sink gets each record, then a flush. Shared by all event loops.
 *
 * <p>When a {@link SemanticScorer} is given, a pair whose answers can be compared in meaning is
 * handed to it after the lexical comparison (its captures' bytes are released then: the scorer holds
 * texts cut to what the model reads, within its own bounded queue). The scorer's worker hands the
 * similarity back through a queue this thread drains, so the verdict is judged against the noise
 * floor, and the report and every sink are written, on this one thread. A pair the scorer refuses
 * (pool full, not sampled, model loading...) is recorded at once with its lexical verdict and the
 * reason in {@code metrics.semanticStatus}.
 *
 * <p>Memory is bounded in bytes, not pairs: every capture holds its buffer against one
 * {@link ShadowBudget} ({@code shadow.pendingDiffBytes}) from its first byte until the differ has
 * compared its pair. When the differ falls behind, queued pairs hold the budget, new captures cannot
 * reserve, and their pairs are shed ({@code differ_backlog}) instead of piling up on the heap.
 */
public final class DiffPipeline implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DiffPipeline.class.getName());
    static final int SAMPLE_CHARS = 4096;
    static final long BATCH_MS = 10;
    /** A backstop only: each pair holds at least two initial buffers of the byte budget. */
    static final int QUEUE_CAPACITY = 10_000;

    /** The comparison itself; a seam so that a test can make the differ slow. */
    interface Differ {
        DiffMetrics compare(Exchange primary, Exchange candidate, DiffOptions options);
    }

    private record Pair(String id, String alias, String primary, String candidate, String kind, boolean wantsJson,
                        byte[] request, Capture primaryCapture, Capture candidateCapture) {}

    /** A compared pair on its way to the report: what the record needs, texts already cut to samples. */
    private record Compared(Pair pair, DiffMetrics lexical, String requestSample, String primarySample,
                            String candidateSample) {}

    /** A scored pair back from a semantic worker; at most the scorer's queue plus its workers are ever here. */
    private record Scored(Compared compared, Double similarity, String status) {}

    private final BlockingQueue<Pair> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Queue<Scored> scored = new ConcurrentLinkedQueue<>();
    private final Thread worker;
    private final GatewayMetrics metrics;
    private final DiffReport report;
    private final List<DiffSink> sinks;
    private final boolean redact;
    private final ShadowBudget budget;
    private final Differ differ;
    private final SemanticScorer scorer;

    public DiffPipeline(GatewayMetrics metrics, DiffReport report, List<DiffSink> sinks, boolean redact, long budgetBytes) {
        this(metrics, report, sinks, redact, budgetBytes, (SemanticScorer) null);
    }

    /** @param scorer meaning-level similarity for comparable pairs; null for none (lexical verdicts only) */
    public DiffPipeline(GatewayMetrics metrics, DiffReport report, List<DiffSink> sinks, boolean redact, long budgetBytes,
                        SemanticScorer scorer) {
        this(metrics, report, sinks, redact, budgetBytes, ResponseDiffer::compare, scorer);
    }

    DiffPipeline(GatewayMetrics metrics, DiffReport report, List<DiffSink> sinks, boolean redact, long budgetBytes,
                 Differ differ) {
        this(metrics, report, sinks, redact, budgetBytes, differ, null);
    }

    DiffPipeline(GatewayMetrics metrics, DiffReport report, List<DiffSink> sinks, boolean redact, long budgetBytes,
                 Differ differ, SemanticScorer scorer) {
        this.metrics = requireNonNull(metrics, "metrics");
        this.report = requireNonNull(report, "report");
        this.sinks = List.copyOf(sinks);
        this.redact = redact;
        this.budget = new ShadowBudget(budgetBytes);
        this.differ = requireNonNull(differ, "differ");
        this.scorer = scorer;
        metrics.shadowHeldBytes(budget, ShadowBudget::held);
        this.worker = new Thread(this::work, "turnout-differ");
        worker.setDaemon(true);
        worker.start();
    }

    public DiffReport report() {
        return report;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    ShadowBudget budget() {
        return budget;
    }

    /**
     * A capture with its first buffer reserved, or null when the byte budget is spent. Public for
     * answers read outside the data plane (replays), which share the shadows' budget and differ.
     */
    public Capture open(long startNanos, int capBytes) {
        return Capture.open(startNanos, capBytes, budget);
    }

    /**
     * A capture holding an answer that ended elsewhere (a recorded primary answer), its bytes
     * reserved from the same budget; null when the budget has no room for them.
     */
    public Capture ended(int status, boolean streamed, byte[] answer, double totalMs, Double ttftMs) {
        return Capture.ended(status, streamed, answer, totalMs, ttftMs, budget);
    }

    /**
     * Queues a pair of captures that have both ended and that no other pair holds (a replay's),
     * for the same comparison, report and sinks as shadow pairs; a null side (no room in the
     * budget) or a full queue sheds it, counted like a shadow's. True when it was queued.
     */
    public boolean submitEnded(String id, String alias, String primary, String candidate, String kind, boolean wantsJson,
                               byte[] request, Capture primaryCapture, Capture candidateCapture) {
        if (primaryCapture == null || candidateCapture == null) {
            if (primaryCapture != null) primaryCapture.discard();
            if (candidateCapture != null) candidateCapture.discard();
            dropped(alias, primary, candidate, "differ_backlog");
            return false;
        }
        if (!primaryCapture.done() || !candidateCapture.done()) throw new IllegalStateException("both sides must have ended");
        primaryCapture.retain();
        candidateCapture.retain();
        return submit(id, alias, primary, candidate, kind, wantsJson, request, primaryCapture, candidateCapture);
    }

    /** A shadow not sent or a pair not compared: counted by reason, and next to its pairs in the report. */
    void dropped(String alias, String primary, String candidate, String reason) {
        metrics.shadowDropped(reason);
        report.dropped(alias, primary, candidate);
    }

    /**
     * Queues one pair whose sides have both ended, or sheds it when a side was shed or the queue is
     * full; never blocks. The pair's bytes are already reserved: they stay so until it is compared.
     * True when it was queued.
     */
    boolean submit(String id, String alias, String primary, String candidate, String kind, boolean wantsJson,
                byte[] request, Capture primaryCapture, Capture candidateCapture) {
        String shed = primaryCapture.shedReason() != null ? primaryCapture.shedReason() : candidateCapture.shedReason();
        if (shed == null && queue.offer(new Pair(id, alias, primary, candidate, kind, wantsJson, request, primaryCapture,
                candidateCapture))) {
            return true;
        }
        primaryCapture.releaseBytes();
        candidateCapture.releaseBytes();
        dropped(alias, primary, candidate, shed != null ? shed : "differ_backlog");
        return false;
    }

    private void work() {
        List<Pair> batch = new ArrayList<>();
        while (!Thread.currentThread().isInterrupted()) {
            queue.drainTo(batch);
            boolean recorded = recordScored();
            if (batch.isEmpty()) {
                if (recorded) sinks.forEach(DiffSink::flush);
                else LockSupport.parkNanos(BATCH_MS * 1_000_000);
                continue;
            }
            for (Pair pair : batch) {
                try {
                    compare(pair);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "diff of " + pair.alias() + "/" + pair.candidate() + " failed", e);
                } finally {
                    pair.primaryCapture().releaseBytes();
                    pair.candidateCapture().releaseBytes();
                }
            }
            batch.clear();
            sinks.forEach(DiffSink::flush);
        }
    }

    private void compare(Pair pair) {
        Exchange left = pair.primaryCapture().toExchange();
        Exchange right = pair.candidateCapture().toExchange();
        DiffMetrics lexical = differ.compare(left, right, DiffOptions.defaults(pair.wantsJson()));
        Compared compared = new Compared(pair, lexical,
                redact ? null : sample(new String(pair.request(), StandardCharsets.UTF_8)),
                redact ? null : sample(left.response().text()), redact ? null : sample(right.response().text()));
        if (scorer == null || !lexical.semanticApplicable()) {
            record(compared, null, DiffMetrics.DISABLED); // judge() says not_applicable where it is
            return;
        }
        Optional<Refusal> refused = scorer.score(pair.id(), left.response().text(), right.response().text(),
                new SemanticScorer.Result() {
                    @Override
                    public void scored(double similarity) {
                        scored.add(new Scored(compared, similarity, DiffMetrics.SCORED));
                    }

                    @Override
                    public void failed(String reason) {
                        LOG.fine(() -> "semantic score of " + pair.id() + " failed: " + reason);
                        scored.add(new Scored(compared, null, DiffMetrics.skipped("failed")));
                    }
                });
        refused.ifPresent(refusal -> record(compared, null, DiffMetrics.skipped(refusal.label())));
    }

    /** Records the pairs the semantic workers have scored since the last call; true if there were any. */
    private boolean recordScored() {
        boolean any = false;
        for (Scored next; (next = scored.poll()) != null; any = true) {
            try {
                record(next.compared(), next.similarity(), next.status());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "recording the diff of " + next.compared().pair().id() + " failed", e);
            }
        }
        return any;
    }

    /** Judges the verdict against the noise floor, then writes the record everywhere: on this thread only. */
    private void record(Compared compared, Double similarity, String semanticStatus) {
        Pair pair = compared.pair();
        boolean noise = pair.kind().equals(DiffRecord.NOISE);
        DiffMetrics diff = report.judge(pair.alias(), pair.primary(), noise, compared.lexical(), similarity, semanticStatus);
        DiffRecord record = new DiffRecord(pair.id(), Instant.now(), pair.alias(), pair.primary(), pair.candidate(),
                pair.kind(), diff, compared.requestSample(), compared.primarySample(), compared.candidateSample());
        metrics.diff(pair.alias(), pair.candidate(), noise ? "noise_" + diff.verdict().label() : diff.verdict().label());
        report.accept(record);
        for (DiffSink sink : sinks) sink.accept(record);
    }

    private static String sample(String text) {
        return text.length() <= SAMPLE_CHARS ? text : text.substring(0, SAMPLE_CHARS) + "…";
    }

    @Override
    public void close() {
        if (scorer != null) scorer.close();
        worker.interrupt();
        try {
            worker.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        recordScored(); // the pairs the scorer finished, or failed on closing, still reach the sinks
        sinks.forEach(DiffSink::close);
    }
}
