package dev.turnout.replay;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each redaction rule alone: what it takes out, and what it must leave. */
class RedactionTest {

    private static final Redaction NONE = new Redaction(List.of(), false, false, List.of());

    private static JsonNode json(String text) throws Exception {
        return RecordedExchange.JSON.readTree(text);
    }

    @Test
    void shouldDropTheNamedTopLevelFieldsOnly() throws Exception {
        Redaction redaction = new Redaction(List.of("user", "metadata"), false, false, List.of());
        JsonNode out = json(redaction.request("{\"model\":\"m\",\"user\":\"u-1\",\"metadata\":{\"a\":1},"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"user\":\"nested stays\"}]}"));
        assertThat(out.has("user")).isFalse();
        assertThat(out.has("metadata")).isFalse();
        assertThat(out.get("model").asText()).isEqualTo("m");
        assertThat(out.at("/messages/0/user").asText()).isEqualTo("nested stays");
        assertThat(json(NONE.request("{\"user\":\"u-1\"}")).get("user").asText()).isEqualTo("u-1");
    }

    @Test
    void shouldMaskEmailAddressesInEveryStringOfTheRequest() throws Exception {
        Redaction redaction = new Redaction(List.of(), true, false, List.of());
        JsonNode out = json(redaction.request("{\"messages\":[{\"role\":\"user\",\"content\":\"mail jane.doe+x@mail.example.co.uk now\"}],"
                + "\"tags\":[\"ops@example.com\"]}"));
        assertThat(out.at("/messages/0/content").asText()).isEqualTo("mail [redacted-email] now");
        assertThat(out.at("/tags/0").asText()).isEqualTo("[redacted-email]");
        assertThat(out.at("/messages/0/role").asText()).isEqualTo("user");
        assertThat(NONE.mask("jane@example.com")).isEqualTo("jane@example.com");
        assertThat(redaction.mask("not an address: a@b, @example.com")).isEqualTo("not an address: a@b, @example.com");
    }

    @Test
    void shouldMaskPhoneNumbersOfNineToFifteenDigits() {
        Redaction redaction = new Redaction(List.of(), false, true, List.of());
        assertThat(redaction.mask("call +1 415 555 0123 or (020) 7946-0958, or 0612345678."))
                .isEqualTo("call [redacted-phone] or [redacted-phone], or [redacted-phone].");
        // Years, prices, short codes, long ids and numbers glued to words stay.
        assertThat(redaction.mask("in 2026 it cost 1234.56; code 12345; id chatcmpl-123456789; 12345678901234567890"))
                .isEqualTo("in 2026 it cost 1234.56; code 12345; id chatcmpl-123456789; 12345678901234567890");
        assertThat(NONE.mask("+1 415 555 0123")).isEqualTo("+1 415 555 0123");
    }

    @Test
    void shouldMaskOperatorPatternsBeforeTheBuiltInRules() {
        Redaction redaction = new Redaction(List.of(), true, true, List.of("acct-[0-9]+", "secret \\w+"));
        assertThat(redaction.mask("acct-42 and secret sauce, jane@example.com"))
                .isEqualTo("[redacted] and [redacted], [redacted-email]");
        assertThat(new Redaction(List.of(), true, false, List.of("jane@\\S+")).mask("jane@example.com"))
                .isEqualTo("[redacted]");
    }

    @Test
    void shouldMaskAJsonAnswerStringByStringAndLeaveItsShape() throws Exception {
        Redaction redaction = new Redaction(List.of("user"), true, true, List.of());
        JsonNode out = json(redaction.answer("{\"id\":\"chatcmpl-1\",\"user\":\"kept in answers\",\"choices\":[{\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"Reach us at help@example.com\"}}],\"usage\":{\"total_tokens\":1234567890}}"));
        assertThat(out.at("/choices/0/message/content").asText()).isEqualTo("Reach us at [redacted-email]");
        assertThat(out.get("user").asText()).as("dropFields is about requests").isEqualTo("kept in answers");
        assertThat(out.at("/usage/total_tokens").asLong()).as("numbers are not strings").isEqualTo(1234567890L);
    }

    @Test
    void shouldMaskEachEventOfAStreamedAnswer() {
        Redaction redaction = new Redaction(List.of(), true, false, List.of());
        String stream = "data: {\"choices\":[{\"delta\":{\"content\":\"bob@example.com\"}}]}\n\ndata: [DONE]\n\n";
        assertThat(redaction.answer(stream))
                .isEqualTo("data: {\"choices\":[{\"delta\":{\"content\":\"[redacted-email]\"}}]}\n\ndata: [DONE]\n\n");
    }

    @Test
    void shouldMaskTextThatIsNotJsonAsAWhole() {
        Redaction redaction = new Redaction(List.of("user"), true, false, List.of());
        assertThat(redaction.answer("{\"cut short: bob@example.com")).isEqualTo("{\"cut short: [redacted-email]");
        assertThat(redaction.request("user bob@example.com")).isEqualTo("user [redacted-email]");
    }

    @Test
    void shouldCapBytesWithoutCuttingACharacter() {
        assertThat(Redaction.capBytes("héllo", 100)).isEqualTo("héllo");
        assertThat(Redaction.capBytes("héllo", 2)).isEqualTo("h"); // é is two bytes: not cut in half
        assertThat(Redaction.capBytes("héllo", 3)).isEqualTo("hé");
    }
}
