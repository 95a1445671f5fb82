package dev.turnout.rollout.engine;

import dev.turnout.route.Alias;
import dev.turnout.route.Shadow;
import dev.turnout.rollout.Criterion;
import dev.turnout.rollout.RolloutSpec;
import dev.turnout.rollout.StepWeights;
import java.util.ArrayList;
import java.util.List;

/**
 * The alias a rollout writes in each phase. Only what the rollout owns changes: the split (scaled
 * from the baseline by {@link StepWeights}), the candidate's shadow entry, and the noise sample the
 * beyond-noise verdicts need; pins, stickiness and fallback stay as the operator wrote them.
 */
public final class RolloutAliases {

    /** Share of shadowed requests sent to the primary again when the alias has no noise sample of its own. */
    public static final double DEFAULT_NOISE_SAMPLE = 0.5;

    private RolloutAliases() {}

    /** Whether the rollout compares answers: it shadows first, or judges the beyond-noise share. */
    public static boolean comparesAnswers(RolloutSpec spec) {
        return spec.shadowFirst() != null || spec.criteria().containsKey(Criterion.BEYOND_NOISE);
    }

    /** The alias during phase {@code step} (-1: shadowing, the baseline split unchanged). */
    public static Alias phase(RolloutSpec spec, Alias baseline, Alias current, int step) {
        Alias split = step < 0 ? current.withSplit(baseline.split())
                : current.withSplit(StepWeights.split(baseline.split(), spec.candidate(), spec.steps().get(step).weight()));
        if (!comparesAnswers(spec)) return split;
        double sample = spec.shadowFirst() != null ? spec.shadowFirst().sample() : RolloutSpec.DEFAULT_SHADOW_SAMPLE;
        List<Shadow> shadows = withoutCandidate(current, spec.candidate());
        shadows.add(new Shadow(spec.candidate(), sample));
        double noise = current.noiseSample() > 0 ? current.noiseSample() : DEFAULT_NOISE_SAMPLE;
        return new Alias(current.name(), split.split(), current.sticky(), current.pins(), shadows, noise, current.fallback());
    }

    /** After promotion: the candidate alone; its shadow entry and the rollout's noise sample are gone. */
    public static Alias promoted(RolloutSpec spec, Alias baseline, Alias current) {
        return new Alias(current.name(), StepWeights.promoted(spec.candidate()), current.sticky(), current.pins(),
                withoutCandidate(current, spec.candidate()), baseline.noiseSample(), current.fallback());
    }

    private static List<Shadow> withoutCandidate(Alias alias, String candidate) {
        List<Shadow> shadows = new ArrayList<>();
        for (Shadow shadow : alias.shadows()) {
            if (!shadow.version().equals(candidate)) shadows.add(shadow);
        }
        return shadows;
    }
}
