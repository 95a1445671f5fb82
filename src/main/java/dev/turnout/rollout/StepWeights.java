package dev.turnout.rollout;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The split a rollout writes at each step, in percent. The baseline is the alias's split when the
 * rollout started, in whatever units it was written (90/10 or 9/1 alike).
 * <pre>
 *   baseline {v1: 3, v2: 1}, candidate c, step 20%  ->  {v1: 60, v2: 20, c: 20}
 * </pre>
 * Between two steps every baseline weight is scaled by the same factor and the candidate's weight
 * rises; with rendezvous hashing a uniform scale changes no winner, so raising a step only moves
 * clients onto the candidate (RolloutStickinessTest checks it with the real selector).
 *
 * <p>A candidate already in the baseline gets exactly the step's weight: its baseline share is
 * folded into the other versions' proportions. {@link RolloutSpecs#problems} refuses a first step
 * below that share, since ramping would otherwise start by moving clients off the candidate.
 */
public final class StepWeights {

    private StepWeights() {}

    /**
     * The candidate at {@code weightPercent} of the total, listed last; the other baseline versions
     * share the rest in their baseline proportions, in baseline order (zero weights stay zero).
     * At 100 the others remain listed with weight 0, which no client selects.
     *
     * @throws IllegalArgumentException when the weight is outside (0, 100], or below 100 with no
     *                                  other baseline version of positive weight to share the rest
     */
    public static Map<String, Double> split(Map<String, Double> baseline, String candidate, double weightPercent) {
        requireNonNull(baseline, "baseline");
        requireNonNull(candidate, "candidate");
        if (!(weightPercent > 0 && weightPercent <= 100)) {
            throw new IllegalArgumentException("weightPercent: must be in (0, 100], got " + weightPercent);
        }
        double othersTotal = 0;
        for (Map.Entry<String, Double> entry : baseline.entrySet()) {
            if (!entry.getKey().equals(candidate)) othersTotal += weight(entry);
        }
        if (!(othersTotal > 0) && weightPercent < 100) {
            throw new IllegalArgumentException("baseline " + baseline + " has no version but '" + candidate
                    + "' with a positive weight to share the other " + (100 - weightPercent) + "%");
        }
        double rest = 100 - weightPercent;
        Map<String, Double> split = new LinkedHashMap<>();
        for (Map.Entry<String, Double> entry : baseline.entrySet()) {
            if (entry.getKey().equals(candidate)) continue;
            split.put(entry.getKey(), rest == 0 ? 0.0 : weight(entry) / othersTotal * rest);
        }
        split.put(candidate, weightPercent);
        return Collections.unmodifiableMap(split);
    }

    /** After promotion: the candidate alone, at 100. */
    public static Map<String, Double> promoted(String candidate) {
        return Map.of(requireNonNull(candidate, "candidate"), 100.0);
    }

    /** After a rollback: the baseline exactly as it was, same weights, same order. */
    public static Map<String, Double> rollback(Map<String, Double> baseline) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(baseline, "baseline")));
    }

    /** The version's percent of a split's total; 0 when absent or when the total is 0. */
    public static double percentOf(Map<String, Double> split, String version) {
        double total = 0;
        for (Map.Entry<String, Double> entry : split.entrySet()) total += weight(entry);
        Double own = split.get(version);
        return own == null || !(total > 0) || !(own > 0) ? 0 : own / total * 100;
    }

    /** Negative or NaN weights select nothing (the route validator refuses them); count them as 0. */
    private static double weight(Map.Entry<String, Double> entry) {
        double value = entry.getValue();
        return value > 0 ? value : 0;
    }
}
