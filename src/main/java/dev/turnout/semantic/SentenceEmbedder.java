package dev.turnout.semantic;

import static java.util.Objects.requireNonNull;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * all-MiniLM-L6-v2 run in-process by ONNX Runtime: turns a text into a unit vector of
 * {@value #DIMENSIONS} floats whose cosine with another says how close the meanings are.
 *
 * <p>Long texts. The model was trained on, and sentence-transformers truncates at, 256 positions;
 * a text is cut into windows of at most {@value #WORD_PIECES_PER_WINDOW} word pieces (+ [CLS] and
 * [SEP] = 256 positions, counted by the model's own tokenizer), never inside a word, each window is
 * embedded, and the token vectors of all windows are mean-pooled into one vector and normalised.
 * Only the first {@code maxWordPieces} word pieces count; the rest of the text is ignored.
 *
 * <p>Why not langchain4j's {@code AllMiniLmL6V2EmbeddingModel}: its tokenizer.json truncates every
 * text at 128 word pieces (so its 510-piece partitioning never runs and a long answer is judged by
 * its first ~100 words), it re-tokenizes each partition twice, and it opens its ONNX session with
 * default options: one intra-op thread per core, shared by every caller. Only the model and
 * tokenizer files are taken from its jars.
 *
 * <p>Threads. The session runs with ONE intra-op thread, so {@link #embed} computes on the calling
 * thread alone; N callers use N cores. A session is safe for concurrent {@code run} calls.
 */
public final class SentenceEmbedder implements AutoCloseable {

    public static final int DIMENSIONS = 384;
    /** 256 positions less [CLS] and [SEP]. */
    public static final int WORD_PIECES_PER_WINDOW = 254;
    /**
     * A generous upper bound on characters per word piece in English prose (the average is ~4):
     * cutting a text at {@code maxWordPieces * CHARS_PER_WORD_PIECE} characters loses nothing the
     * embedder would read for ordinary text, and bounds what a queued text holds.
     */
    public static final int CHARS_PER_WORD_PIECE = 12;

    /** The model files, as the langchain4j jars ship them on the classpath. */
    public enum Model {
        /** Dynamically quantised to int8: ~2x faster on CPU, 23 MB instead of 90 MB, cosine ≥ 0.99 with the float model. */
        MINI_LM_L6_V2_Q("/all-minilm-l6-v2-q.onnx", "/all-minilm-l6-v2-q-tokenizer.json"),
        /** The float32 original; its jar is not a dependency of the gateway (benchmarks compare against it). */
        MINI_LM_L6_V2("/all-minilm-l6-v2.onnx", "/all-minilm-l6-v2-tokenizer.json");

        final String onnxResource;
        final String tokenizerResource;

        Model(String onnxResource, String tokenizerResource) {
            this.onnxResource = onnxResource;
            this.tokenizerResource = tokenizerResource;
        }
    }

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean wantsTokenTypeIds;
    private final int maxWordPieces;
    private final long clsId;
    private final long sepId;

    private SentenceEmbedder(OrtEnvironment environment, OrtSession session, HuggingFaceTokenizer tokenizer, int maxWordPieces)
            throws OrtException {
        this.environment = environment;
        this.session = session;
        this.tokenizer = tokenizer;
        this.wantsTokenTypeIds = session.getInputNames().contains("token_type_ids");
        this.maxWordPieces = maxWordPieces;
        long[] specials = tokenizer.encode("", true, false).getIds();
        this.clsId = specials[0];
        this.sepId = specials[specials.length - 1];
    }

    /**
     * Loads the model from the classpath (~1.5 s for the float model; DJL extracts its native
     * tokenizer library into {@code DJL_CACHE_DIR}, default {@code ~/.djl.ai}, on first use).
     *
     * @throws IllegalStateException when the files are missing or the native libraries cannot load
     */
    public static SentenceEmbedder load(Model model, int maxWordPieces) {
        requireNonNull(model, "model");
        if (maxWordPieces < 1) throw new IllegalArgumentException("maxWordPieces: " + maxWordPieces + " (expected: > 0)");
        try {
            OrtEnvironment environment = OrtEnvironment.getEnvironment();
            OrtSession session;
            try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
                options.setIntraOpNumThreads(1);
                options.setInterOpNumThreads(1);
                options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
                options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                session = environment.createSession(resource(model.onnxResource), options);
            }
            HuggingFaceTokenizer tokenizer;
            try (InputStream json = stream(model.tokenizerResource)) {
                // The shipped tokenizer.json pads and truncates at 128: windows are ours to cut.
                tokenizer = HuggingFaceTokenizer.newInstance(json, Map.of("padding", "false", "truncation", "false"));
            }
            return new SentenceEmbedder(environment, session, tokenizer, maxWordPieces);
        } catch (OrtException | IOException e) {
            throw new IllegalStateException("cannot load the embedding model " + model + ": " + e.getMessage(), e);
        }
    }

    private static final Map<Model, SentenceEmbedder> SHARED = new ConcurrentHashMap<>();

    /**
     * The process's one copy of {@code model} (loaded on first use, never closed), read up to
     * {@code maxWordPieces}: a session is thread-safe, and several gateways in one JVM (tests, the
     * demo) should not each load ~25 MB of model and spend a second and a half of CPU on it.
     */
    public static SentenceEmbedder shared(Model model, int maxWordPieces) {
        return SHARED.computeIfAbsent(model, m -> load(m, maxWordPieces)).withMaxWordPieces(maxWordPieces);
    }

    /** The same model read up to another cap; it shares the session, so close only one of the two. */
    SentenceEmbedder withMaxWordPieces(int otherMax) {
        try {
            return new SentenceEmbedder(environment, session, tokenizer, otherMax);
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    public int maxWordPieces() {
        return maxWordPieces;
    }

    /** How many characters of a text can matter at most: what to keep before queueing it. */
    public static int maxUsefulChars(int maxWordPieces) {
        return maxWordPieces * CHARS_PER_WORD_PIECE;
    }

    /**
     * The text cut to {@link #maxUsefulChars} characters (never between the two halves of a surrogate
     * pair). Prose loses nothing the cap would keep; a text of unusually long word pieces (over 12
     * characters on average) is read to fewer than {@code maxWordPieces} of them.
     */
    public static String readablePart(String text, int maxWordPieces) {
        int maxChars = maxUsefulChars(maxWordPieces);
        if (text.length() <= maxChars) return text;
        int end = Character.isHighSurrogate(text.charAt(maxChars - 1)) ? maxChars - 1 : maxChars;
        return text.substring(0, end);
    }

    /** Word pieces of the text, [CLS] and [SEP] not counted. */
    public int wordPieces(String text) {
        return tokenizer.encode(text, false, false).getIds().length;
    }

    /** A unit vector for the first {@link #maxWordPieces()} word pieces of the text. */
    public float[] embed(String text) {
        // Cut first: tokenizing a megabyte to read 512 word pieces of it would cost more than the model.
        Encoding encoding = tokenizer.encode(readablePart(requireNonNull(text, "text"), maxWordPieces), false, false);
        long[] ids = encoding.getIds();
        String[] tokens = encoding.getTokens();
        int end = Math.min(ids.length, maxWordPieces);
        float[] sum = new float[DIMENSIONS];
        int from = 0;
        do {
            int to = windowEnd(tokens, from, end);
            addTokenVectors(Arrays.copyOfRange(ids, from, to), sum);
            from = to;
        } while (from < end);
        return normalised(sum);
    }

    /** Where the window starting at {@code from} ends: full, but not inside a word ("##" continues one). */
    static int windowEnd(String[] tokens, int from, int end) {
        int to = Math.min(from + WORD_PIECES_PER_WINDOW, end);
        if (to == end) return to;
        int cut = to;
        while (cut > from + 1 && tokens[cut].startsWith("##")) cut--;
        return cut;
    }

    /** Runs one window ([CLS] pieces [SEP]) and adds its token vectors to {@code sum}. */
    private void addTokenVectors(long[] pieces, float[] sum) {
        int length = pieces.length + 2;
        long[] inputIds = new long[length];
        inputIds[0] = clsId;
        System.arraycopy(pieces, 0, inputIds, 1, pieces.length);
        inputIds[length - 1] = sepId;
        long[] attention = new long[length];
        Arrays.fill(attention, 1L);
        long[] shape = {1, length};
        try (OnnxTensor idTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(inputIds), shape);
                OnnxTensor maskTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(attention), shape);
                OnnxTensor typeTensor = OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[length]), shape)) {
            Map<String, OnnxTensor> inputs = new HashMap<>(4);
            inputs.put("input_ids", idTensor);
            inputs.put("attention_mask", maskTensor);
            if (wantsTokenTypeIds) inputs.put("token_type_ids", typeTensor);
            try (OrtSession.Result result = session.run(inputs)) {
                // last_hidden_state [1, length, DIMENSIONS]: mean pooling over every position, as
                // sentence-transformers does (no padding, so the attention mask is all ones).
                FloatBuffer hidden = ((OnnxTensor) result.get(0)).getFloatBuffer();
                for (int position = 0; position < length; position++) {
                    for (int d = 0; d < DIMENSIONS; d++) sum[d] += hidden.get();
                }
            }
        } catch (OrtException e) {
            throw new IllegalStateException("embedding failed: " + e.getMessage(), e);
        }
    }

    /** The mean of the token vectors, normalised: dividing by their count first would change nothing. */
    private static float[] normalised(float[] sum) {
        double squares = 0;
        for (float v : sum) squares += (double) v * v;
        double norm = Math.sqrt(squares);
        float[] unit = new float[sum.length];
        for (int d = 0; d < sum.length; d++) unit[d] = norm == 0 ? 0 : (float) (sum[d] / norm);
        return unit;
    }

    /** Cosine of two vectors of the same length; for unit vectors, their dot product. */
    public static double cosine(float[] a, float[] b) {
        if (a.length != b.length) throw new IllegalArgumentException("lengths differ: " + a.length + " and " + b.length);
        double dot = 0;
        double normA = 0;
        double normB = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            normA += (double) a[i] * a[i];
            normB += (double) b[i] * b[i];
        }
        return normA == 0 || normB == 0 ? 0 : dot / Math.sqrt(normA * normB);
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the embedding session: " + e.getMessage(), e);
        } finally {
            tokenizer.close();
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = stream(name)) {
            return in.readAllBytes();
        }
    }

    private static InputStream stream(String name) throws IOException {
        InputStream in = SentenceEmbedder.class.getResourceAsStream(name);
        if (in == null) throw new IOException(name + " is not on the classpath (is the model jar in the build?)");
        return in;
    }
}
