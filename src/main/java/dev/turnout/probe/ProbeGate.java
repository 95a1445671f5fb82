package dev.turnout.probe;

import dev.turnout.rollout.RolloutSpec;
import dev.turnout.rollout.engine.GateRunner;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A rollout's gate as a probe run: the gate's probe against the candidate and the baseline's
 * versions at once (same set, same moment). The candidate passes with at least {@code minPassRate}
 * and no more than {@code maxDropVsBaseline} below the baseline versions' mean pass rate. A probe
 * that does not exist (or names no set) fails the gate; one already running is asked again later.
 */
public final class ProbeGate implements GateRunner {

    private final ProbeService probes;

    public ProbeGate(ProbeService probes) {
        this.probes = probes;
    }

    @Override
    public Future<Result> check(RolloutSpec.Gate gate, String candidate, List<String> baselineVersions, String rolloutId) {
        List<String> versions = new ArrayList<>();
        versions.add(candidate);
        versions.addAll(baselineVersions);
        return probes.runAgainst(gate.probe(), versions, "gate:" + rolloutId)
                .map(run -> judge(gate, run, candidate, baselineVersions))
                .recover(error -> error instanceof ProbeService.ProbeNotFoundException
                        ? Future.succeededFuture(new Result(false, error.getMessage()))
                        : Future.failedFuture(error));
    }

    static Result judge(RolloutSpec.Gate gate, ProbeRun run, String candidate, List<String> baselineVersions) {
        VersionRun own = run.version(candidate);
        if (own == null || own.asked() == 0) return new Result(false, "the candidate answered none of the probe's items");
        double baseline = 0;
        int counted = 0;
        for (String version : baselineVersions) {
            VersionRun theirs = run.version(version);
            if (theirs != null && theirs.asked() > 0) {
                baseline += theirs.passRate();
                counted++;
            }
        }
        String figures = String.format(Locale.ROOT, "probe '%s' run %s: candidate passed %d of %d (%.1f%%)", gate.probe(), run.id(),
                own.passed(), own.asked(), 100 * own.passRate());
        if (own.passRate() < gate.minPassRate()) {
            return new Result(false, figures + String.format(Locale.ROOT, ", below minPassRate %.1f%%", 100 * gate.minPassRate()));
        }
        if (counted > 0) {
            double mean = baseline / counted;
            figures += String.format(Locale.ROOT, ", baseline %.1f%%", 100 * mean);
            if (own.passRate() < mean - gate.maxDropVsBaseline()) {
                return new Result(false, figures + String.format(Locale.ROOT, ": a drop of %.1f points, more than maxDropVsBaseline %.1f",
                        100 * (mean - own.passRate()), 100 * gate.maxDropVsBaseline()));
            }
        }
        return new Result(true, figures);
    }
}
