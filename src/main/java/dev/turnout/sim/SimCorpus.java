package dev.turnout.sim;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The meanings that {@code turnout sim --paraphrase} and {@code --contradict} answer with, read
 * from {@code /sim/answers.json}. Each meaning is a customer-support answer in several wordings
 * (paraphrases) and several contradictions: texts that keep most of a paraphrase's words but reverse
 * its facts. The corpus is written so that all-MiniLM-L6-v2 scores two paraphrases of a meaning
 * above a paraphrase and a contradiction, while word overlap scores them alike
 * ({@code SimCorpusEmbeddingTest} measures both). Pure: no Vert.x.
 *
 * <pre>
 *   prompt ──hash──▶ meaning (same for every version and seed)
 *   request ─random─▶ contradiction (share --contradict) or paraphrase, then which wording
 * </pre>
 */
public final class SimCorpus {

    /** One answer in several wordings, and its contradictions. */
    public record Meaning(String topic, List<String> paraphrases, List<String> contradictions) {
        public Meaning {
            requireNonNull(topic, "topic");
            paraphrases = List.copyOf(paraphrases);
            contradictions = List.copyOf(contradictions);
            if (paraphrases.size() < 2 || contradictions.isEmpty()) {
                throw new IllegalArgumentException("meaning '" + topic + "' needs at least 2 paraphrases and 1 contradiction");
            }
        }
    }

    private static final String RESOURCE = "/sim/answers.json";

    /** Loaded on first use only: the word-salad simulator never reads the file. */
    private static final class Standard {
        static final SimCorpus CORPUS = load();
    }

    private final List<Meaning> meanings;

    private SimCorpus(List<Meaning> meanings) {
        this.meanings = List.copyOf(meanings);
    }

    /** The corpus shipped in the jar. */
    public static SimCorpus standard() {
        return Standard.CORPUS;
    }

    public List<Meaning> meanings() {
        return meanings;
    }

    /** The meaning a prompt is answered with: a function of the prompt alone, not of name or seed. */
    public Meaning meaning(String prompt) {
        return meanings.get((int) Long.remainderUnsigned(SimText.mix(SimText.hash(prompt)), meanings.size()));
    }

    /** One answer to {@code prompt}: a random wording, contradicting with probability {@code contradict}. */
    public String answer(String prompt, double contradict, RandomGenerator random) {
        Meaning meaning = meaning(prompt);
        boolean contradicts = random.nextDouble() < contradict;
        List<String> wordings = contradicts ? meaning.contradictions() : meaning.paraphrases();
        return wordings.get(random.nextInt(wordings.size()));
    }

    private static SimCorpus load() {
        try (InputStream in = SimCorpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            List<Meaning> meanings = new ArrayList<>();
            for (JsonNode meaning : SimAnswers.JSON.readTree(in).path("meanings")) {
                meanings.add(new Meaning(meaning.path("topic").asText(), texts(meaning.path("paraphrases")),
                        texts(meaning.path("contradictions"))));
            }
            if (meanings.isEmpty()) throw new IllegalStateException(RESOURCE + " has no meanings");
            return new SimCorpus(meanings);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        for (JsonNode text : array) texts.add(text.asText());
        return texts;
    }
}
