package dev.turnout.probe;

import static java.util.Objects.requireNonNull;

/**
 * One golden item asked of one version in one run.
 *
 * @param answer  the answer's text (or its tool call), cut to {@link #MAX_ANSWER_CHARS}
 * @param repeat  for items whose answers are compared across runs ({@code exact}, {@code semantic}):
 *                the answer to the same item asked a second time, which measures the version's own noise; else null
 * @param skipped the run's token budget was spent before the item was asked
 */
public record ItemOutcome(String id, String kind, boolean passed, boolean skipped, String detail, String answer, String repeat,
        long latencyMs, long tokens) {

    public static final int MAX_ANSWER_CHARS = 2_000;

    public ItemOutcome {
        requireNonNull(id, "id");
        requireNonNull(kind, "kind");
        detail = detail == null ? "" : detail;
        answer = cut(answer);
        repeat = repeat == null ? null : cut(repeat);
    }

    private static String cut(String text) {
        if (text == null) return "";
        return text.length() <= MAX_ANSWER_CHARS ? text : text.substring(0, MAX_ANSWER_CHARS);
    }

    /** Items whose answers are compared with the baseline's: the checks that name an answer. */
    public boolean compared() {
        return kind.equals("exact") || kind.equals("semantic");
    }
}
