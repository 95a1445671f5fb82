package dev.turnout.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimTextTest {

    @Test
    void shouldAnswerTheSamePromptIdenticallyForTheSameNameAndSeed() {
        for (int i = 0; i < 100; i++) {
            String prompt = "question " + i;
            assertThat(SimText.words("v1", 42, prompt, 20)).isEqualTo(SimText.words("v1", 42, prompt, 20));
        }
        assertThat(SimText.words("v1", 42, "q", 20)).isNotEqualTo(SimText.words("v1", 43, "q", 20));
    }

    @Test
    void shouldMakeTwoVersionsMostlyAlikeButNotAlwaysTheSame() {
        int identical = 0;
        double overlapSum = 0;
        int prompts = 200;
        for (int i = 0; i < prompts; i++) {
            List<String> a = SimText.words("support-v1", 42, "prompt " + i, 24);
            List<String> b = SimText.words("support-v2", 42, "prompt " + i, 24);
            if (a.equals(b)) identical++;
            int same = 0;
            for (int w = 0; w < a.size(); w++) if (a.get(w).equals(b.get(w))) same++;
            overlapSum += same / (double) a.size();
        }
        double meanOverlap = overlapSum / prompts;
        assertThat(identical).isLessThan(prompts);
        // ~1 word in 20 rewritten per name, and ~1 prompt in 20 answered differently by each name.
        assertThat(meanOverlap).isBetween(0.65, 0.92);
    }

    @Test
    void shouldProduceUnitLengthEmbeddingsThatDependOnTheInput() {
        float[] a = SimText.embedding("v1", 42, "hello", 16);
        float[] b = SimText.embedding("v1", 42, "goodbye", 16);
        assertThat(norm(a)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
        assertThat(a).isNotEqualTo(b).isEqualTo(SimText.embedding("v1", 42, "hello", 16));
    }

    @Test
    void shouldCountWords() {
        assertThat(SimText.countWords("  where is\tmy  parcel\n")).isEqualTo(4);
        assertThat(SimText.countWords("")).isZero();
    }

    @Test
    void shouldSpreadHashesAcrossTheVocabulary() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) seen.addAll(SimText.words("v", i, "p", 4));
        assertThat(seen.size()).isGreaterThan(150);
    }

    private static double norm(float[] vector) {
        double sum = 0;
        for (float v : vector) sum += v * v;
        return Math.sqrt(sum);
    }
}
