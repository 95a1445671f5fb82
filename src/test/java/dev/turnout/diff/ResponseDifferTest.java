package dev.turnout.diff;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResponseDifferTest {

    private static AssembledResponse text(String content, String finish, int completionTokens) {
        return new AssembledResponse(200, null, List.of(new AssembledResponse.Choice(0, content, List.of(), finish)),
                new AssembledResponse.Usage(5, completionTokens, 5 + completionTokens), true, false, 0);
    }

    private static AssembledResponse tool(String name, String arguments) {
        return new AssembledResponse(200, null, List.of(new AssembledResponse.Choice(0, "",
                List.of(new AssembledResponse.ToolCall(0, "call", name, arguments)), "tool_calls")), null, true, false, 0);
    }

    private static DiffMetrics compare(AssembledResponse primary, AssembledResponse candidate, boolean wantsJson) {
        return ResponseDiffer.compare(new Exchange(primary, 100, 20.0), new Exchange(candidate, 130, 25.0),
                DiffOptions.defaults(wantsJson));
    }

    /** A pair of pure tool-call answers, as compared by the differ. */
    static DiffMetrics toolCallPair(String primaryTool, String candidateTool) {
        return compare(tool(primaryTool, "{}"), tool(candidateTool, "{}"), false);
    }

    @Test
    void shouldMarkTextPairsForScoringAndLeaveToolCallsAndErrorsToTheirOwnComparison() {
        DiffMetrics texts = compare(text("a short answer", "stop", 3), text("a somewhat longer answer!", "stop", 4), false);
        assertThat(texts.semanticApplicable()).isTrue();
        assertThat(texts.semanticStatus()).isEqualTo(DiffMetrics.DISABLED);
        assertThat(texts.similarity()).isNull();
        assertThat(texts.lengthRatio()).isCloseTo(14 / 25.0, offset(1e-9));
        assertThat(compare(text("", "stop", 0), text("", "stop", 0), false).lengthRatio()).isEqualTo(1.0);
        DiffMetrics calls = toolCallPair("get_weather", "get_weather");
        assertThat(calls.verdict()).isEqualTo(Verdict.SAME);
        assertThat(calls.semanticStatus()).isEqualTo(DiffMetrics.NOT_APPLICABLE);
        DiffMetrics failed = compare(AssembledResponse.failure(0, "timeout"), text("fine", "stop", 1), false);
        assertThat(failed.semanticStatus()).isEqualTo(DiffMetrics.NOT_APPLICABLE);
        assertThat(failed.toJson().get("semanticStatus").asText()).isEqualTo("not_applicable");
    }

    @Test
    void shouldComputeTheTextMetricsByHand() {
        assertThat(TextMetrics.levenshteinSimilarity("kitten", "sitting", 100)).isCloseTo(1 - 3 / 7.0, offset(1e-9));
        List<String> reference = TextMetrics.tokens("the cat sat on the mat", 100);
        List<String> candidate = TextMetrics.tokens("the cat lay on the mat", 100);
        // LCS "the cat on the mat" = 5 of 6 on both sides.
        assertThat(TextMetrics.rougeL(reference, candidate)).isCloseTo(5 / 6.0, offset(1e-9));
        assertThat(TextMetrics.tokenF1(reference, candidate)).isCloseTo(5 / 6.0, offset(1e-9));
        // Order matters to ROUGE-L, not to token F1.
        List<String> shuffled = TextMetrics.tokens("mat the on sat cat the", 100);
        assertThat(TextMetrics.tokenF1(reference, shuffled)).isEqualTo(1.0);
        // LCS "the cat the": 3 of 6.
        assertThat(TextMetrics.rougeL(reference, shuffled)).isCloseTo(0.5, offset(1e-9));
        assertThat(TextMetrics.normalize("  Hello,   WORLD!! ")).isEqualTo("hello, world");
    }

    @Test
    void shouldKeepMetricsSymmetricBoundedAndOneForIdenticalInputs() {
        Random random = new Random(7);
        String[] words = {"order", "parcel", "late", "refund", "today", "the", "your", "we"};
        for (int trial = 0; trial < 300; trial++) {
            StringBuilder a = new StringBuilder();
            StringBuilder b = new StringBuilder();
            for (int i = random.nextInt(12); i > 0; i--) a.append(words[random.nextInt(words.length)]).append(' ');
            for (int i = random.nextInt(12); i > 0; i--) b.append(words[random.nextInt(words.length)]).append(' ');
            List<String> ta = TextMetrics.tokens(a.toString(), 100);
            List<String> tb = TextMetrics.tokens(b.toString(), 100);
            assertThat(TextMetrics.tokenF1(ta, tb)).isEqualTo(TextMetrics.tokenF1(tb, ta)).isBetween(0.0, 1.0);
            assertThat(TextMetrics.rougeL(ta, tb)).isCloseTo(TextMetrics.rougeL(tb, ta), offset(1e-12)).isBetween(0.0, 1.0);
            double lev = TextMetrics.levenshteinSimilarity(a.toString(), b.toString(), 1000);
            assertThat(lev).isEqualTo(TextMetrics.levenshteinSimilarity(b.toString(), a.toString(), 1000)).isBetween(0.0, 1.0);
            assertThat(compare(text(a.toString(), "stop", 3), text(a.toString(), "stop", 3), false).verdict()).isEqualTo(Verdict.SAME);
        }
    }

    @Test
    void shouldCapLongInputsAndStillCompareTheirStart() {
        String longText = "word ".repeat(50_000);
        DiffMetrics metrics = compare(text(longText, "stop", 50_000), text(longText + "tail", "stop", 50_001), false);
        assertThat(metrics.rougeL()).isEqualTo(1.0);
        assertThat(metrics.levenshtein()).isEqualTo(1.0);
        assertThat(metrics.verdict()).isEqualTo(Verdict.SIMILAR);
    }

    @Test
    void shouldSaySameForTextThatOnlyDiffersInCaseSpacingAndEndPunctuation() {
        DiffMetrics metrics = compare(text("Your order ships today.", "stop", 4), text("  your ORDER ships   today ", "stop", 4), false);
        assertThat(metrics.exact()).isFalse();
        assertThat(metrics.normalizedExact()).isTrue();
        assertThat(metrics.verdict()).isEqualTo(Verdict.SAME);
        assertThat(metrics.latencyDeltaMs()).isEqualTo(30.0);
        assertThat(metrics.ttftDeltaMs()).isEqualTo(5.0);
        assertThat(metrics.completionTokenDelta()).isZero();
    }

    @Test
    void shouldSaySimilarForAFewChangedWordsAndDifferentForAnotherAnswer() {
        String primary = "Your parcel left our warehouse today and should arrive within two business days";
        assertThat(compare(text(primary, "stop", 14), text(primary.replace("two", "three"), "stop", 14), false).verdict())
                .isEqualTo(Verdict.SIMILAR);
        DiffMetrics different = compare(text(primary, "stop", 14), text("Please contact the store for a refund", "stop", 7), false);
        assertThat(different.verdict()).isEqualTo(Verdict.DIFFERENT);
        assertThat(different.completionTokenDelta()).isEqualTo(-7);
    }

    @Test
    void shouldCompareToolCallsByNameAndArgumentMeaning() {
        DiffMetrics reordered = compare(tool("get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\"}"),
                tool("get_weather", "{ \"unit\": \"celsius\", \"city\": \"Paris\" }"), false);
        assertThat(reordered.verdict()).isEqualTo(Verdict.SAME);
        DiffMetrics changed = compare(tool("get_weather", "{\"city\":\"Paris\",\"unit\":\"celsius\",\"days\":[1,2]}"),
                tool("get_weather", "{\"city\":\"Paris\",\"unit\":\"fahrenheit\",\"days\":[1],\"hourly\":true}"), false);
        assertThat(changed.verdict()).isEqualTo(Verdict.DIFFERENT);
        assertThat(changed.toolArgDiffs()).containsExactly("tool_calls[0] removed $.days[1]", "tool_calls[0] added $.hourly",
                "tool_calls[0] changed $.unit");
        DiffMetrics renamed = compare(tool("get_weather", "{}"), tool("get_forecast", "{}"), false);
        assertThat(renamed.toolNamesEqual()).isFalse();
        assertThat(renamed.verdict()).isEqualTo(Verdict.DIFFERENT);
        assertThat(JsonDiff.diff("{\"a\":1}", "{oops")).containsExactly("invalid candidate");
    }

    @Test
    void shouldCheckJsonValidityWhenTheRequestAskedForJson() {
        DiffMetrics metrics = compare(text("{\"answer\": \"yes\"}", "stop", 3), text("answer: yes", "stop", 3), true);
        assertThat(metrics.jsonValidPrimary()).isTrue();
        assertThat(metrics.jsonValidCandidate()).isFalse();
        assertThat(metrics.verdict()).isEqualTo(Verdict.DIFFERENT);
        assertThat(compare(text("a", "stop", 1), text("a", "stop", 1), false).jsonValidPrimary()).isNull();
    }

    @Test
    void shouldSayErrorWhenEitherSideFailed() {
        AssembledResponse failed = ResponseAssembler.fromBody(500,
                "{\"error\":{\"message\":\"x\",\"type\":\"server_error\"}}".getBytes(StandardCharsets.UTF_8), false, false);
        DiffMetrics metrics = compare(text("fine", "stop", 1), failed, false);
        assertThat(metrics.verdict()).isEqualTo(Verdict.ERROR);
        assertThat(metrics.errorCandidate()).isEqualTo("http_500:server_error");
        assertThat(compare(AssembledResponse.failure(0, "timeout"), text("fine", "stop", 1), false).verdict()).isEqualTo(Verdict.ERROR);
        assertThat(metrics.toJson().get("verdict").asText()).isEqualTo("error");
    }
}
