package dev.turnout.semantic;

import static java.util.Objects.requireNonNull;

import dev.turnout.config.GatewayConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import net.openhft.hashing.LongHashFunction;

/**
 * Scores how close in meaning two answers are, off the caller's thread, with bounded memory.
 * <pre>
 *   score() ── refused at once (counted by {@link Refusal}) ──▶ the refusal
 *      │ texts cut to what the embedder reads
 *      ▼
 *   queue of ≤ queuePairs pairs ──▶ `threads` workers (turnout-semantic-N), one core each
 *                                      primary: cache by request id, else embed
 *                                      other:   embed ──▶ cosine ──▶ Result, on the worker
 * </pre>
 * Memory: a queued pair holds two texts of at most {@link SentenceEmbedder#maxUsefulChars} characters
 * ({@code maxTokens × 12}), so the queue holds at most {@code queuePairs × 2 × maxTokens × 12} characters
 * (1.5 MiB for the defaults, 64 pairs and 512 tokens, at 2 bytes a character); the primary cache holds at
 * most {@code 2 × (queuePairs + threads)} vectors, and 2 KiB each.
 *
 * <p>The model loads on a background thread once {@link #loadInBackground()} is called (~1.5 s; the
 * gateway calls it when it listens): until then pairs are refused as
 * {@code model_loading}. If it cannot load, one warning says why and every pair is refused as
 * {@code model_unavailable}; the gateway and its lexical diffs go on.
 */
public final class SemanticScorer implements AutoCloseable {

    /** What a scored pair gives back, on a worker thread. */
    public interface Result {
        void scored(double similarity);

        void failed(String reason);
    }

    private static final Logger LOG = Logger.getLogger(SemanticScorer.class.getName());
    /** Its own seed, so that being sampled is independent of the sticky routing hash. */
    private static final LongHashFunction SAMPLE_HASH = LongHashFunction.xx(0x5E3A_271C_0DE5L);
    private static final long CLOSE_WAIT_MS = 5_000;
    private static final long LOAD_WAIT_MS = 30_000;
    private static final AtomicBoolean LOWER_PRIORITY_WARNED = new AtomicBoolean();

    private record Pair(String requestId, String primaryText, String otherText, Result result) {}

    /** A queued pair: a class, not a lambda, so that close() can tell the pairs it drops that they failed. */
    private final class PairTask implements Runnable {
        final Pair pair;

        PairTask(Pair pair) {
            this.pair = pair;
        }

        @Override
        public void run() {
            scoreNow(pair);
        }
    }

    private final GatewayConfig.Semantic config;
    private final SemanticMetrics metrics;
    private final PrimaryCache primaries;
    private final ThreadPoolExecutor workers;
    private final CompletableFuture<SentenceEmbedder> model = new CompletableFuture<>();
    /** Done once the loader thread is out of the model's native code, however the load went. */
    private final CompletableFuture<Void> loaderDone = new CompletableFuture<>();
    private final boolean ownsModel;
    private final AtomicLong embeddings = new AtomicLong();
    private volatile Runnable beforeEachPair = () -> {};
    private volatile boolean closed;

    /**
     * Starts the workers and loads the int8 all-MiniLM-L6-v2 in the background; returns at once.
     * When {@code config.enabled()} is false, nothing is loaded or started and every pair is refused.
     */
    public static SemanticScorer start(GatewayConfig.Semantic config, MeterRegistry registry) {
        // One model per process, however many gateways it runs (tests start dozens): never closed.
        return new SemanticScorer(config, registry,
                () -> SentenceEmbedder.shared(SentenceEmbedder.Model.MINI_LM_L6_V2_Q, config.maxTokens()), false);
    }

    private final Supplier<SentenceEmbedder> loader;
    private boolean loading;

