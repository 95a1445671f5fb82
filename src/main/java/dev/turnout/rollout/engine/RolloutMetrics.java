package dev.turnout.rollout.engine;

import dev.turnout.route.Alias;
import dev.turnout.route.RouteTable;
import dev.turnout.rollout.StepWeights;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code turnout_rollout_weight{alias,candidate}}: the candidate's share of each alias under an active
 * rollout, as this instance serves it; {@code turnout_rollout_decisions_total{decision}}: what the
 * leader (or an operator) decided; {@code turnout_rollout_leader}: 1 on the instance that leads. The
 * labels are names operators gave in routes, and decisions from a fixed list: never a client's value.
 */
public final class RolloutMetrics {

    static final List<String> DECISIONS = List.of("pass", "fail", "timed_out", "promoted", "rolled_back", "paused", "aborted");

    private final Map<String, Counter> decisions;
    private final MultiGauge weights;
    private final AtomicInteger leader = new AtomicInteger();

    public RolloutMetrics(MeterRegistry registry) {
        java.util.LinkedHashMap<String, Counter> counters = new java.util.LinkedHashMap<>();
        for (String decision : DECISIONS) {
            counters.put(decision, Counter.builder("turnout_rollout_decisions_total")
                    .description("Rollout step decisions and actions, by decision").tag("decision", decision).register(registry));
        }
        decisions = Map.copyOf(counters);
        weights = MultiGauge.builder("turnout_rollout_weight")
                .description("The candidate's percent of the alias's traffic, for each active rollout").register(registry);
        Gauge.builder("turnout_rollout_leader", leader, AtomicInteger::get)
                .description("1 while this instance holds the rollout leader lease").register(registry);
    }

    void decision(String decision) {
        Counter counter = decisions.get(decision);
        if (counter == null) throw new IllegalArgumentException("not a rollout decision: " + decision);
        counter.increment();
    }

    void leading(boolean leading) {
        leader.set(leading ? 1 : 0);
    }

    /** One row per active rollout; rows of rollouts no longer active disappear. */
    void update(List<Rollout> active, RouteTable table) {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (Rollout rollout : active) {
            if (!rollout.isActive()) continue;
            Alias alias = table.alias(rollout.spec().alias());
            double weight = alias == null ? 0 : StepWeights.percentOf(alias.split(), rollout.spec().candidate());
            rows.add(MultiGauge.Row.of(Tags.of("alias", rollout.spec().alias(), "candidate", rollout.spec().candidate()), weight));
        }
        weights.register(rows, true);
    }
}
