package dev.turnout.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The gateway's own meters, named once here. Tags are aliases, versions, roles and outcomes:
 * bounded sets an operator defines, never client or user ids (unbounded cardinality).
 * Meters are cached per tag combination so the hot path does one map lookup, not a registration.
 * <pre>
 *   turnout_requests_total{alias,version,role,decision,outcome}  role = primary | shadow | noise
 *   turnout_request_duration_seconds{alias,version,role}   histogram
 *   turnout_ttft_seconds{alias,version,role}               time to the first response byte, histogram
 *   turnout_shadow_dropped_total{reason}
 *   turnout_diffs_total{alias,candidate,verdict}
 *   turnout_route_revision                                 gauge: the applied revision
 * </pre>
 */
public final class GatewayMetrics {

    private record RequestKey(String alias, String version, String role, String decision, String outcome) {}

    private record TimerKey(String name, String alias, String version, String role) {}

    private record DiffKey(String alias, String candidate, String verdict) {}

    private final MeterRegistry registry;
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<TimerKey, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> shadowDrops = new ConcurrentHashMap<>();
    private final Map<DiffKey, Counter> diffs = new ConcurrentHashMap<>();

    public GatewayMetrics(MeterRegistry registry, LongSupplier appliedRevision) {
        this.registry = requireNonNull(registry, "registry");
        // Strong reference: a gauge otherwise holds its source weakly and would vanish with the lambda.
        Gauge.builder("turnout_route_revision", appliedRevision, s -> s.getAsLong())
                .description("The route revision this instance serves").strongReference(true).register(registry);
    }

    /** JVM memory, GC, threads and CPU, plus access-log lines dropped because the writer fell behind. */
    public static <T> void bindProcess(MeterRegistry registry, T accessLog, java.util.function.ToDoubleFunction<T> dropped) {
        new io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmGcMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics().bindTo(registry);
        new io.micrometer.core.instrument.binder.system.ProcessorMetrics().bindTo(registry);
        // The access log object, not a lambda: meters hold their source weakly.
        io.micrometer.core.instrument.FunctionCounter.builder("turnout_access_log_dropped", accessLog, dropped)
                .description("Access log lines dropped because the writer could not keep up").register(registry);
    }

    /** @param decision pin | split | fallback for primaries, {@code n/a} for shadows and refused requests */
    public void request(String alias, String version, String role, String decision, String outcome) {
        requests.computeIfAbsent(new RequestKey(alias, version, role, decision, outcome), key -> Counter.builder("turnout_requests")
                .description("Requests by alias, version, role (primary, shadow, noise), decision and outcome")
                .tags("alias", key.alias(), "version", key.version(), "role", key.role(), "decision", key.decision(),
                        "outcome", key.outcome())
                .register(registry)).increment();
    }

    public void duration(String alias, String version, String role, long nanos) {
        timer("turnout_request_duration", "Whole request duration at the gateway", alias, version, role)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void timeToFirstByte(String alias, String version, String role, long nanos) {
        timer("turnout_ttft", "Time from the request to the first response byte from the upstream", alias, version, role)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void shadowDropped(String reason) {
        shadowDrops.computeIfAbsent(reason, r -> Counter.builder("turnout_shadow_dropped")
                .description("Shadow requests not sent, by reason").tag("reason", r).register(registry)).increment();
    }

    public void diff(String alias, String candidate, String verdict) {
        diffs.computeIfAbsent(new DiffKey(alias, candidate, verdict), key -> Counter.builder("turnout_diffs")
                .description("Compared primary/candidate pairs by verdict")
                .tags("alias", key.alias(), "candidate", key.candidate(), "verdict", key.verdict())
                .register(registry)).increment();
    }

    private Timer timer(String name, String description, String alias, String version, String role) {
        return timers.computeIfAbsent(new TimerKey(name, alias, version, role), key -> Timer.builder(name)
                .description(description)
                .tags("alias", alias, "version", version, "role", role)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry));
    }
}
