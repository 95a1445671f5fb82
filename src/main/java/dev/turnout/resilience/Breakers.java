package dev.turnout.resilience;

import dev.turnout.route.BreakerPolicy;
import dev.turnout.route.ModelVersion;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One Resilience4j circuit breaker per model version, shared by every event loop and configured
 * by the version's {@code breaker} policy in the route table. A version whose recent calls mostly
 * failed (5xx, 429, timeouts, refused connections) is skipped for a while and its alias's fallback
 * serves instead; a few trial calls then decide whether it is back. A route change that alters a
 * version's policy gives it a fresh breaker.
 */
public final class Breakers {

    private record Entry(BreakerPolicy policy, CircuitBreaker breaker) {}

    private final CircuitBreakerRegistry registry = CircuitBreakerRegistry.ofDefaults();
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Clock clock;

    public Breakers(Clock clock) {
        this.clock = clock;
    }

    public static Breakers withDefaults() {
        return new Breakers(Clock.systemUTC());
    }

    public CircuitBreaker breaker(ModelVersion version) {
        Entry entry = entries.get(version.id());
        if (entry != null && entry.policy().equals(version.breaker())) return entry.breaker();
        return entries.compute(version.id(), (id, old) -> old != null && old.policy().equals(version.breaker()) ? old
                : new Entry(version.breaker(), create(id, version.breaker()))).breaker();
    }

    private CircuitBreaker create(String id, BreakerPolicy policy) {
        CircuitBreakerConfig config = CircuitBreakerConfig.custom()
                .failureRateThreshold((float) policy.failureRatePercent())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(policy.window())
                .minimumNumberOfCalls(policy.minimumCalls())
                .waitDurationInOpenState(Duration.ofMillis(policy.openMs()))
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                // A trial call whose result never comes (its client left) must not pin the breaker half-open.
                .maxWaitDurationInHalfOpenState(Duration.ofMillis(policy.openMs()))
                .clock(clock)
                .currentTimestampFunction(c -> TimeUnit.MILLISECONDS.toNanos(c.millis()), TimeUnit.NANOSECONDS)
                .build();
        registry.remove(id);
        return registry.circuitBreaker(id, config);
    }

    /** Takes a permit to call {@code version}; every permit taken must be followed by a result or a release. */
    public boolean tryAcquire(ModelVersion version) {
        return breaker(version).tryAcquirePermission();
    }

    public void succeeded(ModelVersion version, long nanos) {
        breaker(version).onSuccess(nanos, TimeUnit.NANOSECONDS);
    }

    public void failed(ModelVersion version, long nanos, Throwable cause) {
        breaker(version).onError(nanos, TimeUnit.NANOSECONDS, cause);
    }

    public void released(ModelVersion version) {
        breaker(version).releasePermission();
    }

    /** Seconds a client should wait before an open breaker lets calls through again. */
    public static long retryAfterSeconds(ModelVersion version) {
        return Math.max(1, TimeUnit.MILLISECONDS.toSeconds(version.breaker().openMs()));
    }

    public CircuitBreakerRegistry registry() {
        return registry;
    }
}
