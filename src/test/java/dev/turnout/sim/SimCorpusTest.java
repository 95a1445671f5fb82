package dev.turnout.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SimCorpusTest {

    private static final SimCorpus CORPUS = SimCorpus.standard();

    private static JsonNode chat(String prompt, String extra) {
        try {
            ObjectNode request = (ObjectNode) SimAnswers.JSON.readTree("{\"model\":\"m\"" + extra + "}");
            request.putArray("messages").addObject().put("role", "user").put("content", prompt);
            return request;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The meaning of a chat request whose one user message is {@code prompt}. */
    private static SimCorpus.Meaning meaningOf(String prompt) {
        return CORPUS.meaning(SimAnswers.prompt(chat(prompt, "")));
    }

    private static String text(SimOptions options, String prompt) {
        return SimAnswers.answer(options, chat(prompt, "")).text();
    }

    @Test
    void shouldLoadAtLeastTenMeaningsEachWithSeveralWordings() {
        assertThat(CORPUS.meanings()).hasSizeGreaterThanOrEqualTo(10);
        for (SimCorpus.Meaning meaning : CORPUS.meanings()) {
            assertThat(meaning.paraphrases()).as(meaning.topic()).hasSizeGreaterThanOrEqualTo(3).doesNotHaveDuplicates();
            assertThat(meaning.contradictions()).as(meaning.topic()).isNotEmpty()
                    .doesNotContainAnyElementsOf(meaning.paraphrases());
        }
    }

    @Test
    void shouldAnswerTheSameMeaningForAPromptWhateverTheVersionOrSeed() {
        Set<String> topics = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            String prompt = "Question number " + i + " about my order";
            SimCorpus.Meaning meaning = meaningOf(prompt);
            topics.add(meaning.topic());
            for (SimOptions version : List.of(SimOptions.defaults("support-v1").withParaphrase(true),
                    SimOptions.defaults("support-v2").withParaphrase(true).withSeed(7))) {
                assertThat(meaning.paraphrases()).contains(text(version, prompt));
            }
        }
        // The prompt's hash spreads prompts over the corpus rather than pinning one meaning.
        assertThat(topics.size()).isGreaterThan(CORPUS.meanings().size() / 2);
    }

    @Test
    void shouldWordTheSameMeaningDifferentlyFromRequestToRequest() {
        SimOptions paraphrasing = SimOptions.defaults("support-v1").withParaphrase(true);
        String prompt = "Can I get my money back?";
        Set<String> wordings = new HashSet<>();
        for (int i = 0; i < 40; i++) wordings.add(text(paraphrasing, prompt));
        assertThat(wordings).hasSizeGreaterThan(1);
        assertThat(meaningOf(prompt).paraphrases()).containsAll(wordings);
    }

    @Test
    void shouldContradictEveryAnswerAtOneAndNoneAtZero() {
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            String prompt = "prompt " + i;
            SimCorpus.Meaning meaning = CORPUS.meaning(prompt);
            assertThat(meaning.contradictions()).contains(CORPUS.answer(prompt, 1.0, random));
            assertThat(meaning.paraphrases()).contains(CORPUS.answer(prompt, 0.0, random));
        }
        String prompt = "Where is my parcel?";
        assertThat(meaningOf(prompt).contradictions())
                .contains(text(SimOptions.defaults("v2").withContradict(1.0), prompt));
    }

    @Test
    void shouldContradictAboutTheGivenShareOfAnswers() {
        SplittableRandom random = new SplittableRandom(3);
        String prompt = "How long does shipping take?";
        int contradictions = 0;
        for (int i = 0; i < 2000; i++) {
            if (CORPUS.meaning(prompt).contradictions().contains(CORPUS.answer(prompt, 0.25, random))) contradictions++;
        }
        assertThat(contradictions).isBetween(400, 600);
    }

    @Test
    void shouldCountOneTokenPerWordAndIgnoreTheTokensOption() {
        SimOptions paraphrasing = SimOptions.defaults("v1").withParaphrase(true).withTokens(4);
        SimAnswers.Answer answer = SimAnswers.answer(paraphrasing, chat("Can I cancel?", ""));
        assertThat(answer.text().split(" ")).hasSize(answer.completionTokens());
        assertThat(answer.completionTokens()).isGreaterThan(4);
        assertThat(answer.finishReason()).isEqualTo("stop");
        assertThat(meaningOf("Can I cancel?").paraphrases()).contains(answer.text());
    }

    @Test
    void shouldCutAtMaxTokensWithFinishReasonLength() {
        SimOptions paraphrasing = SimOptions.defaults("v1").withParaphrase(true);
        SimAnswers.Answer answer = SimAnswers.answer(paraphrasing, chat("Can I cancel?", ",\"max_tokens\":5"));
        assertThat(answer.completionTokens()).isEqualTo(5);
        assertThat(answer.finishReason()).isEqualTo("length");
        assertThat(meaningOf("Can I cancel?").paraphrases()).anyMatch(text -> text.startsWith(answer.text() + " "));
    }

    @Test
    void shouldStreamChunksThatJoinToTheWholeAnswer() {
        SimOptions contradicting = SimOptions.defaults("v1").withContradict(0.5);
        for (int i = 0; i < 20; i++) {
            SimAnswers.Answer answer = SimAnswers.answer(contradicting, chat("question " + i, ""));
            StringBuilder streamed = new StringBuilder();
            for (List<ObjectNode> step : SimAnswers.chatChunks("id", "m", 0, List.of(answer), true)) {
                for (ObjectNode chunk : step) streamed.append(chunk.at("/choices/0/delta/content").asText(""));
            }
            String whole = SimAnswers.chatCompletion("id", "m", 0, List.of(answer)).at("/choices/0/message/content").asText();
            assertThat(streamed.toString()).isEqualTo(whole);
            SimCorpus.Meaning meaning = meaningOf("question " + i);
            assertThat(whole).isIn(concat(meaning.paraphrases(), meaning.contradictions()));
        }
    }

    @Test
    void shouldAnswerJsonModeWithTheCorpusTextAsValidJson() throws Exception {
        SimOptions paraphrasing = SimOptions.defaults("v1").withParaphrase(true);
        SimAnswers.Answer answer = SimAnswers.answer(paraphrasing, chat("Can I cancel?", ",\"response_format\":{\"type\":\"json_object\"}"));
        JsonNode content = SimAnswers.JSON.readTree(answer.text());
        assertThat(meaningOf("Can I cancel?").paraphrases()).contains(content.get("answer").asText());
        assertThat(content.get("tokens").asInt()).isEqualTo(content.get("answer").asText().split(" ").length);
    }

    @Test
    void shouldKeepTheWordSaladAnswersWhenNeitherOptionIsSet() {
        SimOptions plain = new SimOptions("v1", 0, "127.0.0.1", 0, 0, 0, 8, 0.0, 42, 0.0);
        assertThat(plain.paraphrase()).isFalse();
        assertThat(plain.contradict()).isZero();
        assertThat(plain.fromCorpus()).isFalse();
        assertThat(text(plain, "Can I cancel?").split(" ")).hasSize(8);
        assertThat(plain.withContradict(0.1).fromCorpus()).isTrue();
        assertThat(plain.withParaphrase(true).withPort(9000).withNoise(0.1).paraphrase()).isTrue();
    }

    @Test
    void shouldRejectAContradictShareOutsideZeroToOne() {
        assertThatThrownBy(() -> SimOptions.defaults("x").withContradict(1.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("--contradict must be in [0, 1], got 1.5");
        assertThatThrownBy(() -> SimOptions.defaults("x").withContradict(-0.1))
                .hasMessage("--contradict must be in [0, 1], got -0.1");
        assertThatThrownBy(() -> SimOptions.defaults("x").withContradict(Double.NaN))
                .hasMessage("--contradict must be in [0, 1], got NaN");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
