package dev.turnout.semantic;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * The semantic scorer's meters. Labels come from fixed sets only ({@link Refusal} and two results).
 * <pre>
 *   turnout_semantic_pairs_total{result=scored|failed}
 *   turnout_semantic_skipped_total{reason=disabled|not_sampled|pool_full|model_loading|model_unavailable}
 *   turnout_semantic_seconds              timer: embedding and comparing one pair, on a worker
 *   turnout_semantic_queued_pairs         gauge: pairs waiting for a worker
 * </pre>
 */
final class SemanticMetrics {

    private final Counter scored;
    private final Counter failed;
    private final Map<Refusal, Counter> skipped;
    private final Timer duration;

    SemanticMetrics(MeterRegistry registry, IntSupplier queuedPairs) {
        scored = pairs(registry, "scored");
        failed = pairs(registry, "failed");
        Map<Refusal, Counter> byReason = new EnumMap<>(Refusal.class);
        for (Refusal reason : Refusal.values()) {
            byReason.put(reason, Counter.builder("turnout_semantic_skipped_total").tag("reason", reason.label())
                    .description("Pairs refused without scoring, by reason").register(registry));
        }
        skipped = Map.copyOf(byReason);
        duration = Timer.builder("turnout_semantic_seconds").description("Embedding and comparing one pair")
                .register(registry);
        // Strong reference: a gauge otherwise holds its source weakly and would vanish with the lambda.
        Gauge.builder("turnout_semantic_queued_pairs", queuedPairs, IntSupplier::getAsInt)
                .description("Pairs waiting for a semantic worker").strongReference(true).register(registry);
    }

    private static Counter pairs(MeterRegistry registry, String result) {
        return Counter.builder("turnout_semantic_pairs_total").tag("result", result)
                .description("Pairs the semantic scorer finished, by result").register(registry);
    }

    void scored(long nanos) {
        scored.increment();
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    void failed(long nanos) {
        failed.increment();
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }

    void skipped(Refusal reason) {
        skipped.get(reason).increment();
    }
}
