package dev.turnout.proxy;

import static java.util.Objects.requireNonNull;

import dev.turnout.config.GatewayConfig;
import dev.turnout.evidence.EvidenceRecorder;
import dev.turnout.metrics.GatewayMetrics;
import dev.turnout.replay.TrafficRecorder;
import dev.turnout.resilience.Breakers;
import dev.turnout.resilience.RetryPolicy;
import dev.turnout.route.RoutePolicy;
import dev.turnout.route.RouteTable;
import dev.turnout.shadow.DiffPipeline;
import dev.turnout.shadow.ShadowLimits;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What every event loop's data plane shares: settings, the applied routes, the environment for
 * upstream keys, meters, breakers, the shadow limits and diff pipeline, the request-body buffer
 * budget, the fault-injection seam ({@link FaultInjector#NONE} outside tests), the evidence
 * recorded for rollouts, and the traffic recorder (null while {@code recording.enabled} is off).
 * The environment is narrowed to {@code server.apiKeyEnvAllowed} here, however the plane is built,
 * so no route table (even one written to Redis behind the admin API's back) can make a version
 * read another variable.
 */
public record DataPlane(GatewayConfig config, Supplier<RouteTable> routes, Function<String, String> environment,
                        GatewayMetrics metrics, Breakers breakers, RetryPolicy retry, ShadowLimits shadowLimits,
                        DiffPipeline diffs, AccessLog accessLog, BodyBudget bodyBudget, FaultInjector faults,
                        EvidenceRecorder evidence, TrafficRecorder recorder) {

    /** A data plane that records no traffic. */
    public DataPlane(GatewayConfig config, Supplier<RouteTable> routes, Function<String, String> environment,
                     GatewayMetrics metrics, Breakers breakers, RetryPolicy retry, ShadowLimits shadowLimits,
                     DiffPipeline diffs, AccessLog accessLog, BodyBudget bodyBudget, FaultInjector faults,
                     EvidenceRecorder evidence) {
        this(config, routes, environment, metrics, breakers, retry, shadowLimits, diffs, accessLog, bodyBudget, faults,
                evidence, null);
    }

    public DataPlane {
        requireNonNull(config, "config");
        requireNonNull(routes, "routes");
        environment = new RoutePolicy(config.server().apiKeyEnvAllowed()).guard(environment);
        requireNonNull(metrics, "metrics");
        requireNonNull(breakers, "breakers");
        requireNonNull(retry, "retry");
        requireNonNull(shadowLimits, "shadowLimits");
        requireNonNull(diffs, "diffs");
        requireNonNull(accessLog, "accessLog");
        requireNonNull(bodyBudget, "bodyBudget");
        requireNonNull(faults, "faults");
        requireNonNull(evidence, "evidence");
    }
}
