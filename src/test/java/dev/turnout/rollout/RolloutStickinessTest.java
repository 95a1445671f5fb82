package dev.turnout.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.route.Alias;
import dev.turnout.route.Sticky;
import dev.turnout.route.VersionSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The promise of issue 12 checked with the gateway's real selector: as a rollout climbs its steps,
 * clients only ever move onto the candidate, and nobody moves between baseline versions.
 */
class RolloutStickinessTest {

    private static final int CLIENTS = 20_000;
    private static final double[] STEPS = {1, 10, 50, 100};
    private static final VersionSelector SELECTOR = VersionSelector.rendezvous();

    /** Per step (index 0 = the baseline before the rollout), the version each client is served by. */
    private static List<String[]> assignmentsThroughTheRollout(Map<String, Double> baseline, String candidate) {
        List<Map<String, Double>> splits = new ArrayList<>();
        splits.add(baseline);
        for (double weight : STEPS) splits.add(StepWeights.split(baseline, candidate, weight));
        List<String[]> assignments = new ArrayList<>();
        for (Map<String, Double> split : splits) {
            Alias alias = new Alias("support-bot", split, Sticky.CLIENT, Map.of(), null, 0, null);
            String[] chosen = new String[CLIENTS];
            for (int client = 0; client < CLIENTS; client++) chosen[client] = SELECTOR.select(alias, "client-" + client);
            assignments.add(chosen);
        }
        return assignments;
    }

    private static void assertClientsOnlyMoveOntoTheCandidate(Map<String, Double> baseline, String candidate) {
        List<String[]> assignments = assignmentsThroughTheRollout(baseline, candidate);
        for (int client = 0; client < CLIENTS; client++) {
            for (int later = 1; later < assignments.size(); later++) {
                String now = assignments.get(later)[client];
                for (int earlier = 0; earlier < later; earlier++) {
                    String before = assignments.get(earlier)[client];
                    if (before.equals(candidate) && earlier > 0) {
                        assertThat(now).as("client-%d on the candidate at step %d", client, earlier).isEqualTo(candidate);
                    }
                    if (!now.equals(candidate)) {
                        assertThat(before).as("client-%d on baseline %s at step %d", client, now, later).isEqualTo(now);
                    }
                }
            }
        }
        double[] candidateShares = new double[assignments.size()];
        for (int step = 0; step < assignments.size(); step++) {
            int onCandidate = 0;
            for (String version : assignments.get(step)) if (version.equals(candidate)) onCandidate++;
            candidateShares[step] = (double) onCandidate / CLIENTS;
        }
        // The property is only worth something if clients really moved: about 1%, 10%, 50%, then all.
        assertThat(candidateShares[1]).isBetween(0.005, 0.015);
        assertThat(candidateShares[2]).isBetween(0.09, 0.11);
        assertThat(candidateShares[3]).isBetween(0.48, 0.52);
        assertThat(candidateShares[4]).isEqualTo(1.0);
    }

    @Test
    void shouldOnlyMoveClientsOntoTheCandidateFromASingleBaselineVersion() {
        assertClientsOnlyMoveOntoTheCandidate(Map.of("support-v1", 100.0), "support-v2");
    }

    @Test
    void shouldOnlyMoveClientsOntoTheCandidateAndNeverBetweenBaselineVersions() {
        Map<String, Double> baseline = new LinkedHashMap<>();
        baseline.put("support-v1", 70.0);
        baseline.put("support-v3", 20.0);
        baseline.put("support-v4", 10.0);
        assertClientsOnlyMoveOntoTheCandidate(baseline, "support-v2");
    }
}
