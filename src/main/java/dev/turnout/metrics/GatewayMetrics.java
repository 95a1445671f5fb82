package dev.turnout.metrics;

import static java.util.Objects.requireNonNull;

import dev.turnout.route.RouteTable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The gateway's own meters, named once here. Tags are aliases and versions from the route table
 * and values from fixed sets ({@link MetricLabels}), never client or user ids or anything else a
 * client chooses; an unknown value reads {@code other}. Each meter also holds at most a fixed number
 * of tag combinations: past it, new aliases and versions are counted under {@code other}, so even an
 * admin who creates 10 000 aliases cannot grow {@code /metrics} without bound.
 * Meters are cached per tag combination so the hot path does map lookups, not a registration.
 * <pre>
 *   turnout_requests_total{alias,version,role,decision,outcome}  role = primary | shadow | noise
 *   turnout_request_duration_seconds{alias,version,role}   histogram
 *   turnout_ttft_seconds{alias,version,role}               time to the first response byte, histogram
 *   turnout_shadow_dropped_total{reason}
 *   turnout_shadow_held_bytes                              gauge: bytes shadow captures hold, in progress or queued
 *   turnout_diffs_total{alias,candidate,verdict}
 *   turnout_route_revision                                 gauge: the applied revision
 * </pre>
 */
public final class GatewayMetrics {

    /** Tag combinations per counter; a histogram is ~70 series, so timers get fewer. */
    static final int MAX_COUNTER_SERIES = 1_000;
    static final int MAX_TIMER_SERIES = 100;

    private record RequestKey(String alias, String version, String role, String decision, String outcome) {}

    private record TimerKey(String alias, String version, String role) {}

    private record DiffKey(String alias, String candidate, String verdict) {}

    private final MeterRegistry registry;
    private final MetricLabels labels;
    private final Map<RequestKey, Counter> requests = new ConcurrentHashMap<>();
    private final Map<TimerKey, Timer> durations = new ConcurrentHashMap<>();
    private final Map<TimerKey, Timer> ttfts = new ConcurrentHashMap<>();
    private final Map<String, Counter> shadowDrops = new ConcurrentHashMap<>();
    private final Map<DiffKey, Counter> diffs = new ConcurrentHashMap<>();

    /** @param routes the applied route table (null before the first): the only source of alias and version labels */
    public GatewayMetrics(MeterRegistry registry, Supplier<RouteTable> routes) {
        this.registry = requireNonNull(registry, "registry");
        this.labels = new MetricLabels(requireNonNull(routes, "routes"));
        // Strong reference: a gauge otherwise holds its source weakly and would vanish with the lambda.
        Gauge.builder("turnout_route_revision", routes, r -> r.get() == null ? 0 : r.get().revision())
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
        RequestKey key = new RequestKey(labels.alias(alias), labels.version(version), MetricLabels.role(role),
                MetricLabels.decision(decision), MetricLabels.outcome(outcome));
        Counter counter = requests.get(key);
        if (counter == null) {
            if (requests.size() >= MAX_COUNTER_SERIES) {
                key = new RequestKey(MetricLabels.OTHER, MetricLabels.OTHER, key.role(), key.decision(), key.outcome());
            }
            counter = requests.computeIfAbsent(key, this::requestCounter);
        }
        counter.increment();
    }

    public void duration(String alias, String version, String role, long nanos) {
        timer(durations, "turnout_request_duration", "Whole request duration at the gateway", alias, version, role)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void timeToFirstByte(String alias, String version, String role, long nanos) {
        timer(ttfts, "turnout_ttft", "Time from the request to the first response byte from the upstream", alias, version, role)
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    public void shadowDropped(String reason) {
        String label = MetricLabels.dropReason(reason);
        Counter counter = shadowDrops.get(label);
        if (counter == null) {
            counter = shadowDrops.computeIfAbsent(label, r -> Counter.builder("turnout_shadow_dropped")
                    .description("Shadow requests and pairs not sent or not compared, by reason").tag("reason", r).register(registry));
        }
        counter.increment();
    }

    /** The bytes held by shadow captures against {@code shadow.pendingDiffBytes}; the source is held strongly. */
    public <T> void shadowHeldBytes(T source, java.util.function.ToDoubleFunction<T> bytes) {
        Gauge.builder("turnout_shadow_held_bytes", source, bytes).strongReference(true)
                .description("Bytes held by shadow captures: answers being captured and pairs waiting for the differ")
                .baseUnit("bytes").register(registry);
    }

    public void diff(String alias, String candidate, String verdict) {
        DiffKey key = new DiffKey(labels.alias(alias), labels.version(candidate), MetricLabels.verdict(verdict));
        Counter counter = diffs.get(key);
        if (counter == null) {
            if (diffs.size() >= MAX_COUNTER_SERIES) key = new DiffKey(MetricLabels.OTHER, MetricLabels.OTHER, key.verdict());
            counter = diffs.computeIfAbsent(key, k -> Counter.builder("turnout_diffs")
                    .description("Compared primary/candidate pairs by verdict")
                    .tags("alias", k.alias(), "candidate", k.candidate(), "verdict", k.verdict())
                    .register(registry));
        }
        counter.increment();
    }

    private Counter requestCounter(RequestKey key) {
        return Counter.builder("turnout_requests")
                .description("Requests by alias, version, role (primary, shadow, noise), decision and outcome")
                .tags("alias", key.alias(), "version", key.version(), "role", key.role(), "decision", key.decision(),
                        "outcome", key.outcome())
                .register(registry);
    }

    private Timer timer(Map<TimerKey, Timer> cache, String name, String description, String alias, String version, String role) {
        TimerKey key = new TimerKey(labels.alias(alias), labels.version(version), MetricLabels.role(role));
        Timer timer = cache.get(key);
        if (timer != null) return timer;
        if (cache.size() >= MAX_TIMER_SERIES) key = new TimerKey(MetricLabels.OTHER, MetricLabels.OTHER, key.role());
        return cache.computeIfAbsent(key, k -> Timer.builder(name)
                .description(description)
                .tags("alias", k.alias(), "version", k.version(), "role", k.role())
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry));
    }
}
