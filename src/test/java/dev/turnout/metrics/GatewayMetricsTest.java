package dev.turnout.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** Labels come from the route table and fixed sets only, and each meter's series are capped. */
class GatewayMetricsTest {

    private static RouteTable table(int aliases) {
        StringBuilder yaml = new StringBuilder("versions:\n  v1: { url: 'http://127.0.0.1:1/v1' }\naliases:\n");
        for (int i = 0; i < aliases; i++) yaml.append("  a").append(i).append(": { split: { v1: 1 } }\n");
        return RouteCodec.fromYaml(yaml.toString());
    }

    private static long series(SimpleMeterRegistry registry, String name) {
        return registry.getMeters().stream().map(Meter::getId).filter(id -> id.getName().equals(name)).count();
    }

    @Test
    void valuesOutsideTheRouteTableAndTheFixedSetsReadOther() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        GatewayMetrics metrics = new GatewayMetrics(registry, () -> table(1));
        metrics.request("made-up-model", "made-up-version", "GETX", "whatever", "rejected_999");
        metrics.request("a0", "v1", "primary", "split", "rejected_404");
        metrics.shadowDropped("a reason nobody defined");
        metrics.diff("a0", "not-a-version", "maybe");

        assertThat(registry.get("turnout_requests").tags("alias", "other", "version", "other", "role", "other",
                "decision", "other", "outcome", "other").counter().count()).isEqualTo(1);
        assertThat(registry.get("turnout_requests").tags("alias", "a0", "version", "v1", "outcome", "rejected_404").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("turnout_shadow_dropped").tags("reason", "other").counter().count()).isEqualTo(1);
        assertThat(registry.get("turnout_diffs").tags("alias", "a0", "candidate", "other", "verdict", "other").counter().count())
                .isEqualTo(1);
    }

    @Test
    void tenThousandAliasesFromAnAdminStillMakeABoundedNumberOfSeries() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        RouteTable table = table(10_000);
        GatewayMetrics metrics = new GatewayMetrics(registry, () -> table);
        for (int i = 0; i < 10_000; i++) {
            metrics.request("a" + i, "v1", "primary", "split", "ok");
            metrics.duration("a" + i, "v1", "primary", 1_000_000);
            metrics.timeToFirstByte("a" + i, "v1", "primary", 500_000);
            metrics.diff("a" + i, "v1", "same");
        }
        assertThat(series(registry, "turnout_requests")).isLessThanOrEqualTo(GatewayMetrics.MAX_COUNTER_SERIES + 1);
        assertThat(series(registry, "turnout_request_duration")).isLessThanOrEqualTo(GatewayMetrics.MAX_TIMER_SERIES + 1);
        assertThat(series(registry, "turnout_ttft")).isLessThanOrEqualTo(GatewayMetrics.MAX_TIMER_SERIES + 1);
        assertThat(series(registry, "turnout_diffs")).isLessThanOrEqualTo(GatewayMetrics.MAX_COUNTER_SERIES + 1);
        // Nothing is lost: the aliases past the cap are counted under "other".
        double total = registry.find("turnout_requests").counters().stream().mapToDouble(c -> c.count()).sum();
        assertThat(total).isEqualTo(10_000);
        assertThat(registry.get("turnout_requests").tags("alias", "other").counter().count()).isEqualTo(10_000 - GatewayMetrics.MAX_COUNTER_SERIES);
    }
}
