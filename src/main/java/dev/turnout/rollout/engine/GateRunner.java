package dev.turnout.rollout.engine;

import dev.turnout.rollout.RolloutSpec;
import io.vertx.core.Future;
import java.util.List;

/**
 * Runs a rollout's gate: its probe against the candidate and the baseline's versions. A failed
 * future means "not now" (the probe is busy, the store unreachable): the engine tries again at a
 * later look; a result that did not pass fails the rollout's gate.
 */
public interface GateRunner {

    record Result(boolean passed, String detail) {}

    Future<Result> check(RolloutSpec.Gate gate, String candidate, List<String> baselineVersions, String rolloutId);

    /** A gateway with no probes: every gate fails, saying why. */
    GateRunner NONE = (gate, candidate, baseline, id) ->
            Future.succeededFuture(new Result(false, "this gateway runs no probes, so gate '" + gate.probe() + "' cannot pass"));
}
