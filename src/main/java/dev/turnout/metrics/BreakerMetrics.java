package dev.turnout.metrics;

import dev.turnout.resilience.Breakers;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code turnout_breaker_state{version}}: 0 closed, 1 open, 2 half-open (3 other), and
 * {@code turnout_breaker_transitions_total{version,to}}, for each breaker as it is created. The
 * gauge looks the breaker up by name, so it follows a breaker replaced by a policy change.
 * Breakers are per version of the route table; past {@value #MAX_VERSIONS} versions, new ones get no
 * gauge and their transitions count under {@code version="other"}, so the series stay bounded.
 */
public final class BreakerMetrics {

    static final int MAX_VERSIONS = 200;

    private BreakerMetrics() {}

    public static void bind(MeterRegistry meters, Breakers breakers) {
        CircuitBreakerRegistry registry = breakers.registry();
        Set<String> labelled = ConcurrentHashMap.newKeySet();
        registry.getEventPublisher().onEntryAdded(added -> {
            CircuitBreaker breaker = added.getAddedEntry();
            boolean fits = labelled.contains(breaker.getName()) || labelled.size() < MAX_VERSIONS && labelled.add(breaker.getName());
            String name = fits ? breaker.getName() : MetricLabels.OTHER;
            if (fits) {
                Gauge.builder("turnout_breaker_state", registry, r -> r.find(name).map(BreakerMetrics::state).orElse(0.0))
                        .description("Circuit breaker state per version: 0 closed, 1 open, 2 half-open, 3 other")
                        .tag("version", name).register(meters);
            }
            breaker.getEventPublisher().onStateTransition(event -> meters.counter("turnout_breaker_transitions",
                    "version", name, "to", event.getStateTransition().getToState().name().toLowerCase()).increment());
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
