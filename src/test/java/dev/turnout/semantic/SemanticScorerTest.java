package dev.turnout.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.turnout.config.GatewayConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real inference: one model for the class, shared by every scorer (which therefore does not own it). */
class SemanticScorerTest {

    private static final String PRIMARY = "Your refund will reach your account within five business days.";
    private static final String PARAPHRASE = "You will get your money back in about a week.";
    private static final String UNRELATED = "Paris is the capital of France and sits on the Seine.";

    private static SentenceEmbedder embedder;

    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<SemanticScorer> scorers = new ArrayList<>();

    @BeforeAll
    static void loadModel() {
        embedder = SentenceEmbedder.load(SentenceEmbedder.Model.MINI_LM_L6_V2_Q, 512);
    }

    @AfterAll
    static void closeModel() {
        embedder.close();
    }

    @AfterEach
    void closeScorers() {
        scorers.forEach(SemanticScorer::close);
    }

    @Test
    void shouldScoreAParaphraseAboveAnUnrelatedAnswerOnAWorkerThread() throws Exception {
        SemanticScorer scorer = readyScorer(config(true, 1.0, 1, 8));
        Outcome paraphrase = new Outcome();
        Outcome unrelated = new Outcome();

        assertThat(scorer.score("req-1", PRIMARY, PARAPHRASE, paraphrase)).isEmpty();
        assertThat(scorer.score("req-1", PRIMARY, UNRELATED, unrelated)).isEmpty();

        assertThat(paraphrase.similarity()).isGreaterThan(unrelated.similarity() + 0.3);
        assertThat(paraphrase.thread).isEqualTo("turnout-semantic-1");
        assertThat(registry.get("turnout_semantic_pairs_total").tag("result", "scored").counter().count()).isEqualTo(2);
        assertThat(registry.get("turnout_semantic_seconds").timer().count()).isEqualTo(2);
    }

    @Test
    void shouldRunItsWorkersAtTheLowestCpuPrioritySoTheEventLoopsAlwaysWin() throws Exception {
        SemanticScorer scorer = readyScorer(config(true, 1.0, 1, 8));
        java.util.concurrent.atomic.AtomicReference<Integer> workerNice = new java.util.concurrent.atomic.AtomicReference<>();
        scorer.beforeEachPair(() -> workerNice.set(BackgroundPriority.currentNice()));
        Outcome outcome = new Outcome();
        scorer.score("req-1", PRIMARY, PARAPHRASE, outcome);
        outcome.similarity();
        assertThat(workerNice.get()).isEqualTo(BackgroundPriority.LOWEST);
        assertThat(BackgroundPriority.currentNice()).as("the caller's own thread is untouched").isZero();
    }

