package dev.turnout.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.semantic.SentenceEmbedder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The corpus against the real all-MiniLM-L6-v2 (no mocks): the embedding tells a paraphrase from a
 * contradiction of the same meaning, and word overlap does not. Pairs are what a shadow comparison
 * sees: two paraphrases of one meaning (a primary and a candidate that agree), or a paraphrase and
 * any contradiction of that meaning (a candidate that contradicts).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimCorpusEmbeddingTest {

    private SentenceEmbedder model;
    private final Map<String, float[]> vectors = new HashMap<>();

    @BeforeAll
    void loadModel() {
        // The gateway's own embedder, as it scores shadow pairs (the int8 model, one thread).
        model = SentenceEmbedder.shared(SentenceEmbedder.Model.MINI_LM_L6_V2_Q, 512);
    }

    private float[] embed(String text) {
        return vectors.computeIfAbsent(text, model::embed);
    }

    @Test
    void shouldScoreParaphrasePairsAboveContradictionPairs() {
        List<Double> paraphrasePairs = new ArrayList<>();
        List<Double> contradictionPairs = new ArrayList<>();
        for (SimCorpus.Meaning meaning : SimCorpus.standard().meanings()) {
            List<String> paraphrases = meaning.paraphrases();
            for (int i = 0; i < paraphrases.size(); i++) {
                for (int j = i + 1; j < paraphrases.size(); j++) {
                    paraphrasePairs.add(cosine(embed(paraphrases.get(i)), embed(paraphrases.get(j))));
                }
                for (String contradiction : meaning.contradictions()) {
                    contradictionPairs.add(cosine(embed(paraphrases.get(i)), embed(contradiction)));
                }
            }
        }
        double paraphraseP5 = percentile(paraphrasePairs, 0.05);
        long belowP5 = contradictionPairs.stream().filter(similarity -> similarity < paraphraseP5).count();
        assertThat(belowP5 / (double) contradictionPairs.size())
                .as("share of contradiction pairs below the paraphrase pairs' 5th percentile %.3f", paraphraseP5)
                .isGreaterThanOrEqualTo(0.90);
        assertThat(median(paraphrasePairs) - median(contradictionPairs)).isGreaterThan(0.05);
    }

    @Test
    void shouldOverlapInWordsAtLeastAsMuchForContradictionsAsForParaphrases() {
        double paraphraseOverlap = 0;
        double contradictionOverlap = 0;
        int paraphrasePairs = 0;
        int contradictionPairs = 0;
        for (SimCorpus.Meaning meaning : SimCorpus.standard().meanings()) {
            List<String> paraphrases = meaning.paraphrases();
            for (int i = 0; i < paraphrases.size(); i++) {
                for (int j = i + 1; j < paraphrases.size(); j++) {
                    paraphraseOverlap += tokenF1(paraphrases.get(i), paraphrases.get(j));
                    paraphrasePairs++;
                }
                for (String contradiction : meaning.contradictions()) {
                    contradictionOverlap += tokenF1(paraphrases.get(i), contradiction);
                    contradictionPairs++;
                }
            }
        }
        assertThat(contradictionOverlap / contradictionPairs).isGreaterThanOrEqualTo(paraphraseOverlap / paraphrasePairs);
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            normA += a[i] * a[i];
            normB += b[i] * b[i];
        }
        return dot / Math.sqrt(normA * normB);
    }

    /** Token F1 over lower-cased words (letters, digits, {@code $ % '}), counting repeats. */
    static double tokenF1(String a, String b) {
        Map<String, Integer> left = words(a);
        Map<String, Integer> right = words(b);
        int common = 0;
        for (Map.Entry<String, Integer> word : left.entrySet()) common += Math.min(word.getValue(), right.getOrDefault(word.getKey(), 0));
        if (common == 0) return 0;
        double precision = common / (double) size(left);
        double recall = common / (double) size(right);
        return 2 * precision * recall / (precision + recall);
    }

    private static Map<String, Integer> words(String text) {
        Map<String, Integer> words = new HashMap<>();
        for (String word : text.toLowerCase(Locale.ROOT).split("[^a-z0-9$%']+")) {
            if (!word.isEmpty()) words.merge(word, 1, Integer::sum);
        }
        return words;
    }

    private static int size(Map<String, Integer> words) {
        return words.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The value at rank floor(q·(n−1)) of the sorted values. */
    private static double percentile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get((int) Math.floor(q * (sorted.size() - 1)));
    }

    private static double median(List<Double> values) {
        return percentile(values, 0.5);
    }
}
