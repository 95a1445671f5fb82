package dev.turnout.sim;

import static java.util.Objects.requireNonNull;

/**
 * How a simulated model version behaves. Delays are per request: {@code latencyMs} before a whole
 * (non-streamed) answer, {@code ttftMs} before a stream's first chunk, {@code tokenMs} between
 * streamed tokens. {@code errorRate} of requests get a 500, drawn from a sequence seeded by
 * {@code seed}; answers are a pure function of (name, seed, prompt) unless {@code noise} is set:
 * then that share of words is changed at random on each request, as sampling at a temperature
 * above zero does, which gives the shadow report a noise floor to show.
 *
 * <p>With {@code paraphrase} (or {@code contradict > 0}) answers come from {@link SimCorpus} instead:
 * the prompt alone picks a meaning, so every version answers a prompt with the same meaning, and
 * each request words it differently; a share {@code contradict} of requests reverse it while keeping
 * most of its words. Those answers have the corpus's own length: {@code tokens} does not pad or cut
 * them (a request's {@code max_tokens} still does).
 *
 * <p>With {@code skill}, the task shapes of a golden set ({@code conf/golden}) are answered right
 * ({@link SimSkill}): primality, arithmetic, extraction as JSON, tool calls; other prompts as above.
 * After {@code driftAfter} chat and completion requests to one server ({@code -1}: never), those
 * answers turn wrong, as a silently updated model's can: what a drift probe must notice.
 */
public record SimOptions(String name, int port, String host, long latencyMs, long ttftMs, long tokenMs, int tokens,
                         double errorRate, long seed, double noise, boolean paraphrase, double contradict, boolean skill,
                         long driftAfter) {

    public SimOptions {
        requireNonNull(name, "name");
        requireNonNull(host, "host");
        if (name.isBlank()) throw new IllegalArgumentException("--name must not be blank");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        if (latencyMs < 0) throw new IllegalArgumentException("--latency-ms must be >= 0, got " + latencyMs);
        if (ttftMs < 0) throw new IllegalArgumentException("--ttft-ms must be >= 0, got " + ttftMs);
        if (tokenMs < 0) throw new IllegalArgumentException("--token-ms must be >= 0, got " + tokenMs);
        if (tokens < 1) throw new IllegalArgumentException("--tokens must be >= 1, got " + tokens);
        if (!(errorRate >= 0 && errorRate <= 1)) throw new IllegalArgumentException("--error-rate must be in [0, 1], got " + errorRate);
        if (!(noise >= 0 && noise <= 1)) throw new IllegalArgumentException("--noise must be in [0, 1], got " + noise);
        if (!(contradict >= 0 && contradict <= 1)) {
            throw new IllegalArgumentException("--contradict must be in [0, 1], got " + contradict);
        }
        if (driftAfter < -1) throw new IllegalArgumentException("--drift-after must be >= 0, or -1 for never; got " + driftAfter);
    }

    /** Word-salad answers, as before the corpus existed. */
    public SimOptions(String name, int port, String host, long latencyMs, long ttftMs, long tokenMs, int tokens,
                      double errorRate, long seed, double noise) {
        this(name, port, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, seed, noise, false, 0.0, false, -1);
    }

    /** Whether answers come from {@link SimCorpus}: {@code --paraphrase}, or any {@code --contradict}. */
    public boolean fromCorpus() {
        return paraphrase || contradict > 0;
    }

    public static SimOptions defaults(String name) {
        return new SimOptions(name, 0, "127.0.0.1", 0, 0, 0, 16, 0.0, 42, 0.0);
    }

    public SimOptions withPort(int value) {
        return new SimOptions(name, value, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, seed, noise, paraphrase, contradict,
                skill, driftAfter);
    }

    public SimOptions withLatencyMs(long value) {
        return new SimOptions(name, port, host, value, ttftMs, tokenMs, tokens, errorRate, seed, noise, paraphrase, contradict,
                skill, driftAfter);
    }

    public SimOptions withTtftMs(long value) {
        return new SimOptions(name, port, host, latencyMs, value, tokenMs, tokens, errorRate, seed, noise, paraphrase, contradict,
                skill, driftAfter);
    }

    public SimOptions withTokenMs(long value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, value, tokens, errorRate, seed, noise, paraphrase, contradict,
                skill, driftAfter);
    }

    public SimOptions withTokens(int value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, value, errorRate, seed, noise, paraphrase, contradict,
                skill, driftAfter);
    }

    public SimOptions withErrorRate(double value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, value, seed, noise, paraphrase, contradict,
                skill, driftAfter);
    }

    public SimOptions withSeed(long value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, value, noise, paraphrase, contradict,
                skill, driftAfter);
    }

    public SimOptions withNoise(double value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, seed, value, paraphrase, contradict,
                skill, driftAfter);
    }

    public SimOptions withParaphrase(boolean value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, seed, noise, value, contradict,
                skill, driftAfter);
    }

    public SimOptions withContradict(double value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, seed, noise, paraphrase, value,
                skill, driftAfter);
    }

    public SimOptions withSkill(boolean value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, seed, noise, paraphrase, contradict,
                value, driftAfter);
    }

    /** -1: never drift. */
    public SimOptions withDriftAfter(long value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, seed, noise, paraphrase, contradict,
                skill, value);
    }
}
