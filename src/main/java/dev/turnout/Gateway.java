package dev.turnout;

import static java.util.Objects.requireNonNull;

import dev.turnout.admin.AdminServer;
import dev.turnout.admin.DiffRoutes;
import dev.turnout.admin.GoldenSetRoutes;
import dev.turnout.admin.ProbeRoutes;
import dev.turnout.admin.MetricsRoutes;
import dev.turnout.admin.ReplayRoutes;
import dev.turnout.admin.RolloutRoutes;
import dev.turnout.rollout.engine.RolloutRuntime;
import dev.turnout.diff.Calibration;
import dev.turnout.diff.DiffReport;
import dev.turnout.diff.DiffSink;
import dev.turnout.diff.JsonlDiffSink;
import dev.turnout.diff.RedisDiffSink;
import dev.turnout.diff.RedisDiffStream;
import dev.turnout.evidence.EvidenceRecorder;
import dev.turnout.golden.Checker;
import dev.turnout.golden.GoldenSetStore;
import dev.turnout.golden.Similarity;
import dev.turnout.probe.ProbeGate;
import dev.turnout.probe.ProbeRunner;
import dev.turnout.probe.ProbeService;
import dev.turnout.probe.ProbeStore;
import dev.turnout.semantic.SentenceEmbedder;
import dev.turnout.metrics.BreakerMetrics;
import dev.turnout.metrics.GatewayMetrics;
import dev.turnout.proxy.AccessLog;
import dev.turnout.proxy.BodyBudget;
import dev.turnout.proxy.ConnectionLimit;
import dev.turnout.proxy.DataPlane;
import dev.turnout.proxy.FaultInjector;
import dev.turnout.replay.ReplayBoard;
import dev.turnout.replay.Replays;
import dev.turnout.replay.TrafficLog;
import dev.turnout.replay.TrafficRecorder;
import dev.turnout.resilience.Breakers;
import dev.turnout.resilience.RetryPolicy;
import dev.turnout.shadow.DiffPipeline;
import dev.turnout.shadow.ShadowLimits;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.ArrayList;
import dev.turnout.config.ConfigException;
import dev.turnout.config.GatewayConfig;
import dev.turnout.proxy.GatewayVerticle;
import dev.turnout.route.InvalidRoutesException;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RoutePolicy;
import dev.turnout.route.RouteTable;
import dev.turnout.route.RouteValidator;
import dev.turnout.semantic.SemanticScorer;
import dev.turnout.store.RouteStore;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * One running gateway: the store with its applied table, the data plane on every event loop, and
 * the admin API. What {@code serve} and {@code demo} start, and what end-to-end tests start.
 */
