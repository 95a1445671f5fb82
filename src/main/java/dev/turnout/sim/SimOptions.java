package dev.turnout.sim;

import static java.util.Objects.requireNonNull;

/**
 * How a simulated model version behaves. Delays are per request: {@code latencyMs} before a whole
 * (non-streamed) answer, {@code ttftMs} before a stream's first chunk, {@code tokenMs} between
 * streamed tokens. {@code errorRate} of requests get a 500, drawn from a sequence seeded by
 * {@code seed}; answers are a pure function of (name, seed, prompt) unless {@code noise} is set:
 * then that share of words is changed at random on each request, as sampling at a temperature
 * above zero does, which gives the shadow report a noise floor to show.
 */
public record SimOptions(String name, int port, String host, long latencyMs, long ttftMs, long tokenMs, int tokens,
                         double errorRate, long seed, double noise) {

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
    }

    public static SimOptions defaults(String name) {
        return new SimOptions(name, 0, "127.0.0.1", 0, 0, 0, 16, 0.0, 42, 0.0);
    }

    public SimOptions withPort(int value) {
        return new SimOptions(name, value, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, seed, noise);
    }

    public SimOptions withLatencyMs(long value) {
        return new SimOptions(name, port, host, value, ttftMs, tokenMs, tokens, errorRate, seed, noise);
    }

    public SimOptions withTtftMs(long value) {
        return new SimOptions(name, port, host, latencyMs, value, tokenMs, tokens, errorRate, seed, noise);
    }

    public SimOptions withTokenMs(long value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, value, tokens, errorRate, seed, noise);
    }

    public SimOptions withTokens(int value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, value, errorRate, seed, noise);
    }

    public SimOptions withErrorRate(double value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, value, seed, noise);
    }

    public SimOptions withSeed(long value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, value, noise);
    }

    public SimOptions withNoise(double value) {
        return new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, seed, value);
    }
}
