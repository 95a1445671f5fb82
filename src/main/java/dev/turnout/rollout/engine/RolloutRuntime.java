package dev.turnout.rollout.engine;

import dev.turnout.config.GatewayConfig;
import dev.turnout.evidence.EvidencePublisher;
import dev.turnout.evidence.EvidenceRecorder;
import dev.turnout.evidence.EvidenceStore;
import dev.turnout.evidence.RedisEvidenceStore;
import dev.turnout.route.RoutePolicy;
import dev.turnout.rollout.RolloutSpec;
import dev.turnout.rollout.store.RolloutStore;
import dev.turnout.store.RedisLink;
import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.RouteStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Everything rollouts need on one instance, kept beside the routes: in memory for an in-memory
 * route store, in the same Redis under the same prefix for a Redis one (so every instance that
 * shares routes shares rollouts and evidence). Started after the route store, closed before it.
 */
public final class RolloutRuntime {

    /** Evidence outlives the longest step a spec allows, plus a day: a step's evidence is read whole. */
    static final Duration EVIDENCE_TTL = Duration.ofSeconds(RolloutSpec.MAX_STEP_SECONDS).plusDays(1);

    private final RolloutStore store;
    private final EvidenceStore evidence;
    private final RedisLink link;
    private final EvidencePublisher publisher;
    private final RolloutEngine engine;

    private RolloutRuntime(RolloutStore store, EvidenceStore evidence, RedisLink link, EvidencePublisher publisher,
            RolloutEngine engine) {
        this.store = store;
        this.evidence = evidence;
        this.link = link;
        this.publisher = publisher;
        this.engine = engine;
    }

    public static Future<RolloutRuntime> start(Vertx vertx, RouteStore routes, RoutePolicy policy, EvidenceRecorder recorder,
            MeterRegistry registry, GatewayConfig.Rollouts config) {
        // One id per process run: a restarted instance publishes its evidence beside what it published before, never over it.
        String runId = "run-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());
        Optional<RedisStoreOptions> redis = routes.redisOptions();
        RolloutStore store = redis.map(options -> RolloutStore.redis(vertx, options)).orElseGet(RolloutStore::memory);
        RedisLink link = redis.map(options -> RedisLink.open(options.uri(), options.commandTimeout(), options.maxQueuedCommands()))
                .orElse(null);
        EvidenceStore evidence = link == null ? EvidenceStore.memory()
                : new RedisEvidenceStore(vertx.getOrCreateContext(), redis.get().prefix(), link);
        RolloutMetrics metrics = new RolloutMetrics(registry);
        return store.start().compose(started -> {
            EvidencePublisher publisher = EvidencePublisher.start(vertx, recorder, evidence, runId,
                    Duration.ofMillis(config.publishMs()), EVIDENCE_TTL);
            return RolloutEngine.start(vertx, routes, policy, store, evidence, recorder, metrics, runId,
                            new RolloutEngine.Timing(Duration.ofMillis(config.lookMs()), Duration.ofMillis(config.leaseMs())))
                    .map(engine -> new RolloutRuntime(store, evidence, link, publisher, engine));
        });
    }

    public RolloutEngine engine() {
        return engine;
    }

    /** Stops judging (handing the lease back), publishes the last evidence, then closes the stores. */
    public Future<Void> close(Vertx vertx) {
        return engine.close().eventually(publisher::close).eventually(evidence::close).eventually(store::close)
                .eventually(() -> link == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
                    link.close(); // blocks until Lettuce's threads stop
                    return null;
                }));
    }
}
