package dev.turnout.route;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * One concrete model behind one endpoint: what the gateway forwards to.
 *
 * @param id        the version's name in the route table
 * @param url       the OpenAI-compatible base URL, e.g. {@code http://127.0.0.1:9101/v1}
 * @param model     the upstream's own model name, written into the forwarded body
 * @param apiKeyEnv the gateway's environment variable that holds the upstream key; never the key itself
 * @param timeoutMs how long the upstream may stay silent (before the first byte and between chunks)
 * @param passAuth  forward the client's own {@code Authorization} header instead of {@code apiKeyEnv}
 * @param breaker   when this version's circuit breaker opens
 * @param totalTimeoutMs the longest a whole exchange may take, stream included; 0 for no limit
 */
public record ModelVersion(String id, URI url, String model, String apiKeyEnv, long timeoutMs, boolean passAuth,
                           BreakerPolicy breaker, long totalTimeoutMs) {

    public static final long DEFAULT_TIMEOUT_MS = 60_000;

    public ModelVersion {
        requireNonNull(id, "id");
        requireNonNull(url, "url");
        requireNonNull(model, "model");
        breaker = breaker == null ? BreakerPolicy.DEFAULT : breaker;
    }

    /** The upstream URL's path without a trailing slash, e.g. {@code /v1}. */
    public String basePath() {
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    public boolean tls() {
        return "https".equalsIgnoreCase(url.getScheme());
    }

    public int port() {
        return url.getPort() != -1 ? url.getPort() : tls() ? 443 : 80;
    }
}
