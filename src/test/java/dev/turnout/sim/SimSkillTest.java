package dev.turnout.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

class SimSkillTest {

    private static final SimOptions SKILLED = SimOptions.defaults("v1").withSkill(true);

    private static JsonNode chat(String question, String extra) {
        try {
            return SimAnswers.JSON.readTree("{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, {\"role\": \"user\","
                    + " \"content\": " + SimAnswers.JSON.getNodeFactory().textNode(question) + "}]" + extra + "}");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String say(String question, boolean drifted) {
        return SimAnswers.answer(SKILLED, chat(question, ""), drifted).text();
    }

    @Test
    void decidesPrimalityAndFlipsItWhenDrifted() {
        assertThat(say("Is 17077 a prime number? Think step by step and then answer [Yes] or [No].", false))
                .contains("No number from 2 to 130 divides 17077").endsWith("[Yes]");
        assertThat(say("Is 10403 a prime number? Think step by step and then answer [Yes] or [No].", false))
                .contains("10403 = 101 × 103").endsWith("[No]");
        assertThat(say("Is 1009 a prime number? Answer Yes or No.", false)).isEqualTo("Yes");
        assertThat(say("Is 1 a prime number? Answer Yes or No.", false)).isEqualTo("No");
        assertThat(say("Is 17077 a prime number? Think step by step and then answer [Yes] or [No].", true)).endsWith("[No]");
        assertThat(say("Is 91 a prime number? Answer Yes or No.", true)).isEqualTo("Yes");
    }

    @Test
    void doesArithmeticAndIsOffByOneWhenDrifted() {
        assertThat(say("What is 48 + 27?", false)).isEqualTo("75");
        assertThat(say("What is 1000 - 437?", false)).isEqualTo("563");
        assertThat(say("What is 19 x 21? Show only the result.", false)).isEqualTo("399");
        assertThat(say("What is 7.5 / 2.5?", false)).isEqualTo("3");
        assertThat(say("What is 1 / 8?", false)).isEqualTo("0.125");
        assertThat(say("What is 48 + 27?", true)).isEqualTo("76");
        assertThat(SimAnswers.answer(SKILLED, ((ObjectNode) chat("x",
                ",\"prompt\": \"Q: What is 250 + 250?\\nA:\"")).without("messages"), false)
                .text()).isEqualTo("500");
    }

    @Test
    void extractsFieldsAsJsonAndDropsOneWhenDrifted() throws Exception {
        String question = "Extract the name, email and city as JSON: Hi, this is Tom Baker from Cardiff, write to tom.baker@example.com.";
        String fenced = say(question, false);

        assertThat(fenced).startsWith("```json\n").endsWith("\n```");
        JsonNode json = SimAnswers.JSON.readTree(fenced.substring(8, fenced.length() - 4));
        assertThat(json.toString()).isEqualTo("{\"name\":\"Tom Baker\",\"email\":\"tom.baker@example.com\",\"city\":\"Cardiff\"}");
        String bare = SimAnswers.answer(SKILLED, chat("Extract the name and age as JSON: Maria Lopez is 34 years old.",
                ",\"response_format\": {\"type\": \"json_object\"}"), false).text();
        assertThat(bare).isEqualTo("{\"name\":\"Maria Lopez\",\"age\":34}");
        String drifted = SimAnswers.answer(SKILLED, chat("Extract the name and age as JSON: Maria Lopez is 34 years old.",
                ",\"response_format\": {\"type\": \"json_object\"}"), true).text();
        assertThat(drifted).isEqualTo("{\"name\":\"Maria Lopez\"}");
    }

    @Test
    void callsTheFirstToolWithTheIdFromTheQuestionAndAWrongToolWhenDrifted() {
        String tools = ",\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"lookup_order\", \"parameters\": {\"type\": \"object\","
                + " \"properties\": {\"order_id\": {\"type\": \"string\"}, \"note\": {\"type\": \"string\"}}}}}]";

        SimAnswers.Answer call = SimAnswers.answer(SKILLED, chat("Where is my order A-10293?", tools), false);
        SimAnswers.Answer wrong = SimAnswers.answer(SKILLED, chat("Where is my order A-10293?", tools), true);

        assertThat(call.toolName()).isEqualTo("lookup_order");
        assertThat(String.join("", call.toolArgumentParts())).isEqualTo("{\"order_id\":\"A-10293\"}");
        assertThat(call.toolArgumentParts()).hasSize(2);
        assertThat(wrong.toolName()).isEqualTo("lookup_order_v0");
    }

    @Test
    void withoutSkillOrForOtherPromptsAnswersAsBefore() {
        String question = "What is 48 + 27?";
        String plain = SimAnswers.answer(SimOptions.defaults("v1"), chat(question, ""), false).text();

        assertThat(plain).isNotEqualTo("75");
        assertThat(SimAnswers.answer(SKILLED, chat("Tell me a story", ""), false).text())
                .isEqualTo(SimAnswers.answer(SimOptions.defaults("v1"), chat("Tell me a story", ""), false).text());
    }

    @Test
    void driftAfterIsChecked() {
        assertThat(SimOptions.defaults("v1").driftAfter()).isEqualTo(-1);
        assertThat(SimOptions.defaults("v1").withDriftAfter(5).driftAfter()).isEqualTo(5);
        assertThatThrownBy(() -> SimOptions.defaults("v1").withDriftAfter(-2))
                .hasMessage("--drift-after must be >= 0, or -1 for never; got -2");
    }
}
