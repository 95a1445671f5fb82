package dev.turnout.golden;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.diff.AssembledResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckerTest {

    private static GoldenItem item(String check) {
        return GoldenSets.parse("s", "{\"id\": \"i\", \"messages\": [{\"role\": \"user\", \"content\": \"q\"}], \"params\": {\"tools\":"
                + " [{\"type\": \"function\", \"function\": {\"name\": \"lookup_order\"}}]}, \"check\": " + check + "}", true).items().get(0);
    }

    private static AssembledResponse text(String content) {
        return new AssembledResponse(200, null, List.of(new AssembledResponse.Choice(0, content, List.of(), "stop")), null, true, false, 0);
    }

    private static AssembledResponse call(String name, String arguments) {
        return new AssembledResponse(200, null, List.of(new AssembledResponse.Choice(0, null,
                List.of(new AssembledResponse.ToolCall(0, "call_1", name, arguments)), "tool_calls")), null, true, false, 0);
    }

    private static ItemResult check(String check, AssembledResponse answer) {
        return Checker.check(item(check), answer, Similarity.NONE);
    }

    @Test
    void exactComparesTheStrippedText() {
        assertThat(check("{\"kind\": \"exact\", \"value\": \"42\"}", text("\n42 ")).passed()).isTrue();
        ItemResult wrong = check("{\"kind\": \"exact\", \"value\": \"42\"}", text("42."));
        assertThat(wrong.passed()).isFalse();
        assertThat(wrong.detail()).isEqualTo("expected exactly '42', got '42.'");
    }

    @Test
    void containsIsCaseSensitive() {
        assertThat(check("{\"kind\": \"contains\", \"value\": \"[No]\"}", text("so: [No]")).passed()).isTrue();
        assertThat(check("{\"kind\": \"contains\", \"value\": \"[No]\"}", text("so: [no]")).passed()).isFalse();
    }

    @Test
    void regexFindsAnywhereAndGivesUpOnCatastrophicBacktracking() {
        assertThat(check("{\"kind\": \"regex\", \"pattern\": \"\\\\[Yes\\\\]\\\\s*$\"}", text("reasoning... [Yes]\n")).passed()).isTrue();
        assertThat(check("{\"kind\": \"regex\", \"pattern\": \"\\\\[Yes\\\\]\\\\s*$\"}", text("[Yes] no wait [No]")).passed()).isFalse();

        long started = System.nanoTime();
        ItemResult evil = check("{\"kind\": \"regex\", \"pattern\": \"(x+x+)+y\"}", text("x".repeat(5_000)));

        assertThat(evil.passed()).isFalse();
        assertThat(evil.detail()).startsWith("the regex gave up after 5000000 steps");
        assertThat(System.nanoTime() - started).isLessThan(5_000_000_000L);
    }

    @Test
    void oneOfTakesTheWholeStrippedAnswer() {
        assertThat(check("{\"kind\": \"oneOf\", \"values\": [\"Yes\", \"No\"]}", text(" No\n")).passed()).isTrue();
        assertThat(check("{\"kind\": \"oneOf\", \"values\": [\"Yes\", \"No\"]}", text("No, it is not")).passed()).isFalse();
    }

    @Test
    void numberReadsTheFirstNumberWithinTolerance() {
        assertThat(check("{\"kind\": \"number\", \"value\": 1234.5}", text("The total is 1,234.5 dollars, not 7.")).passed()).isTrue();
        assertThat(check("{\"kind\": \"number\", \"value\": 3, \"tolerance\": 0.01}", text("about 3.004")).passed()).isTrue();
        assertThat(check("{\"kind\": \"number\", \"value\": -2}", text("x = -2")).passed()).isTrue();
        ItemResult off = check("{\"kind\": \"number\", \"value\": 75}", text("76"));
        assertThat(off.passed()).isFalse();
        assertThat(off.detail()).isEqualTo("first number is 76, expected 75");
        assertThat(check("{\"kind\": \"number\", \"value\": 75}", text("seventy-five")).detail())
                .isEqualTo("expected the number 75, found no number in 'seventy-five'");
    }

    @Test
    void jsonSchemaValidatesBareOrFencedJson() {
        String schema = "{\"kind\": \"jsonSchema\", \"schema\": {\"type\": \"object\", \"required\": [\"name\", \"age\"],"
                + " \"properties\": {\"age\": {\"type\": \"integer\"}}}}";

        assertThat(check(schema, text("{\"name\": \"Ana\", \"age\": 27}")).passed()).isTrue();
        assertThat(check(schema, text("Here you go:\n```json\n{\"name\": \"Ana\", \"age\": 27}\n```\nAnything else?")).passed()).isTrue();
        ItemResult missing = check(schema, text("```\n{\"name\": \"Ana\"}\n```"));
        assertThat(missing.passed()).isFalse();
        assertThat(missing.detail()).startsWith("invalid against the schema (1 error(s)): ").contains("age");
        assertThat(check(schema, text("Ana is 27")).detail()).startsWith("the answer is not JSON");
    }

    @Test
    void semanticNeedsASimilarityAndItsThreshold() {
        GoldenItem item = item("{\"kind\": \"semantic\", \"reference\": \"refund in 30 days\", \"minSimilarity\": 0.9}");

        assertThat(Checker.check(item, text("refunds within a month"), Similarity.NONE))
                .isEqualTo(new ItemResult(false, "semantic checks need the embedding model"));
        assertThat(Checker.check(item, text("refunds within a month"), (a, b) -> 0.95).passed()).isTrue();
        ItemResult far = Checker.check(item, text("no refunds"), (a, b) -> 0.5);
        assertThat(far.passed()).isFalse();
        assertThat(far.detail()).startsWith("similarity 0.500 < 0.9");
    }

    @Test
    void toolCallNeedsTheNameAndEveryGivenArgument() {
        String check = "{\"kind\": \"toolCall\", \"name\": \"lookup_order\", \"arguments\": {\"order_id\": \"A-1\", \"n\": 1}}";

        assertThat(check(check, call("lookup_order", "{\"order_id\": \"A-1\", \"n\": 1.0, \"extra\": true}")).passed()).isTrue();
        assertThat(check(check, call("lookup_order", "{\"order_id\": \"A-2\", \"n\": 1}")).detail())
                .isEqualTo("argument order_id is \"A-2\", expected \"A-1\"");
        assertThat(check(check, call("lookup_order", "{\"order_id\": \"A-1\"}")).detail())
                .isEqualTo("the call to lookup_order has no argument n");
        assertThat(check(check, call("cancel_order", "{}")).detail()).isEqualTo("expected a call to lookup_order, got a call to 'cancel_order'");
        assertThat(check(check, call("lookup_order", "{\"order_id\"")).detail()).startsWith("the call's arguments are not JSON");
        assertThat(check(check, text("I cannot look that up")).passed()).isFalse();
        assertThat(check("{\"kind\": \"toolCall\", \"name\": \"lookup_order\"}", call("lookup_order", "{}")).passed()).isTrue();
    }

    @Test
    void aFailedOrCutAnswerNeverPasses() {
        String exact = "{\"kind\": \"exact\", \"value\": \"\"}";

        assertThat(check(exact, AssembledResponse.failure(500, "http_500:server_error")))
                .isEqualTo(new ItemResult(false, "the answer failed: http_500:server_error"));
        assertThat(check(exact, new AssembledResponse(200, null, List.of(), null, false, false, 0)).detail())
                .isEqualTo("the answer's stream ended before [DONE]");
    }

    @Test
    void detailsStayOnOneBoundedLine() {
        ItemResult result = check("{\"kind\": \"contains\", \"value\": \"zzz\"}", text("line one\nline two " + "x".repeat(10_000)));

        assertThat(result.detail()).doesNotContain("\n").hasSizeLessThanOrEqualTo(ItemResult.MAX_DETAIL);
    }
}