    /** @param ownsModel whether {@link #close()} closes what {@code loader} gave (tests share one model) */
    SemanticScorer(GatewayConfig.Semantic config, MeterRegistry registry, Supplier<SentenceEmbedder> loader,
                   boolean ownsModel) {
        this.config = requireNonNull(config, "config");
        requireNonNull(registry, "registry");
        requireNonNull(loader, "loader");
        if (config.threads() < 1) throw new IllegalArgumentException("threads: " + config.threads() + " (expected: > 0)");
        if (config.queuePairs() < 1) {
            throw new IllegalArgumentException("queuePairs: " + config.queuePairs() + " (expected: > 0)");
        }
        this.ownsModel = ownsModel;
        int cached = 2 * (config.queuePairs() + config.threads());
        this.primaries = new PrimaryCache(cached, 2048L * cached);
        this.workers = config.enabled() ? newWorkers(config.threads(), config.queuePairs()) : null;
        this.metrics = new SemanticMetrics(registry, () -> workers == null ? 0 : workers.getQueue().size());
        this.loader = loader;
    }

    /**
     * Starts loading the model on a background thread (once; later calls do nothing). The gateway
     * calls it once it listens: on two cores, a second and a half of model loading beside start-up
     * would delay the first request by a few hundred milliseconds.
     */
    public synchronized SemanticScorer loadInBackground() {
        if (!config.enabled() || loading || closed) return this;
        loading = true;
        Thread thread = new Thread(() -> load(loader), "turnout-semantic-loader");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    private static ThreadPoolExecutor newWorkers(int threads, int queuePairs) {
        AtomicInteger number = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queuePairs), task -> {
                    Thread thread = new Thread(() -> {
                        boolean lowered = BackgroundPriority.lowerCurrentThread();
                        if (!lowered && LOWER_PRIORITY_WARNED.compareAndSet(false, true)) {
                            LOG.warning("semantic workers could not lower their CPU priority (not Linux, or setpriority "
                                    + "failed): they compete with the event loops for the CPU; size diffs.semantic.threads "
                                    + "to the cores you can spare");
                        }
                        task.run();
                    }, "turnout-semantic-" + number.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, new ThreadPoolExecutor.AbortPolicy());
        pool.prestartAllCoreThreads();
        return pool;
    }

    private void load(Supplier<SentenceEmbedder> loader) {
        long start = System.nanoTime();
        try {
            SentenceEmbedder embedder = requireNonNull(loader.get(), "the loader gave no model");
            synchronized (this) {
                if (closed) {
                    if (ownsModel) embedder.close();
                    return;
                }
                model.complete(embedder);
            }
            LOG.info(() -> String.format("semantic diffs: embedding model loaded in %d ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)));
        } catch (Throwable e) {
            // Typically a LinkageError or DJL's EngineException: ONNX Runtime's or the tokenizer's native
            // library would not load (a platform without a build, or no writable directory to extract it to).
            // Whatever it is, the scorer must leave model_loading for good.
            model.completeExceptionally(e);
            LOG.log(Level.WARNING, "semantic diffs are off: the embedding model could not load (" + e
                    + "); lexical diffs go on. If a native library failed, make DJL_CACHE_DIR (default ~/.djl.ai) "
                    + "and java.io.tmpdir writable.", e);
            if (e instanceof VirtualMachineError) throw (VirtualMachineError) e;
        } finally {
            loaderDone.complete(null);
        }
    }

    /**
     * Queues the pair, or refuses it at once and says why (counted by reason: see {@link Refusal}).
     * Never blocks. The result comes later, on a worker, only for a queued pair.
     */
    public Optional<Refusal> score(String requestId, String primaryText, String otherText, Result result) {
        requireNonNull(requestId, "requestId");
        requireNonNull(primaryText, "primaryText");
        requireNonNull(otherText, "otherText");
        requireNonNull(result, "result");
        Refusal refusal = refusal(requestId);
        if (refusal == null) {
            try {
                workers.execute(new PairTask(new Pair(requestId, cut(primaryText), cut(otherText), result)));
                return Optional.empty();
            } catch (RejectedExecutionException e) {
                refusal = closed ? Refusal.DISABLED : Refusal.POOL_FULL;
            }
        }
        metrics.skipped(refusal);
        return Optional.of(refusal);
    }

    private Refusal refusal(String requestId) {
        if (!config.enabled() || closed) return Refusal.DISABLED;
        if (!sampled(requestId, config.sample())) return Refusal.NOT_SAMPLED;
        if (!model.isDone()) return Refusal.MODEL_LOADING;
        if (model.isCompletedExceptionally()) return Refusal.MODEL_UNAVAILABLE;
        return null;
    }

    /** Decided by the id alone, so that all pairs of one request (candidates and noise) share the answer. */
    static boolean sampled(String requestId, double sample) {
        if (sample >= 1) return true;
        if (sample <= 0) return false;
        double uniform = (SAMPLE_HASH.hashChars(requestId) >>> 11) * 0x1.0p-53;
        return uniform < sample;
    }

    /** The part of a text the embedder can read at most; cut before queueing so queued bytes stay bounded. */
    private String cut(String text) {
        return SentenceEmbedder.readablePart(text, config.maxTokens());
    }

    private void scoreNow(Pair pair) {
        beforeEachPair.run();
        long start = System.nanoTime();
        double similarity;
        try {
            SentenceEmbedder embedder = model.getNow(null);
            float[] primary = primaries.get(pair.requestId(), pair.primaryText());
            // Two workers may miss together and both embed one primary: rare (a request's pairs are
            // queued apart, the noise pair after a second primary call) and only costs time.
            if (primary == null) {
                primary = embed(embedder, pair.primaryText());
                primaries.put(pair.requestId(), pair.primaryText(), primary);
            }
            similarity = SentenceEmbedder.cosine(primary, embed(embedder, pair.otherText()));
        } catch (RuntimeException e) {
            metrics.failed(System.nanoTime() - start);
            deliverFailure(pair, "embedding failed: " + e.getMessage());
            return;
        }
        metrics.scored(System.nanoTime() - start);
        try {
            pair.result().scored(similarity);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "semantic result callback failed for request " + pair.requestId(), e);
        }
    }

    private float[] embed(SentenceEmbedder embedder, String text) {
        embeddings.incrementAndGet();
        return embedder.embed(text);
    }

    private static void deliverFailure(Pair pair, String reason) {
        try {
            pair.result().failed(reason);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "semantic result callback failed for request " + pair.requestId(), e);
        }
    }

    /**
     * A load under way is let finish (bounded) before close returns. ONNX Runtime closes its native environment
     * in a JVM shutdown hook of its own, and a session being built under it dies of SIGSEGV: a process that
     * closes its gateway and exits (a test run ending, the demo stopped) during the load would crash on the way
     * out. The load takes a second or two, once per process.
     */
    private void awaitLoader(boolean started) {
        if (!started) return;
        try {
            loaderDone.get(LOAD_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warning("the embedding model was still loading " + LOAD_WAIT_MS + " ms after close");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e); // never: loaderDone is only ever completed normally
        }
    }

    /** Stops the workers: pairs still queued are told they failed; the model is closed once none runs. */
    @Override
    public void close() {
        boolean started;
        synchronized (this) {
            if (closed) return;
            closed = true;
            started = loading;
        }
        awaitLoader(started);
        if (workers == null) return;
        List<Runnable> dropped = workers.shutdownNow();
        for (Runnable task : dropped) {
            Pair pair = ((PairTask) task).pair;
            metrics.failed(0);
            deliverFailure(pair, "the semantic scorer closed");
        }
        try {
            // ONNX Runtime cannot be interrupted mid-run: closing the session under a worker would crash it.
            if (!workers.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
                LOG.warning("semantic workers still running after " + CLOSE_WAIT_MS + " ms; the model stays open");
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (ownsModel && model.isDone() && !model.isCompletedExceptionally()) model.join().close();
    }

    /**
     * For operators ({@code GET /admin/diffs}): {@code loading} until the model is in, {@code ready},
     * {@code unavailable} when it could not load (the log says why), {@code disabled} when closed or off.
     */
    public String state() {
        if (!config.enabled() || closed) return "disabled";
        if (!model.isDone()) return "loading";
        return model.isCompletedExceptionally() ? "unavailable" : "ready";
    }

    /** Completes when the model is loaded, exceptionally when it cannot be; never when disabled. */
    public CompletableFuture<Void> whenModelLoaded() {
        return model.thenApply(loaded -> null);
    }

    /** Embeddings computed so far: a test counts what the primary cache saved. */
    long embeddingsComputed() {
        return embeddings.get();
    }

    /** A test seam: runs on the worker before each pair (a test blocks it to fill the queue). */
    void beforeEachPair(Runnable hook) {
        this.beforeEachPair = requireNonNull(hook, "hook");
    }

    int queuedPairs() {
        return workers == null ? 0 : workers.getQueue().size();
    }
}
