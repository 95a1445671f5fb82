package dev.turnout.diff;

/**
 * @param wantsJson       the request asked for a JSON answer, so JSON validity is checked
 * @param similarAt       a text score (max of token F1 and ROUGE-L) at or above this is "similar"
 * @param maxTokens       cap on tokens fed to ROUGE-L and token F1
 * @param maxChars        cap on characters fed to Levenshtein
 */
public record DiffOptions(boolean wantsJson, double similarAt, int maxTokens, int maxChars) {

    public static final double DEFAULT_SIMILAR_AT = 0.8;

    public static DiffOptions defaults(boolean wantsJson) {
        return new DiffOptions(wantsJson, DEFAULT_SIMILAR_AT, 2_000, 2_000);
    }
}
