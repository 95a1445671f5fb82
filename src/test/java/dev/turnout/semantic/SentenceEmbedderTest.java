package dev.turnout.semantic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Real inference with the model the gateway ships (int8 all-MiniLM-L6-v2), loaded once for the class. */
class SentenceEmbedderTest {

    static final String REFUNDS = "Refunds are processed within five business days after support approves the request. "
            + "The customer receives an email that confirms the amount and the account that was credited. "
            + "If the card has expired, the bank forwards the money to the new card automatically.";
    static final String VOLCANOES = "A volcano erupts when pressure from gases and molten rock becomes too great. "
            + "Lava flows down the slopes while ash clouds rise into the stratosphere and cool the climate. "
            + "Geologists measure small earthquakes and ground swelling to predict eruptions.";

    private static SentenceEmbedder embedder;

    @BeforeAll
    static void loadModel() {
        embedder = SentenceEmbedder.load(SentenceEmbedder.Model.MINI_LM_L6_V2_Q, 512);
    }

    @AfterAll
    static void closeModel() {
        embedder.close();
    }

    @Test
    void shouldScoreParaphrasesAboveUnrelatedAnswers() {
        float[] answer = embedder.embed("Your refund will reach your account within five business days.");
        float[] paraphrase = embedder.embed("You will get your money back in about a week.");
        float[] unrelated = embedder.embed("Paris is the capital of France and sits on the Seine.");

        assertThat(SentenceEmbedder.cosine(answer, paraphrase)).isGreaterThan(0.5);
        assertThat(SentenceEmbedder.cosine(answer, unrelated)).isLessThan(0.2);
    }

    @Test
    void shouldReturnUnitVectorsOfTheModelsDimension() {
        float[] vector = embedder.embed(REFUNDS);

        assertThat(vector).hasSize(SentenceEmbedder.DIMENSIONS);
        assertThat(SentenceEmbedder.cosine(vector, vector)).isCloseTo(1.0, within(1e-6));
        double norm = 0;
        for (float v : vector) norm += v * v;
        assertThat(norm).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void shouldEmbedAnEmptyAnswerWithoutFailing() {
        assertThat(embedder.embed("")).hasSize(SentenceEmbedder.DIMENSIONS);
    }

    @Test
    void shouldIgnoreEverythingPastTheCap() {
        int refundPieces = embedder.wordPieces(REFUNDS);
        SentenceEmbedder capped = embedder.withMaxWordPieces(refundPieces);

        float[] refundsThenVolcanoes = capped.embed(REFUNDS + " " + VOLCANOES);

        assertThat(SentenceEmbedder.cosine(refundsThenVolcanoes, capped.embed(REFUNDS))).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void shouldReadWindowsPastTheFirstOfALongText() {
        String refunds = repeat(REFUNDS, 260);
        String volcanoes = repeat(VOLCANOES, 260);
        assertThat(embedder.wordPieces(refunds)).isGreaterThan(SentenceEmbedder.WORD_PIECES_PER_WINDOW);

        float[] both = embedder.embed(refunds + " " + volcanoes);
        double bothToVolcanoes = SentenceEmbedder.cosine(both, embedder.embed(volcanoes));
        double firstWindowToVolcanoes = SentenceEmbedder.cosine(embedder.embed(refunds), embedder.embed(volcanoes));

        // The volcano text starts past the first window: a model that truncated would not see it.
        assertThat(bothToVolcanoes).isGreaterThan(firstWindowToVolcanoes + 0.3);
    }

    @Test
    void shouldCutWindowsAtWordBoundariesAndFillThem() {
        String[] pieces = new String[600];
        for (int i = 0; i < pieces.length; i++) pieces[i] = i % 3 == 0 ? "word" : "##piece";

        int firstEnd = SentenceEmbedder.windowEnd(pieces, 0, pieces.length);

        assertThat(firstEnd).isLessThanOrEqualTo(SentenceEmbedder.WORD_PIECES_PER_WINDOW);
        assertThat(pieces[firstEnd]).isEqualTo("word");
        assertThat(firstEnd).isGreaterThan(SentenceEmbedder.WORD_PIECES_PER_WINDOW - 3);
        assertThat(SentenceEmbedder.windowEnd(pieces, 0, 100)).isEqualTo(100);
    }

    @Test
    void shouldCutTextsToWhatTheCapCanReadWithoutSplittingASurrogatePair() {
        int maxChars = SentenceEmbedder.maxUsefulChars(16);
        String emoji = "\uD83D\uDE00";

        assertThat(SentenceEmbedder.readablePart("short", 16)).isEqualTo("short");
        assertThat(SentenceEmbedder.readablePart("a".repeat(10 * maxChars), 16)).hasSize(maxChars);
        assertThat(SentenceEmbedder.readablePart("a".repeat(maxChars - 1) + emoji + "tail", 16))
                .isEqualTo("a".repeat(maxChars - 1));
    }

    @Test
    void shouldReadAMegabyteAnswerOnlyUpToTheCap() {
        String huge = REFUNDS + " " + VOLCANOES.repeat(5_000);
        SentenceEmbedder capped = embedder.withMaxWordPieces(embedder.wordPieces(REFUNDS));

        assertThat(huge.length()).isGreaterThan(1_000_000);
        assertThat(SentenceEmbedder.cosine(capped.embed(huge), capped.embed(REFUNDS))).isCloseTo(1.0, within(1e-5));
    }

    @Test
    void shouldEmbedWhatAHostileUpstreamSendsAsAUnitVectorWithinTheCap() {
        // An upstream's answer is text nobody checked: one endless word, control characters and
        // NULs, lone surrogates, right-to-left marks, a wall of emoji. Each is embedded as a unit
        // vector, no exception, whatever it splits into.
        String oneWord = "x".repeat(SentenceEmbedder.maxUsefulChars(512));
        String controls = "refund\u0000\u0001\u0007\u001b[31m\u007f policy\r\n\t" + "\u0000".repeat(2_000);
        String loneSurrogates = "\uD800 refund \uDFFF policy \uD83D";
        String rightToLeft = "\u202E\u05D4\u05D7\u05D6\u05E8 \u0627\u0633\u062A\u0631\u062F\u0627\u062F\u200F";
        String emoji = "\uD83D\uDE00\uD83D\uDC4D\uD83C\uDFFD".repeat(3_000);
        for (String hostile : new String[] {oneWord, controls, loneSurrogates, rightToLeft, emoji}) {
            float[] vector = embedder.embed(SentenceEmbedder.readablePart(hostile, 512));
            double norm = 0;
            for (float value : vector) norm += value * value;
            assertThat(vector).hasSize(SentenceEmbedder.DIMENSIONS);
            assertThat(Math.sqrt(norm)).as("norm of %s...", hostile.substring(0, 8)).isCloseTo(1.0, within(1e-4));
        }
    }

    @Test
    void shouldGiveCosineOfOrthogonalAndOppositeVectors() {
        assertThat(SentenceEmbedder.cosine(new float[] {1, 0}, new float[] {0, 3})).isZero();
        assertThat(SentenceEmbedder.cosine(new float[] {1, 2}, new float[] {-2, -4})).isCloseTo(-1.0, within(1e-9));
        assertThat(SentenceEmbedder.cosine(new float[] {0, 0}, new float[] {1, 1})).isZero();
    }

    /** The text repeated until it has at least {@code wordPieces} word pieces. */
    static String repeat(String text, int wordPieces) {
        StringBuilder builder = new StringBuilder(text);
        while (embedder.wordPieces(builder.toString()) < wordPieces) builder.append(' ').append(text);
        return builder.toString();
    }
}
