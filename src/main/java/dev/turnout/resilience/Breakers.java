package dev.turnout.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One Resilience4j circuit breaker per model version, shared by every event loop. A version whose
 * recent calls mostly failed (5xx, 429, timeouts, refused connections) is skipped for a while and
 * its alias's fallback serves instead; a few trial calls then decide whether it is back.
 */
public final class Breakers {

    /**
     * @param failureRatePercent failures, in percent of the sliding window, that open the breaker
     * @param window             calls in the count-based sliding window
     * @param minimumCalls       calls needed before the rate counts
     * @param openFor            how long an open breaker refuses calls before trying again
     */
    public record Settings(float failureRatePercent, int window, int minimumCalls, Duration openFor) {
        public static Settings defaults() {
            return new Settings(50, 20, 10, Duration.ofSeconds(10));
        }
    }

    private final CircuitBreakerRegistry registry;
    private final Settings settings;

    public Breakers(Settings settings, Clock clock) {
        this.settings = settings;
        this.registry = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRatePercent())
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(settings.window())
                .minimumNumberOfCalls(settings.minimumCalls())
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                // A trial call whose result never comes (its client left) must not pin the breaker half-open.
                .maxWaitDurationInHalfOpenState(settings.openFor())
                .clock(clock)
                .currentTimestampFunction(c -> TimeUnit.MILLISECONDS.toNanos(c.millis()), TimeUnit.NANOSECONDS)
                .build());
    }

    public static Breakers withDefaults() {
        return new Breakers(Settings.defaults(), Clock.systemUTC());
    }

    public CircuitBreaker breaker(String version) {
        return registry.circuitBreaker(version);
    }

    /** Takes a permit to call {@code version}; every permit taken must be followed by a result. */
    public boolean tryAcquire(String version) {
        return breaker(version).tryAcquirePermission();
    }

    public void succeeded(String version, long nanos) {
        breaker(version).onSuccess(nanos, TimeUnit.NANOSECONDS);
    }

    public void failed(String version, long nanos, Throwable cause) {
        breaker(version).onError(nanos, TimeUnit.NANOSECONDS, cause);
    }

    /** Seconds a client should wait before an open breaker lets calls through again. */
    public long retryAfterSeconds() {
        return Math.max(1, settings.openFor().toSeconds());
    }

    public CircuitBreakerRegistry registry() {
        return registry;
    }
}
