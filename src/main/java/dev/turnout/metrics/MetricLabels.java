package dev.turnout.metrics;

import dev.turnout.diff.Verdict;
import dev.turnout.route.RouteTable;
import dev.turnout.upstream.Role;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * What a label of the gateway's meters may say. Every value is either a name from the route table
 * the instance serves or one of a fixed set; anything else reads {@link #OTHER}. Each distinct value
 * is a series kept until the process ends, so a value a client could choose (a made-up model, an
 * unknown alias, a method, a path, a header) would let any client grow {@code /metrics} and the
 * heap without bound.
 */
final class MetricLabels {

    static final String OTHER = "other";
    /** The alias and version of a request refused before routing. */
    static final String NONE = "none";
    static final String NOT_APPLICABLE = "n/a";

    private static final Set<String> ROLES = Arrays.stream(Role.values()).map(Role::label)
            .collect(Collectors.toUnmodifiableSet());
    private static final Set<String> DECISIONS = Set.of("pin", "split", "fallback", NOT_APPLICABLE);
    private static final Set<String> OUTCOMES = Set.of("ok", "client_error", "upstream_error", "timeout", "unreachable",
            "failed", "interrupted", "client_closed", "internal_error", "completed", "error");
    private static final Set<String> DROP_REASONS = Set.of("global_limit", "version_limit", "capture_too_large",
            "differ_backlog");
    private static final Set<String> VERDICTS = verdicts();

    private final Supplier<RouteTable> routes;

    MetricLabels(Supplier<RouteTable> routes) {
        this.routes = routes;
    }

    String alias(String name) {
        if (NONE.equals(name)) return NONE;
        RouteTable table = routes.get();
        return name != null && table != null && table.alias(name) != null ? name : OTHER;
    }

    String version(String id) {
        if (NONE.equals(id)) return NONE;
        RouteTable table = routes.get();
        return id != null && table != null && table.version(id) != null ? id : OTHER;
    }

    static String role(String role) {
        return ROLES.contains(role) ? role : OTHER;
    }

    static String decision(String decision) {
        return DECISIONS.contains(decision) ? decision : OTHER;
    }

    /** A fixed outcome, or {@code rejected_<status>} for a 4xx/5xx the gateway itself answered. */
    static String outcome(String outcome) {
        if (OUTCOMES.contains(outcome)) return outcome;
        if (outcome != null && outcome.length() == 12 && outcome.startsWith("rejected_")) {
            char c = outcome.charAt(9);
            if ((c == '4' || c == '5') && Character.isDigit(outcome.charAt(10)) && Character.isDigit(outcome.charAt(11))) {
                return outcome;
            }
        }
        return OTHER;
    }

    static String dropReason(String reason) {
        return DROP_REASONS.contains(reason) ? reason : OTHER;
    }

    static String verdict(String verdict) {
        return VERDICTS.contains(verdict) ? verdict : OTHER;
    }

    private static Set<String> verdicts() {
        Set<String> labels = new HashSet<>();
        for (Verdict verdict : Verdict.values()) {
            labels.add(verdict.label());
            labels.add("noise_" + verdict.label());
        }
        return Set.copyOf(labels);
    }
}
