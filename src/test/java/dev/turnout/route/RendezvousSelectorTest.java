package dev.turnout.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sticky-split properties the README promises (*Sticky split*), each over 100 000 keys. */
class RendezvousSelectorTest {

    private static final int KEYS = 100_000;
    private static final VersionSelector SELECTOR = VersionSelector.rendezvous();

    private static Alias alias(Object... versionsAndWeights) {
        Map<String, Double> split = new LinkedHashMap<>();
        for (int i = 0; i < versionsAndWeights.length; i += 2) {
            split.put((String) versionsAndWeights[i], ((Number) versionsAndWeights[i + 1]).doubleValue());
        }
        return new Alias("support-bot", split, Sticky.CLIENT, Map.of(), null, 0, null);
    }

    private static String[] assign(Alias alias) {
        String[] chosen = new String[KEYS];
        for (int i = 0; i < KEYS; i++) chosen[i] = SELECTOR.select(alias, "client-" + i);
        return chosen;
    }

    private static Map<String, Double> shares(String[] chosen) {
        Map<String, Double> shares = new HashMap<>();
        for (String version : chosen) shares.merge(version, 1.0 / chosen.length, Double::sum);
        return shares;
    }

    private static void assertShares(Alias alias, String[] chosen) {
        double total = alias.split().values().stream().mapToDouble(Double::doubleValue).sum();
        Map<String, Double> shares = shares(chosen);
        alias.split().forEach((version, weight) ->
                assertThat(shares.getOrDefault(version, 0.0)).as(version).isCloseTo(weight / total,
                        org.assertj.core.data.Offset.offset(0.01)));
    }

    @Test
    void shouldMatchTheWeightsWithinOnePercentagePoint() {
        for (Alias alias : new Alias[] {alias("v1", 70, "v2", 30), alias("v1", 90, "v2", 10), alias("v1", 1, "v2", 99),
                alias("v1", 50, "v2", 30, "v3", 20), alias("v1", 1, "v2", 1, "v3", 1, "v4", 1)}) {
            assertShares(alias, assign(alias));
        }
    }

    @Test
    void shouldIgnoreTheScaleOfTheWeights() {
        assertThat(assign(alias("v1", 7, "v2", 3))).isEqualTo(assign(alias("v1", 700, "v2", 300)));
        assertThat(assign(alias("v1", 0.7, "v2", 0.3))).isEqualTo(assign(alias("v1", 70, "v2", 30)));
    }

    @Test
    void shouldGiveTheSameKeyTheSameVersionEveryTime() {
        String[] first = assign(alias("v1", 70, "v2", 30));
        // A fresh alias object with the same content, as another instance would build from the same table.
        String[] second = assign(alias("v1", 70, "v2", 30));
        assertThat(second).isEqualTo(first);
    }

    @Test
    void shouldNotDependOnTheOrderOfTheSplit() {
        assertThat(assign(alias("v2", 30, "v1", 70))).isEqualTo(assign(alias("v1", 70, "v2", 30)));
    }

    @Test
    void shouldMoveKeysOnlyToTheRaisedVersion() {
        String[] before = assign(alias("v1", 90, "v2", 10));
        String[] after = assign(alias("v1", 90, "v2", 50));
        int moved = 0;
        for (int i = 0; i < KEYS; i++) {
            if (!before[i].equals(after[i])) {
                assertThat(after[i]).isEqualTo("v2");
                moved++;
            }
        }
        // From 10% to 50/140 of the keys: exactly the difference moves.
        assertThat(moved / (double) KEYS).isCloseTo(50.0 / 140 - 0.10, org.assertj.core.data.Offset.offset(0.01));
    }

    @Test
    void shouldMoveKeysOnlyAwayFromTheLoweredVersion() {
        String[] before = assign(alias("v1", 50, "v2", 30, "v3", 20));
        String[] after = assign(alias("v1", 50, "v2", 5, "v3", 20));
        for (int i = 0; i < KEYS; i++) {
            if (!before[i].equals(after[i])) assertThat(before[i]).isEqualTo("v2");
        }
    }

