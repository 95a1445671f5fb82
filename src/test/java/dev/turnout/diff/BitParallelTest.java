package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The bit-parallel LCS and Levenshtein give exactly what the straightforward two-row DP gives (the
 * differ's code before them, kept here as the reference), on random inputs of every length around
 * the word boundaries (63, 64, 65, 128...) up to several words, with unicode, and on near-copies,
 * which is what the differ mostly sees.
 */
class BitParallelTest {

    private static final String ALPHABET = "abcde éü中文🚚\n ";

    /** The differ's LCS before the bit-parallel one. */
    private static int referenceLcs(List<String> a, List<String> b) {
        int[] previous = new int[b.size() + 1];
        int[] row = new int[b.size() + 1];
        for (String token : a) {
            for (int j = 1; j <= b.size(); j++) {
                row[j] = token.equals(b.get(j - 1)) ? previous[j - 1] + 1 : Math.max(previous[j], row[j - 1]);
            }
            int[] swap = previous;
            previous = row;
            row = swap;
        }
        return previous[b.size()];
    }

    /** The differ's Levenshtein before the bit-parallel one. */
    private static int referenceLevenshtein(String left, String right) {
        int[] previous = new int[right.length() + 1];
        int[] row = new int[right.length() + 1];
        for (int j = 0; j <= right.length(); j++) previous[j] = j;
        for (int i = 1; i <= left.length(); i++) {
            row[0] = i;
            char c = left.charAt(i - 1);
            for (int j = 1; j <= right.length(); j++) {
                int substitution = previous[j - 1] + (c == right.charAt(j - 1) ? 0 : 1);
                row[j] = Math.min(substitution, Math.min(previous[j] + 1, row[j - 1] + 1));
            }
            int[] swap = previous;
            previous = row;
            row = swap;
        }
        return previous[right.length()];
    }

    private static int length(Random random) {
        int[] interesting = {0, 1, 2, 63, 64, 65, 127, 128, 129, 191, 192, 193};
        return random.nextInt(3) == 0 ? interesting[random.nextInt(interesting.length)] : random.nextInt(400);
    }

    private static List<String> tokens(Random random, int length, int vocabulary) {
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < length; i++) tokens.add("w" + random.nextInt(vocabulary));
        return tokens;
    }

    private static List<String> mutate(Random random, List<String> tokens, int vocabulary) {
        List<String> copy = new ArrayList<>(tokens);
        int edits = random.nextInt(1 + copy.size() / 5);
        for (int e = 0; e < edits; e++) {
            int at = copy.isEmpty() ? 0 : random.nextInt(copy.size());
            switch (random.nextInt(3)) {
                case 0 -> copy.add(at, "w" + random.nextInt(vocabulary));
                case 1 -> { if (!copy.isEmpty()) copy.remove(at); }
                default -> { if (!copy.isEmpty()) copy.set(at, "w" + random.nextInt(vocabulary)); }
            }
        }
        return copy;
    }

    private static String text(Random random, int length) {
        StringBuilder text = new StringBuilder();
        while (text.length() < length) text.appendCodePoint(ALPHABET.codePointAt(ALPHABET.offsetByCodePoints(0,
                random.nextInt(ALPHABET.codePointCount(0, ALPHABET.length())))));
        return text.toString();
    }

    private static String mutate(Random random, String text) {
        StringBuilder copy = new StringBuilder(text);
        int edits = random.nextInt(1 + copy.length() / 8);
        for (int e = 0; e < edits; e++) {
            int at = copy.length() == 0 ? 0 : random.nextInt(copy.length());
            switch (random.nextInt(3)) {
                case 0 -> copy.insert(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
                case 1 -> { if (copy.length() > 0) copy.deleteCharAt(at); }
                default -> { if (copy.length() > 0) copy.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length()))); }
            }
        }
        return copy.toString();
    }

    @Test
    void rougeLIsExactlyTheDynamicProgrammingResult() {
        Random random = new Random(1);
        for (int round = 0; round < 3_000; round++) {
            int vocabulary = 1 + random.nextInt(round % 2 == 0 ? 8 : 500);
            List<String> a = tokens(random, length(random), vocabulary);
            List<String> b = random.nextBoolean() ? mutate(random, a, vocabulary) : tokens(random, length(random), vocabulary);
            int expected = referenceLcs(a, b);
            double expectedF1 = a.isEmpty() && b.isEmpty() ? 1.0 : expected == 0 ? 0.0
                    : 2 * (expected / (double) b.size()) * (expected / (double) a.size())
                    / (expected / (double) b.size() + expected / (double) a.size());
            assertThat(TextMetrics.rougeL(a, b)).as("%s vs %s", a, b).isEqualTo(expectedF1);
        }
    }

    @Test
    void lcsOverIdsMatchesTheReferenceIncludingLongInputs() {
        Random random = new Random(2);
        for (int round = 0; round < 100; round++) {
            int vocabulary = 1 + random.nextInt(50);
            List<String> a = tokens(random, random.nextInt(2_100), vocabulary);
            List<String> b = mutate(random, a, vocabulary);
            int[] left = a.stream().mapToInt(t -> Integer.parseInt(t.substring(1))).toArray();
            int[] right = b.stream().mapToInt(t -> Integer.parseInt(t.substring(1))).toArray();
            assertThat(BitParallel.lcs(left, right, vocabulary)).isEqualTo(referenceLcs(a, b));
        }
    }

    @Test
    void levenshteinIsExactlyTheDynamicProgrammingResult() {
        Random random = new Random(3);
        for (int round = 0; round < 3_000; round++) {
            String a = text(random, length(random));
            String b = random.nextBoolean() ? mutate(random, a) : text(random, length(random));
            assertThat(BitParallel.levenshtein(a, b)).as("%s vs %s", a, b).isEqualTo(referenceLevenshtein(a, b));
            assertThat(BitParallel.levenshtein(b, a)).isEqualTo(referenceLevenshtein(a, b));
        }
        for (int round = 0; round < 30; round++) {
            String a = text(random, random.nextInt(4_000));
            String b = mutate(random, a);
            assertThat(BitParallel.levenshtein(a, b)).isEqualTo(referenceLevenshtein(a, b));
        }
    }

    @Test
    void similarityKeepsItsCapsAndEdgeCases() {
        assertThat(TextMetrics.levenshteinSimilarity("", "", 10)).isEqualTo(1.0);
        assertThat(TextMetrics.levenshteinSimilarity("abc", "", 10)).isEqualTo(0.0);
        assertThat(TextMetrics.levenshteinSimilarity("kitten", "sitting", 10)).isEqualTo(1 - 3 / 7.0);
        assertThat(TextMetrics.levenshteinSimilarity("abcdefXXXX", "abcdefYYYY", 6)).isEqualTo(1.0);
        assertThat(TextMetrics.rougeL(List.of("a"), List.of("b"))).isEqualTo(0.0);
        assertThat(TextMetrics.rougeL(List.of(), List.of())).isEqualTo(1.0);
    }
}
