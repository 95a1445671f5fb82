package dev.turnout.shadow;

import dev.turnout.config.GatewayConfig;
import dev.turnout.diff.DiffRecord;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.Shadow;
import dev.turnout.upstream.Role;
import dev.turnout.upstream.UpstreamFailure;
import dev.turnout.upstream.UpstreamPools;
import dev.turnout.upstream.UpstreamRequests;
import io.vertx.core.Vertx;
import io.vertx.core.http.RequestOptions;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * Copies sampled requests to an alias's candidate versions, and for a share of those asks the
 * primary again (the noise baseline). Shadows can never touch the client's answer:
 * <ul>
 *   <li>their own HTTP pools ({@link UpstreamPools#shadow}, one per version on this event loop), own timeouts, no retries;</li>
 *   <li>bounded in flight, globally and per version, and in bytes; when full they are dropped and counted;</li>
 *   <li>sent alongside the primary, not after it, so latencies compare like for like;</li>
 *   <li>the primary is copied by a capped tee while it streams, never held back.</li>
 * </ul>
 * One dispatcher per event loop; limits and the diff pipeline are shared.
 */
public final class ShadowDispatcher {

    private final Vertx vertx;
    private final ShadowLimits limits;
    private final DiffPipeline pipeline;
    private final GatewayConfig.Shadow config;
    private final Function<String, String> environment;
    private final UpstreamPools pools;

    public ShadowDispatcher(Vertx vertx, ShadowLimits limits, DiffPipeline pipeline, GatewayConfig.Shadow config,
                            Function<String, String> environment, UpstreamPools pools) {
        this.vertx = vertx;
        this.pools = pools;
        this.limits = limits;
        this.pipeline = pipeline;
        this.config = config;
        this.environment = environment;
    }

    /**
     * Sends the shadows this request is sampled for and returns the capture the primary must be
     * teed into, or null when nothing is shadowed (no copy is made then).
     */
    public Capture begin(ShadowRequest request) {
        if (request.alias().shadows().isEmpty()) return null;
        ThreadLocalRandom random = ThreadLocalRandom.current();
        Capture primary = null;
        long start = System.nanoTime();
        for (Shadow shadow : request.alias().shadows()) {
            if (random.nextDouble() >= shadow.sample()) continue;
            ModelVersion candidate = request.table().version(shadow.version());
            // A pinned or fallback request may already be served by the candidate: nothing to compare.
            if (candidate == null || candidate.id().equals(request.primary().id())) continue;
            primary = send(request, candidate, DiffRecord.CANDIDATE, primary, start);
        }
        if (primary != null && random.nextDouble() < request.alias().noiseSample()) {
            primary = send(request, request.primary(), DiffRecord.NOISE, primary, start);
        }
        return primary;
    }

    private Capture send(ShadowRequest request, ModelVersion version, String kind, Capture primary, long start) {
        String alias = request.alias().name();
        String refused = limits.tryAcquire(version.id());
        if (refused == null) {
            Capture teed = primary != null ? primary : pipeline.open(start, config.captureBytes());
            Capture shadow = teed == null ? null : pipeline.open(start, config.captureBytes());
            if (shadow != null) {
                pair(request, version, kind, teed, shadow, start);
                return teed;
            }
            if (teed != null && teed != primary) teed.discard();
            limits.release(version.id());
            refused = "differ_backlog"; // the byte budget has no room for even a first buffer: not sent
        }
        pipeline.dropped(alias, request.primary().id(), version.id(), refused);
        return primary;
    }

    /**
     * The pair keeps its in-flight slot until both sides have ended and it is queued or shed, so the
     * captures waiting for the slower side number at most {@code maxInFlight} pairs.
     */
    private void pair(ShadowRequest request, ModelVersion version, String kind, Capture teed, Capture shadow, long start) {
        String alias = request.alias().name();
        String role = (kind.equals(DiffRecord.NOISE) ? Role.NOISE : Role.SHADOW).label();
        teed.retain();
        shadow.retain();
        shadow.whenDone(() -> {
            pipeline.metrics().request(alias, version.id(), role, "n/a", outcome(shadow));
            pipeline.metrics().duration(alias, version.id(), role, System.nanoTime() - start);
        });
        // Compare once both sides have ended, whichever ends last.
        Runnable compare = () -> {
            if (teed.done() && shadow.done()) {
                limits.release(version.id());
                pipeline.submit(request.id(), alias, request.primary().id(), version.id(), kind, request.wantsJson(),
                        request.body(), teed, shadow);
            }
        };
        teed.whenDone(compare);
        shadow.whenDone(compare);
        forward(request, version, shadow);
    }

    private void forward(ShadowRequest request, ModelVersion version, Capture capture) {
        long timeoutMs = Math.min(version.timeoutMs(), config.timeoutMs());
        RequestOptions options = UpstreamRequests.options(version, request.uriSuffix(), timeoutMs);
        long deadline = vertx.setTimer(config.timeoutMs(), id -> capture.fail("timeout"));
        capture.whenDone(() -> vertx.cancelTimer(deadline));
        pools.shadow(request.table(), version).request(options).onComplete(created -> {
            if (created.failed()) {
                capture.fail(classify(created.cause()));
                return;
            }
            var upstream = created.result();
            upstream.headers().addAll(request.headers()).set("x-turnout-shadow", "1").set("accept-encoding", "identity");
            String authorization = UpstreamRequests.authorization(version, request.clientAuthorization(), environment);
            if (authorization != null) upstream.headers().set("authorization", authorization);
            capture.whenDone(() -> {
                if (capture.failed()) upstream.reset();
            });
            upstream.send(request.bodyForModel().apply(version.model())).onComplete(answered -> {
                if (answered.failed()) {
                    capture.fail(classify(answered.cause()));
                    return;
                }
                var response = answered.result();
                capture.headers(response.statusCode(), response.getHeader("content-type"));
                response.handler(capture::append);
                response.exceptionHandler(error -> capture.fail(classify(error)));
                response.endHandler(end -> capture.end());
            });
        });
    }

    private static String classify(Throwable error) {
        return UpstreamFailure.of(error).label();
    }

    private static String outcome(Capture capture) {
        return capture.failed() ? "error" : "completed";
    }
}
