package dev.turnout.load;

import dev.turnout.config.GatewayConfig;
import dev.turnout.semantic.SemanticScorer;
import dev.turnout.semantic.SentenceEmbedder;
import dev.turnout.sim.SimText;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What semantic scoring costs: per pair (both answers embedded, nothing cached) for short (~20 word
 * pieces), one-window (~250) and long (~2 000, read up to the 512 cap) answers, with the int8 model
 * the gateway ships and the float32 original; then how many pairs per second a one-thread
 * {@link SemanticScorer} finishes. CPU time is the calling thread's (the session runs on it alone),
 * so it holds on a busy machine; wall time does not. Not part of {@link Bench}: run it alone,
 * {@code java -cp <classpath.txt>:target/turnout.jar:load-tests/target/turnout-load-tests.jar dev.turnout.load.SemanticCost}.
 */
final class SemanticCost {

    private static final int CAP = 512;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private SemanticCost() {}

    public static void main(String[] args) throws Exception {
        System.out.println("| model | answer | word pieces read | CPU ms / pair | wall ms / pair | load ms |");
        System.out.println("|---|---|---|---|---|---|");
        float[][] shipped = null;
        for (SentenceEmbedder.Model model : SentenceEmbedder.Model.values()) {
            long loadStart = System.nanoTime();
            try (SentenceEmbedder embedder = SentenceEmbedder.load(model, CAP)) {
                long loadMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStart);
                row(embedder, model, "short", 16, 60, loadMs);
                row(embedder, model, "one window", 200, 20, loadMs);
                row(embedder, model, "long (capped)", 1_600, 10, loadMs);
                float[][] vectors = qualityVectors(embedder);
                if (shipped == null) {
                    shipped = vectors;
                    printQuality(model, vectors, null);
                } else {
                    printQuality(model, vectors, shipped);
                }
            }
        }
        poolThroughput();
    }

    private static void row(SentenceEmbedder embedder, SentenceEmbedder.Model model, String label, int words, int pairs,
                            long loadMs) {
        String[] primaries = new String[pairs];
        String[] candidates = new String[pairs];
        for (int i = 0; i < pairs; i++) {
            primaries[i] = String.join(" ", SimText.words("v1", 42, "prompt " + i, words));
            candidates[i] = String.join(" ", SimText.words("v2", 42, "prompt " + i, words));
        }
        for (int i = 0; i < 3; i++) embedder.embed(primaries[i]); // warm-up
        long cpuStart = THREADS.getCurrentThreadCpuTime();
        long wallStart = System.nanoTime();
        double sink = 0;
        for (int i = 0; i < pairs; i++) {
            sink += SentenceEmbedder.cosine(embedder.embed(primaries[i]), embedder.embed(candidates[i]));
        }
        double cpuMs = (THREADS.getCurrentThreadCpuTime() - cpuStart) / 1e6 / pairs;
        double wallMs = (System.nanoTime() - wallStart) / 1e6 / pairs;
        int pieces = Math.min(CAP, embedder.wordPieces(primaries[0]));
        System.out.printf("| %s | %s | %d | %.1f | %.1f | %d |%s%n", model, label, pieces, cpuMs, wallMs, loadMs,
                sink == 42 ? " " : "");
    }

    private static final List<String[]> QUALITY_PAIRS = List.of(
            new String[] {"Your refund will reach your account within five business days.", "You will get your money back in about a week."},
            new String[] {"Your refund will reach your account within five business days.", "Paris is the capital of France."},
            new String[] {"The parcel left the warehouse this morning and arrives on Friday.", "Your package shipped today; expect it by the end of the week."},
            new String[] {"The parcel left the warehouse this morning and arrives on Friday.", "Reset your password from the account settings page."},
            new String[] {"I can't help with that request.", "Sorry, I am unable to assist with this."},
            new String[] {"I can't help with that request.", "Here is the SQL query you asked for: SELECT * FROM orders;"});

    private static float[][] qualityVectors(SentenceEmbedder embedder) {
        float[][] vectors = new float[QUALITY_PAIRS.size() * 2][];
        for (int i = 0; i < QUALITY_PAIRS.size(); i++) {
            vectors[2 * i] = embedder.embed(QUALITY_PAIRS.get(i)[0]);
            vectors[2 * i + 1] = embedder.embed(QUALITY_PAIRS.get(i)[1]);
        }
        return vectors;
    }

    /** Similarity of related / unrelated pairs; against the shipped model, how far each vector moved. */
    private static void printQuality(SentenceEmbedder.Model model, float[][] vectors, float[][] shipped) {
        StringBuilder line = new StringBuilder("quality " + model + ": pair similarities (related, unrelated, ...) ");
        for (int i = 0; i < vectors.length; i += 2) {
            line.append(String.format("%.3f ", SentenceEmbedder.cosine(vectors[i], vectors[i + 1])));
        }
        if (shipped != null) {
            double lowest = 1;
            for (int i = 0; i < vectors.length; i++) lowest = Math.min(lowest, SentenceEmbedder.cosine(vectors[i], shipped[i]));
            line.append(String.format("; lowest cosine between the two models' vectors of one text: %.4f", lowest));
        }
        System.out.println(line);
    }

    /** One worker, queue of 64, one-window answers, distinct requests (no primary shared), then two pairs per request. */
    private static void poolThroughput() throws Exception {
        GatewayConfig.Semantic config = new GatewayConfig.Semantic(true, 1.0, 1, CAP, 64, 0.05, 30);
        try (SemanticScorer scorer = SemanticScorer.start(config, new SimpleMeterRegistry()).loadInBackground()) {
            scorer.whenModelLoaded().get(60, TimeUnit.SECONDS);
            for (int pairsPerRequest : new int[] {1, 2}) {
                int pairs = 80;
                CountDownLatch done = new CountDownLatch(pairs);
                AtomicInteger failed = new AtomicInteger();
                SemanticScorer.Result result = new SemanticScorer.Result() {
                    @Override
                    public void scored(double similarity) {
                        done.countDown();
                    }

                    @Override
                    public void failed(String reason) {
                        failed.incrementAndGet();
                        done.countDown();
                    }
                };
                long start = System.nanoTime();
                for (int i = 0; i < pairs; i++) {
                    String request = "bench-" + pairsPerRequest + "-" + (i / pairsPerRequest);
                    String primary = String.join(" ", SimText.words("v1", 7, request, 200));
                    String other = String.join(" ", SimText.words("v2", 7, "prompt " + i, 200));
                    while (scorer.score(request, primary, other, result).isPresent()) Thread.sleep(5); // pool_full: wait, as a load generator
                }
                done.await(10, TimeUnit.MINUTES);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("pool, 1 thread, one-window answers, %d pair(s) per request: %.1f pairs/s (%d failed)%n",
                        pairsPerRequest, pairs / seconds, failed.get());
            }
        }
    }
}