    @Test
    void shouldSayWhetherItsModelIsLoadingReadyUnavailableOrDisabled() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        SemanticScorer slow = scorer(config(true, 1.0, 1, 8), () -> {
            awaitQuietly(release);
            return embedder;
        });
        assertThat(slow.state()).isEqualTo("loading");
        release.countDown();
        slow.whenModelLoaded().join();
        assertThat(slow.state()).isEqualTo("ready");
        SemanticScorer broken = scorer(config(true, 1.0, 1, 8), () -> {
            throw new IllegalStateException("no native library here");
        });
        assertThat(broken.whenModelLoaded()).failsWithin(30, TimeUnit.SECONDS);
        assertThat(broken.state()).isEqualTo("unavailable");
        assertThat(scorer(config(false, 1.0, 1, 8), () -> embedder).state()).isEqualTo("disabled");
        slow.close();
        assertThat(slow.state()).isEqualTo("disabled");
    }

    @Test
    void shouldEmbedThePrimaryOnceForAllPairsOfARequest() throws Exception {
        SemanticScorer scorer = readyScorer(config(true, 1.0, 1, 8));
        Outcome candidate = new Outcome();
        Outcome noise = new Outcome();

        scorer.score("req-1", PRIMARY, PARAPHRASE, candidate);
        candidate.similarity();
        scorer.score("req-1", PRIMARY, PRIMARY + " Thanks for waiting.", noise);
        noise.similarity();

        assertThat(scorer.embeddingsComputed()).isEqualTo(3);
    }

    @Test
    void shouldEmbedAnotherPrimaryTextUnderTheSameIdAfresh() throws Exception {
        SemanticScorer scorer = readyScorer(config(true, 1.0, 1, 8));
        Outcome first = new Outcome();
        Outcome second = new Outcome();

        scorer.score("req-1", PRIMARY, PARAPHRASE, first);
        first.similarity();
        scorer.score("req-1", UNRELATED, UNRELATED, second);

        assertThat(second.similarity()).isGreaterThan(0.999);
        assertThat(scorer.embeddingsComputed()).isEqualTo(4);
    }

    @Test
    void shouldRefuseAtOnceWhenTheQueueIsFull() throws Exception {
        SemanticScorer scorer = readyScorer(config(true, 1.0, 1, 1));
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        scorer.beforeEachPair(() -> {
            working.countDown();
            awaitQuietly(release);
        });
        Outcome running = new Outcome();
        Outcome queued = new Outcome();

        assertThat(scorer.score("req-1", PRIMARY, PARAPHRASE, running)).isEmpty();
        assertThat(working.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(scorer.score("req-2", PRIMARY, PARAPHRASE, queued)).isEmpty();
        int refused = 0;
        for (int i = 0; i < 10; i++) {
            if (scorer.score("req-" + (3 + i), PRIMARY, PARAPHRASE, new Outcome()).isPresent()) refused++;
        }

        assertThat(refused).isEqualTo(10);
        assertThat(skipped("pool_full")).isEqualTo(10);
        assertThat(registry.get("turnout_semantic_queued_pairs").gauge().value()).isEqualTo(1);
        release.countDown();
        assertThat(running.similarity()).isGreaterThan(0.5);
        assertThat(queued.similarity()).isGreaterThan(0.5);
    }

    @Test
    void shouldRefuseRequestsOutsideTheSample() {
        SemanticScorer scorer = readyScorer(config(true, 0.0, 1, 8));

        assertThat(scorer.score("req-1", PRIMARY, PARAPHRASE, new Outcome())).isPresent();
        assertThat(skipped("not_sampled")).isEqualTo(1);
        assertThat(scorer.embeddingsComputed()).isZero();
    }

    @Test
    void shouldSampleByRequestIdSoThatARequestsPairsShareTheDecision() {
        int sampled = 0;
        for (int i = 0; i < 20_000; i++) {
            String id = "request-" + i;
            boolean first = SemanticScorer.sampled(id, 0.25);
            assertThat(SemanticScorer.sampled(id, 0.25)).isEqualTo(first);
            if (first) sampled++;
        }
        assertThat(sampled).isBetween(4_700, 5_300);
    }

    @Test
    void shouldRefuseEverythingAndLoadNothingWhenDisabled() {
        AtomicInteger loads = new AtomicInteger();
        SemanticScorer scorer = scorer(config(false, 1.0, 1, 8), () -> {
            loads.incrementAndGet();
            return embedder;
        });

        assertThat(scorer.score("req-1", PRIMARY, PARAPHRASE, new Outcome())).isPresent();
        assertThat(skipped("disabled")).isEqualTo(1);
        assertThat(scorer.whenModelLoaded()).isNotDone();
        assertThat(loads).hasValue(0);
    }

    @Test
    void shouldRefuseWhileTheModelLoadsThenScore() throws Exception {
        CountDownLatch loaded = new CountDownLatch(1);
        SemanticScorer scorer = scorer(config(true, 1.0, 1, 8), () -> {
            awaitQuietly(loaded);
            return embedder;
        });

        assertThat(scorer.score("req-1", PRIMARY, PARAPHRASE, new Outcome())).isPresent();
        assertThat(skipped("model_loading")).isEqualTo(1);
        loaded.countDown();
        scorer.whenModelLoaded().get(10, TimeUnit.SECONDS);
        Outcome outcome = new Outcome();
        assertThat(scorer.score("req-1", PRIMARY, PARAPHRASE, outcome)).isEmpty();
        assertThat(outcome.similarity()).isGreaterThan(0.5);
    }

    @Test
    void shouldLetALoadUnderWayFinishBeforeCloseReturns() throws Exception {
        // ONNX Runtime's own shutdown hook frees its environment: a process exiting right after close() must not
        // still be building a session (a test run that ended mid-load crashed its JVM with SIGSEGV that way).
        CountDownLatch inLoad = new CountDownLatch(1);
        AtomicBoolean loaderOut = new AtomicBoolean();
        SemanticScorer scorer = scorer(config(true, 1.0, 1, 8), () -> {
            inLoad.countDown();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(700)); // the native session build
            loaderOut.set(true);
            return embedder;
        });
        assertThat(inLoad.await(10, TimeUnit.SECONDS)).isTrue();

        scorer.close();

        assertThat(loaderOut).as("close returned while the loader was still in the model's native code").isTrue();
        assertThat(scorer.state()).isEqualTo("disabled"); // closed before it was ready: it never serves
    }

    @Test
    void shouldRefuseEverythingWhenTheModelCannotLoad() {
        SemanticScorer scorer = scorer(config(true, 1.0, 1, 8), () -> {
            throw new UnsatisfiedLinkError("no libtokenizers.so for this platform");
        });

        assertThatThrownBy(() -> scorer.whenModelLoaded().get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(UnsatisfiedLinkError.class);
        assertThat(scorer.score("req-1", PRIMARY, PARAPHRASE, new Outcome())).isPresent();
        assertThat(scorer.score("req-2", PRIMARY, PARAPHRASE, new Outcome())).isPresent();
        assertThat(skipped("model_unavailable")).isEqualTo(2);
    }

    @Test
    void shouldTellQueuedPairsTheyFailedWhenClosed() throws Exception {
        SemanticScorer scorer = readyScorer(config(true, 1.0, 1, 4));
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        scorer.beforeEachPair(() -> {
            working.countDown();
            awaitQuietly(release);
        });
        scorer.score("req-1", PRIMARY, PARAPHRASE, new Outcome());
        working.await(10, TimeUnit.SECONDS);
        Outcome queued = new Outcome();
        scorer.score("req-2", PRIMARY, PARAPHRASE, queued);

        CompletableFuture<Void> closing = CompletableFuture.runAsync(scorer::close);
        assertThat(queued.failure.get(10, TimeUnit.SECONDS)).contains("closed");
        release.countDown();
        closing.get(10, TimeUnit.SECONDS);
        assertThat(scorer.score("req-3", PRIMARY, PARAPHRASE, new Outcome())).isPresent();
        assertThat(skipped("disabled")).isEqualTo(1);
    }

    @Test
    void shouldBoundThePrimaryCacheInEntriesAndBytes() {
        PrimaryCache cache = new PrimaryCache(3, 1_000_000);
        float[] vector = new float[SentenceEmbedder.DIMENSIONS];
        for (int i = 0; i < 10; i++) cache.put("req-" + i, "text", vector);
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get("req-9", "text")).isSameAs(vector);
        assertThat(cache.get("req-0", "text")).isNull();

        long oneEntry = PrimaryCache.entryBytes("req-0", vector);
        PrimaryCache small = new PrimaryCache(100, 2 * oneEntry);
        for (int i = 0; i < 10; i++) small.put("req-" + i, "text", vector);
        assertThat(small.size()).isEqualTo(2);
        assertThat(small.bytes()).isLessThanOrEqualTo(2 * oneEntry);

        cache.put("x".repeat(PrimaryCache.MAX_ID_CHARS + 1), "text", vector);
        assertThat(cache.get("x".repeat(PrimaryCache.MAX_ID_CHARS + 1), "text")).isNull();
    }

    private SemanticScorer readyScorer(GatewayConfig.Semantic config) {
        SemanticScorer scorer = scorer(config, () -> embedder);
        scorer.whenModelLoaded().join();
        return scorer;
    }

    private SemanticScorer scorer(GatewayConfig.Semantic config, Supplier<SentenceEmbedder> loader) {
        SemanticScorer scorer = new SemanticScorer(config, registry, loader, false).loadInBackground();
        scorers.add(scorer);
        return scorer;
    }

    private double skipped(String reason) {
        return registry.get("turnout_semantic_skipped_total").tag("reason", reason).counter().count();
    }

    private static GatewayConfig.Semantic config(boolean enabled, double sample, int threads, int queuePairs) {
        return new GatewayConfig.Semantic(enabled, sample, threads, 512, queuePairs, 0.05, 30);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What a pair gave back, and on which thread. */
    private static final class Outcome implements SemanticScorer.Result {
        final CompletableFuture<Double> score = new CompletableFuture<>();
        final CompletableFuture<String> failure = new CompletableFuture<>();
        volatile String thread;

        @Override
        public void scored(double similarity) {
            thread = Thread.currentThread().getName();
            score.complete(similarity);
        }

        @Override
        public void failed(String reason) {
            failure.complete(reason);
        }

        double similarity() throws Exception {
            return score.get(30, TimeUnit.SECONDS);
        }
    }
}