public final class Gateway {

    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());

    private final Vertx vertx;
    private final RouteStore store;
    private final String deploymentId;
    private final int port;
    private final AdminServer admin;
    private final DiffPipeline diffs;
    private final EvidenceRecorder evidence;
    private final RolloutRuntime rollouts;
    private final GoldenSetStore goldenSets;
    private final ProbeService probes;
    private final Recording recording;
    private final RedisDiffStream fleetDiffs; // null with the memory store

    /** What recording and replays hold: the log they share, the recorder (null while recording is off), the replays. */
    private record Recording(TrafficLog log, TrafficRecorder recorder, Replays replays) {}

    /** Recorded exchanges held by an instance whose route store is in memory, across all aliases. */
    static final long MEMORY_LOG_BYTES = 64L << 20;

    private Gateway(Vertx vertx, RouteStore store, String deploymentId, int port, AdminServer admin, DiffPipeline diffs,
                    EvidenceRecorder evidence, RolloutRuntime rollouts, GoldenSetStore goldenSets, ProbeService probes,
                    Recording recording, RedisDiffStream fleetDiffs) {
        this.vertx = vertx;
        this.store = store;
        this.deploymentId = deploymentId;
        this.port = port;
        this.admin = admin;
        this.diffs = diffs;
        this.evidence = evidence;
        this.rollouts = rollouts;
        this.goldenSets = goldenSets;
        this.probes = probes;
        this.recording = recording;
        this.fleetDiffs = fleetDiffs;
    }

    /** The route store's Redis when it has one (every instance's recordings meet there), else a ring on this instance. */
    private static TrafficLog trafficLog(Vertx vertx, RouteStore store, GatewayConfig.Recording config) {
        int maxEntryChars = 6 * (config.maxRequestBytes() + config.maxAnswerBytes()) + 4_096; // JSON may escape every byte
        return store.redisOptions().map(options -> TrafficLog.redis(vertx, options, config.maxEntries(), maxEntryChars))
                .orElseGet(() -> TrafficLog.memory(config.maxEntries(), MEMORY_LOG_BYTES));
    }

    private static List<DiffSink> sinks(GatewayConfig config, PrometheusMeterRegistry registry) {
        List<DiffSink> sinks = new ArrayList<>();
        if (!config.diffs().log().isBlank()) sinks.add(new JsonlDiffSink(Path.of(config.diffs().log()), 64L << 20, 5));
        GatewayConfig.Store store = config.store();
        if (store.redis()) {
            sinks.add(new RedisDiffSink(store.redisUri(), store.prefix(), 10_000, java.time.Duration.ofMillis(store.commandTimeoutMs()),
                    store.maxQueuedCommands(), registry));
        }
        return sinks;
    }

    /** Starts the store (seeding it with {@code seed} if it holds nothing) and the data plane. */
    public static Future<Gateway> start(Vertx vertx, GatewayConfig config, RouteStore store, RouteTable seed,
                                        Function<String, String> environment) {
        return start(vertx, config, store, seed, environment, Breakers.withDefaults(), AccessLog.disabled());
    }

    public static Future<Gateway> start(Vertx vertx, GatewayConfig config, RouteStore store, RouteTable seed,
                                        Function<String, String> environment, Breakers breakers, AccessLog accessLog) {
        return start(vertx, config, store, seed, environment, breakers, accessLog, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /**
     * @param registry where the meters go and what {@code /metrics} shows; pass the registry the
     *                 Vert.x instance was built with to include its server and pool meters
     */
    public static Future<Gateway> start(Vertx vertx, GatewayConfig config, RouteStore store, RouteTable seed,
                                        Function<String, String> environment, Breakers breakers, AccessLog accessLog,
                                        PrometheusMeterRegistry registry) {
        requireNonNull(config, "config");
        RoutePolicy policy = policy(config);
        List<String> seedProblems = RouteValidator.problems(seed, policy);
        if (!seedProblems.isEmpty()) {
            return Future.failedFuture(new ConfigException(config.routes() + ":\n  " + String.join("\n  ", seedProblems)));
        }
        GatewayMetrics metrics = new GatewayMetrics(registry, store::current);
        BreakerMetrics.bind(registry, breakers);
        GatewayMetrics.bindProcess(registry, accessLog, AccessLog::dropped);
        GatewayConfig.Semantic semantic = config.diffs().semantic();
        DiffReport report = new DiffReport(new Calibration(semantic.noiseQuantile(), semantic.minNoisePairs()));
        // Off: no model loaded, no threads, and every pair says semanticStatus "disabled".
        SemanticScorer scorer = semantic.enabled() ? SemanticScorer.start(semantic, registry) : null;
        EvidenceRecorder evidence = new EvidenceRecorder(64);
        evidence.bindTo(registry);
        List<DiffSink> sinks = sinks(config, registry);
        sinks.add(evidence); // the pairs of a tracked rollout's candidate count as its evidence
        // Where every instance's pairs meet (the RedisDiffSink of sinks()), read back for GET /admin/diffs?scope=fleet.
        GatewayConfig.Store storeConfig = config.store();
        RedisDiffStream fleetDiffs = storeConfig.redis() ? new RedisDiffStream(vertx, storeConfig.redisUri(), storeConfig.prefix(),
                java.time.Duration.ofMillis(storeConfig.commandTimeoutMs()), storeConfig.maxQueuedCommands(), report.calibration())
                : null;
        DiffPipeline diffs = new DiffPipeline(metrics, report, sinks, config.diffs().redact(),
                config.shadow().pendingDiffBytes(), scorer);
        BodyBudget bodyBudget = new BodyBudget(config.server().effectiveMaxBufferedBytes());
        bodyBudget.bindTo(registry);
        ConnectionLimit connectionLimit = new ConnectionLimit(config.server().maxConnections());
        connectionLimit.bindTo(registry);
        TrafficLog log = trafficLog(vertx, store, config.recording());
        TrafficRecorder recorder = config.recording().enabled() ? new TrafficRecorder(config.recording(), log, registry) : null;
        DataPlane plane = new DataPlane(config, store::current, environment, metrics, breakers, RetryPolicy.defaults(),
                new ShadowLimits(config.shadow().maxInFlight(), config.shadow().maxInFlightPerVersion()), diffs, accessLog,
                bodyBudget, FaultInjector.NONE, evidence, recorder);
        Recording recording = new Recording(log, recorder,
                new Replays(vertx, log, diffs, store::current, plane.environment(), config.shadow(),
                        store.redisOptions().map(options -> ReplayBoard.redis(vertx, options)).orElse(null)));
        int instances = config.server().eventLoops() > 0 ? config.server().eventLoops()
                : Runtime.getRuntime().availableProcessors();
        List<GatewayVerticle> deployed = new CopyOnWriteArrayList<>();
        // Beside the routes when they are in Redis, so every instance serves the same sets; else this process's own.
        GoldenSetStore goldenSets = store.redisOptions().map(options -> GoldenSetStore.redis(vertx, options))
                .orElseGet(GoldenSetStore::memory);
        return store.start(seed)
                .compose(applied -> {
                    LOG.info("serving route revision " + applied.revision() + " (" + applied.aliases().size()
                            + " aliases, " + applied.versions().size() + " versions)");
                    return vertx.deployVerticle(() -> {
                        GatewayVerticle verticle = new GatewayVerticle(plane, connectionLimit);
                        deployed.add(verticle);
                        return verticle;
                    }, new DeploymentOptions().setInstances(instances));
                })
                .compose(id -> RolloutRuntime.start(vertx, store, policy, evidence, registry, config.rollouts())
                        .compose(rollouts -> {
                            // Probes follow the rollout leader: one instance runs the schedule, and gates rollouts.
                            ProbeService probes = new ProbeService(vertx, store::current, goldenSets,
                                    store.redisOptions().map(options -> ProbeStore.redis(vertx, options)).orElseGet(ProbeStore::memory),
                                    new ProbeRunner(vertx, environment, similarity(semantic)), rollouts.engine()::leading, registry)
                                    .start(config.rollouts().lookMs());
                            rollouts.engine().useGates(new ProbeGate(probes));
                            return AdminServer.start(vertx, config.admin(), store, policy, router -> {
                                        MetricsRoutes.mount(router, registry);
                                        DiffRoutes.mount(router, report, scorer == null ? () -> "disabled" : scorer::state, fleetDiffs);
                                        RolloutRoutes.mount(router, vertx, rollouts.engine(), store::current);
                                        GoldenSetRoutes.mount(router, goldenSets);
                                        ProbeRoutes.mount(router, probes);
                                        ReplayRoutes.mount(router, recording.replays(), report, fleetDiffs);
                                    })
                                    .map(admin -> {
                                        if (scorer != null) scorer.loadInBackground(); // listening first, then the model
                                        return new Gateway(vertx, store, id, deployed.get(0).actualPort(), admin, diffs, evidence,
                                                rollouts, goldenSets, probes, recording, fleetDiffs);
                                    })
                                    .recover(failed -> probes.close().eventually(() -> rollouts.close(vertx))
                                            .transform(ignored -> Future.failedFuture(failed)));
                        })
                        .recover(failed -> vertx.undeploy(id).transform(ignored -> Future.failedFuture(failed))))
                .recover(failed -> goldenSets.close().eventually(() -> closeFleet(fleetDiffs)).eventually(() -> close(vertx, recording))
                        .transform(ignored -> Future.failedFuture(failed)));
    }

    /**
     * What semantic golden checks and drift use: the process's one embedding model, loaded on first
     * use (on a worker: checks never run on an event loop); none when semantic diffs are disabled.
     */
    private static Similarity similarity(GatewayConfig.Semantic semantic) {
        if (!semantic.enabled()) return Similarity.NONE;
        return (a, b) -> Checker.embeddings(SentenceEmbedder.shared(SentenceEmbedder.Model.MINI_LM_L6_V2_Q, semantic.maxTokens()))
                .between(a, b);
    }

    /** What route tables are checked against in this deployment. */
    public static RoutePolicy policy(GatewayConfig config) {
        return new RoutePolicy(config.server().apiKeyEnvAllowed());
    }

    /** Reads and validates a routes file; the exception names the file and every bad field. */
    public static RouteTable readRoutes(Path file, RoutePolicy policy) {
        try {
            return RouteCodec.fromYaml(Files.readString(file), policy);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file + " does not exist (the routes file: set routes in the config file or TURNOUT_ROUTES)");
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read the routes file: " + e.getMessage());
        } catch (InvalidRoutesException e) {
            throw new ConfigException(file + ":\n  " + String.join("\n  ", e.errors()));
        }
    }

    public int port() {
        return port;
    }

    public int adminPort() {
        return admin.port();
    }

    public RouteStore store() {
        return store;
    }

    /** What this instance records for the rollouts it is told to track; the rollout engine publishes it. */
    public EvidenceRecorder evidence() {
        return evidence;
    }

    /** The golden sets the admin API stores: in Redis beside the routes when the routes are there, else in memory. */
    public GoldenSetStore goldenSets() {
        return goldenSets;
    }

    public Future<Void> close() {
        return admin.close().eventually(probes::close).eventually(() -> rollouts.close(vertx)).eventually(goldenSets::close)
                .eventually(() -> vertx.undeploy(deploymentId))
                .eventually(store::close)
                .eventually(() -> vertx.executeBlocking(() -> {
                    diffs.close(); // joins the differ thread and closes files: blocking, so off the event loop
                    return null;
                }))
                .eventually(() -> closeFleet(fleetDiffs))
                .eventually(() -> close(vertx, recording));
    }

    private static Future<Void> closeFleet(RedisDiffStream fleetDiffs) {
        return fleetDiffs == null ? Future.succeededFuture() : fleetDiffs.close();
    }

    /** Cancels the replays, stops the recorder's writer (joining it: off the event loop), then closes the log. */
    private static Future<Void> close(Vertx vertx, Recording recording) {
        return recording.replays().close()
                .eventually(() -> recording.recorder() == null ? Future.succeededFuture() : vertx.executeBlocking(() -> {
                    recording.recorder().close();
                    return null;
                }))
                .eventually(() -> recording.log().close());
    }
}
