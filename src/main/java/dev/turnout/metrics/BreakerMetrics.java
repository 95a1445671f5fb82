package dev.turnout.metrics;

import dev.turnout.resilience.Breakers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code turnout_breaker_state{version}}: 0 closed, 1 open, 2 half-open (3 other), registered for
 * each breaker as it is created, plus {@code turnout_breaker_transitions_total{version,to}}.
 */
public final class BreakerMetrics {

    private BreakerMetrics() {}

    public static void bind(MeterRegistry registry, Breakers breakers) {
        breakers.registry().getEventPublisher().onEntryAdded(added -> {
            CircuitBreaker breaker = added.getAddedEntry();
            Gauge.builder("turnout_breaker_state", breaker, BreakerMetrics::state)
                    .description("Circuit breaker state per version: 0 closed, 1 open, 2 half-open, 3 other")
                    .tag("version", breaker.getName()).register(registry);
            breaker.getEventPublisher().onStateTransition(event -> registry.counter("turnout_breaker_transitions",
                    "version", breaker.getName(), "to", event.getStateTransition().getToState().name().toLowerCase()).increment());
        });
    }

    private static double state(CircuitBreaker breaker) {
        switch (breaker.getState()) {
            case CLOSED: return 0;
            case OPEN: case FORCED_OPEN: return 1;
            case HALF_OPEN: return 2;
            default: return 3;
        }
    }
}
