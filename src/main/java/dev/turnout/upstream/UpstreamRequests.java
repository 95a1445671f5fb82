package dev.turnout.upstream;

import dev.turnout.route.ModelVersion;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.util.function.Function;

/** How a call to a model version is addressed and authorised, for primaries and shadows alike. */
public final class UpstreamRequests {

    private UpstreamRequests() {}

    /**
     * A POST to {@code version}'s base path plus {@code uriSuffix} (the client's path after
     * {@code /v1}). {@code silenceMs} bounds the wait for a connection and for the response headers; Vert.x stops that
     * timer once they arrive, so silence within the body is the caller's to watch.
     */
    public static RequestOptions options(ModelVersion version, String uriSuffix, long silenceMs) {
        return new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(version.url().getHost())
                .setPort(version.port())
                .setSsl(version.tls())
                .setURI(version.basePath() + uriSuffix)
                // Bounds the wait for a pooled connection too: when every connection of the pool is
                // busy with long generations, a request fails as a timeout (retry, fallback, 504)
                // instead of waiting in the pool's queue without a deadline.
                .setConnectTimeout(silenceMs)
                .setIdleTimeout(silenceMs);
    }

    /**
     * The {@code Authorization} to send {@code version}: the client's own with {@code passAuth},
     * else a bearer key read from the gateway's environment, else none.
     */
    public static String authorization(ModelVersion version, String clientAuthorization, Function<String, String> environment) {
        if (version.passAuth()) return clientAuthorization;
        if (version.apiKeyEnv() == null) return null;
        String key = environment.apply(version.apiKeyEnv());
        return key == null || key.isEmpty() ? null : "Bearer " + key;
    }
}
