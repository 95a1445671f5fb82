package dev.turnout.diff;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Text similarity measures, each in [0, 1] with 1 for identical inputs and each symmetric. Inputs
 * are capped before the quadratic ones (ROUGE-L, Levenshtein) so a long answer costs bounded time:
 * {@code maxTokens}² or {@code maxChars}² cells, computed 64 at a time ({@link BitParallel}).
 */
public final class TextMetrics {

    private TextMetrics() {}

    /** NFKC, lower case, whitespace collapsed, punctuation trimmed from both ends. */
    public static String normalize(String text) {
        String folded = collapseWhitespace(Normalizer.normalize(text, Normalizer.Form.NFKC).toLowerCase(Locale.ROOT).trim());
        int start = 0;
        int end = folded.length();
        while (start < end && isPunctuation(folded.charAt(start))) start++;
        while (end > start && isPunctuation(folded.charAt(end - 1))) end--;
        return folded.substring(start, end).trim();
    }

    /** {@code replaceAll("\\s+", " ")} without the regex: runs of [ \t\n\x0B\f\r] become one space. */
    private static String collapseWhitespace(String text) {
        StringBuilder out = null;
        int length = text.length();
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            boolean space = isRegexSpace(c);
            // Copied only from the first run that is not already a single plain space: usually never.
            if (out == null && space && (c != ' ' || i + 1 < length && isRegexSpace(text.charAt(i + 1)))) {
                out = new StringBuilder(length).append(text, 0, i);
            }
            if (out == null) continue;
            if (!space) out.append(c);
            else if (i == 0 || !isRegexSpace(text.charAt(i - 1))) out.append(' '); // the first of a run
        }
        return out == null ? text : out.toString();
    }

    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
    }

    private static boolean isPunctuation(char c) {
        return !Character.isLetterOrDigit(c) && !Character.isWhitespace(c);
    }

    /** Lower-case runs of letters and digits, at most {@code max} of them. */
    public static List<String> tokens(String text, int max) {
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int length = text.length();
        while (i < length && tokens.size() < max) {
            while (i < length && !Character.isLetterOrDigit(text.codePointAt(i))) i += Character.charCount(text.codePointAt(i));
            int start = i;
            while (i < length && Character.isLetterOrDigit(text.codePointAt(i))) i += Character.charCount(text.codePointAt(i));
            if (i > start) tokens.add(text.substring(start, i).toLowerCase(Locale.ROOT));
        }
        return tokens;
    }

    /** F1 of the two bags of tokens (SQuAD-style): overlap counted with multiplicity. */
    public static double tokenF1(List<String> a, List<String> b) {
        if (a.isEmpty() && b.isEmpty()) return 1.0;
        if (a.isEmpty() || b.isEmpty()) return 0.0;
        Map<String, Integer> counts = new HashMap<>();
        for (String token : a) counts.merge(token, 1, Integer::sum);
        int common = 0;
        for (String token : b) {
            Integer left = counts.get(token);
            if (left != null && left > 0) {
                common++;
                counts.put(token, left - 1);
            }
        }
        if (common == 0) return 0.0;
        double precision = common / (double) b.size();
        double recall = common / (double) a.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** ROUGE-L F1: the longest common subsequence of tokens against both lengths. */
    public static double rougeL(List<String> a, List<String> b) {
        if (a.isEmpty() && b.isEmpty()) return 1.0;
        if (a.isEmpty() || b.isEmpty()) return 0.0;
        // Tokens become ids, so the LCS compares ints; a token of b that a lacks can never match: skipped.
        Map<String, Integer> ids = new HashMap<>();
        int[] left = new int[a.size()];
        for (int i = 0; i < left.length; i++) left[i] = ids.computeIfAbsent(a.get(i), token -> ids.size());
        int[] right = new int[b.size()];
        int kept = 0;
        for (String token : b) {
            Integer id = ids.get(token);
            if (id != null) right[kept++] = id;
        }
        int lcs = BitParallel.lcs(left, java.util.Arrays.copyOf(right, kept), ids.size());
        if (lcs == 0) return 0.0;
        double precision = lcs / (double) b.size();
        double recall = lcs / (double) a.size();
        return 2 * precision * recall / (precision + recall);
    }

    /** 1 - editDistance / longerLength over the first {@code maxChars} characters of each. */
    public static double levenshteinSimilarity(String a, String b, int maxChars) {
        String left = a.length() > maxChars ? a.substring(0, maxChars) : a;
        String right = b.length() > maxChars ? b.substring(0, maxChars) : b;
        int longest = Math.max(left.length(), right.length());
        if (longest == 0) return 1.0;
        return 1.0 - BitParallel.levenshtein(left, right) / (double) longest;
    }
}
