package dev.turnout.diff;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Compares a candidate's answer with the primary's. Pure and thread-safe; run it off the event
 * loop, since ROUGE-L and Levenshtein are quadratic (bounded by {@link DiffOptions} caps).
 *
 * <p>Verdicts, first match wins:
 * <ul>
 *   <li>{@code error}: either side failed (non-2xx, timeout, connect error, reset, truncated capture,
 *       unreadable body): the pair says nothing about the answers, only about availability;</li>
 *   <li>{@code same}: normalized text equal, same tool names with JSON-equal arguments, same finish
 *       reason, and (when JSON was asked for) both valid or both invalid;</li>
 *   <li>{@code similar}: same tool names with JSON-equal arguments, same JSON validity, and a text
 *       score max(token F1, ROUGE-L) ≥ {@link DiffOptions#similarAt()} (0.8 by default: a
 *       paraphrase or a few changed words; tool-call-only answers with equal calls count here
 *       when only the finish reason differs);</li>
 *   <li>{@code different}: anything else.</li>
 * </ul>
 * These are the lexical verdicts. When the pair's embeddings are scored, {@link Calibration#judge}
 * replaces {@code same}/{@code similar}/{@code different} by a verdict against the primary's own noise.
 */
public final class ResponseDiffer {

    private ResponseDiffer() {}

    public static DiffMetrics compare(Exchange primary, Exchange candidate, DiffOptions options) {
        AssembledResponse p = primary.response();
        AssembledResponse c = candidate.response();
        double latencyDelta = candidate.totalMs() - primary.totalMs();
        Double ttftDelta = primary.ttftMs() != null && candidate.ttftMs() != null
                ? candidate.ttftMs() - primary.ttftMs() : null;
        if (p.failed() || c.failed()) {
            return new DiffMetrics(Verdict.ERROR, p.status(), c.status(), p.errorClass(), c.errorClass(), false, false,
                    0, 0, 0, false, false, List.of(), null, null, null, latencyDelta, ttftDelta);
        }
        String pText = p.text();
        String cText = c.text();
        boolean exact = pText.equals(cText);
        boolean normalizedExact = exact || TextMetrics.normalize(pText).equals(TextMetrics.normalize(cText));
        List<String> pTokens = TextMetrics.tokens(pText, options.maxTokens());
        List<String> cTokens = TextMetrics.tokens(cText, options.maxTokens());
        double tokenF1 = TextMetrics.tokenF1(pTokens, cTokens);
        double rougeL = TextMetrics.rougeL(pTokens, cTokens);
        double levenshtein = TextMetrics.levenshteinSimilarity(pText, cText, options.maxChars());
        boolean finishEqual = Objects.equals(p.finishReason(), c.finishReason());
        List<String> pNames = names(p.toolCalls());
        boolean toolNamesEqual = pNames.equals(names(c.toolCalls()));
        List<String> argDiffs = toolNamesEqual ? argumentDiffs(p.toolCalls(), c.toolCalls()) : List.of();
        Boolean pJson = options.wantsJson() ? JsonDiff.isValid(pText) : null;
        Boolean cJson = options.wantsJson() ? JsonDiff.isValid(cText) : null;
        boolean jsonAgrees = Objects.equals(pJson, cJson);
        Integer tokenDelta = p.usage() != null && c.usage() != null && p.usage().completionTokens() != null
                && c.usage().completionTokens() != null ? c.usage().completionTokens() - p.usage().completionTokens() : null;
        boolean callsAgree = toolNamesEqual && argDiffs.isEmpty() && jsonAgrees;
        int longer = Math.max(pText.length(), cText.length());
        double lengthRatio = longer == 0 ? 1.0 : Math.min(pText.length(), cText.length()) / (double) longer;
        // Tool calls are compared as JSON, exactly; embedding their text would only blur that.
        String semantic = p.toolCalls().isEmpty() && c.toolCalls().isEmpty() ? DiffMetrics.DISABLED : DiffMetrics.NOT_APPLICABLE;
        Verdict verdict;
        if (callsAgree && normalizedExact && finishEqual) verdict = Verdict.SAME;
        else if (callsAgree && Math.max(tokenF1, rougeL) >= options.similarAt()) verdict = Verdict.SIMILAR;
        else verdict = Verdict.DIFFERENT;
        return new DiffMetrics(verdict, p.status(), c.status(), null, null, exact, normalizedExact, tokenF1, rougeL,
                levenshtein, finishEqual, toolNamesEqual, argDiffs, pJson, cJson, tokenDelta, latencyDelta, ttftDelta, lengthRatio,
                null, semantic);
    }

    private static List<String> names(List<AssembledResponse.ToolCall> calls) {
        List<String> names = new ArrayList<>(calls.size());
        for (AssembledResponse.ToolCall call : calls) names.add(call.name());
        return names;
    }

    private static List<String> argumentDiffs(List<AssembledResponse.ToolCall> primary, List<AssembledResponse.ToolCall> candidate) {
        List<String> diffs = new ArrayList<>();
        for (int i = 0; i < primary.size(); i++) {
            for (String diff : JsonDiff.diff(primary.get(i).arguments(), candidate.get(i).arguments())) {
                diffs.add("tool_calls[" + i + "] " + diff);
            }
        }
        return diffs;
    }
}