    @Test
    void shouldMoveKeysOnlyToAnAddedVersion() {
        String[] before = assign(alias("v1", 50, "v2", 50));
        String[] after = assign(alias("v1", 50, "v2", 50, "v3", 25));
        for (int i = 0; i < KEYS; i++) {
            if (!before[i].equals(after[i])) assertThat(after[i]).isEqualTo("v3");
        }
        assertShares(alias("v1", 50, "v2", 50, "v3", 25), after);
    }

    @Test
    void shouldMoveOnlyTheKeysOfARemovedVersion() {
        String[] before = assign(alias("v1", 40, "v2", 40, "v3", 20));
        String[] after = assign(alias("v1", 40, "v2", 40));
        for (int i = 0; i < KEYS; i++) {
            if (!before[i].equals("v3")) assertThat(after[i]).isEqualTo(before[i]);
        }
    }

    @Test
    void shouldNeverFlipAKeyBackDuringARamp() {
        double[] ramp = {1, 10, 50, 100};
        boolean[] reachedCandidate = new boolean[KEYS];
        for (double percent : ramp) {
            String[] chosen = assign(alias("stable", 100 - percent, "candidate", percent));
            int onCandidate = 0;
            for (int i = 0; i < KEYS; i++) {
                if (reachedCandidate[i]) assertThat(chosen[i]).as("client-%d at %s%%", i, percent).isEqualTo("candidate");
                if (chosen[i].equals("candidate")) {
                    reachedCandidate[i] = true;
                    onCandidate++;
                }
            }
            assertThat(onCandidate / (double) KEYS).isCloseTo(percent / 100, org.assertj.core.data.Offset.offset(0.01));
        }
    }

    @Test
    void shouldNeverChooseAZeroWeightVersion() {
        String[] chosen = assign(alias("v1", 0, "v2", 1, "v3", 0));
        assertThat(shares(chosen)).containsOnlyKeys("v2");
        assertThat(SELECTOR.select(alias("v1", 0, "v2", 0), "k")).isNull();
    }

    @Test
    void shouldAcceptAnyUnicodeKey() {
        Alias alias = alias("v1", 50, "v2", 50);
        String version = SELECTOR.select(alias, "utilisatrice-é-✓-中文");
        assertThat(version).isIn("v1", "v2").isEqualTo(SELECTOR.select(alias, "utilisatrice-é-✓-中文"));
    }

    @Test
    void shouldKeepGoldenAssignmentsAcrossJvmsAndReleases() {
        // xxHash64 over UTF-8 "alias\0version\0key": these must never change, or a release would
        // silently move users between versions. Computed once with this implementation.
        Alias alias = alias("support-v1", 90, "support-v2", 10);
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < 8; i++) chosen.add(SELECTOR.select(alias, "client-" + i));
        assertThat(chosen).containsExactly("support-v1", "support-v1", "support-v1", "support-v1",
                "support-v1", "support-v1", "support-v1", "support-v2");
        assertThat(RendezvousSelector.hash("a".getBytes(), "b", "c".getBytes()))
                .isEqualTo(net.openhft.hashing.LongHashFunction.xx().hashBytes(new byte[] {'a', 0, 'b', 0, 'c'}));
    }

    @Test
    void shouldKeepTheUniformVariableStrictlyInsideTheUnitInterval() {
        for (long hash : new long[] {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 1L}) {
            double u = RendezvousSelector.unitInterval(hash);
            assertThat(u).as("hash %d", hash).isGreaterThan(0.0).isLessThan(1.0);
            assertThat(Double.isFinite(-Math.log(u))).isTrue();
        }
        assertThat(RendezvousSelector.unitInterval(0L)).isLessThan(1e-18);
        assertThat(RendezvousSelector.unitInterval(-1L)).isGreaterThan(0.999999);
        assertThat(RendezvousSelector.unitInterval(Long.MIN_VALUE)).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
    }
}
