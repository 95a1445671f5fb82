package dev.turnout;

import dev.turnout.cli.ChangeCommands;
import dev.turnout.cli.EntryCommands;
import dev.turnout.cli.HashTokenCommand;
import dev.turnout.cli.ReplayCommand;
import dev.turnout.cli.RolloutCommand;
import dev.turnout.cli.RoutesCommand;
import dev.turnout.cli.WatchCommands;
import dev.turnout.config.ConfigException;
import dev.turnout.config.ConfigLoader;
import dev.turnout.config.GatewayConfig;
import dev.turnout.metrics.VertxMeters;
import dev.turnout.proxy.AccessLog;
import dev.turnout.resilience.Breakers;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.store.RedisStoreOptions;
import dev.turnout.store.RouteStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code turnout serve | sim | demo}, and the operator commands ({@code routes}, {@code rollback},
 * {@code rollout}, ...) that drive a running gateway through its admin API.
 */
@Command(name = "turnout", mixinStandardHelpOptions = true, version = "turnout 0.1.0",
        description = "Gateway for serving, splitting and shadowing versions of LLMs behind one OpenAI-compatible API.",
        subcommands = {Main.Serve.class, Main.Sim.class, Demo.class, RoutesCommand.class, ChangeCommands.Rollback.class,
                ChangeCommands.Weights.class, ChangeCommands.Pins.class, EntryCommands.Aliases.class, EntryCommands.Versions.class,
                RolloutCommand.class, WatchCommands.Diffs.class, ReplayCommand.class, WatchCommands.Probes.class,
                WatchCommands.Golden.class, ChangeCommands.Status.class, HashTokenCommand.class})
public final class Main implements Runnable {

    /**
     * DJL probes for CUDA when the tokenizer loads and warns, twice, that a machine without a GPU has
     * none: noise at every start. Held here so the level is not lost with a collected logger.
     */
    private static final java.util.logging.Logger DJL_CUDA = java.util.logging.Logger.getLogger("ai.djl.util.cuda");

    public static void main(String[] args) {
        if (DJL_CUDA.getLevel() == null) DJL_CUDA.setLevel(java.util.logging.Level.SEVERE);
        // One line per log record, unless the operator configured java.util.logging otherwise.
        if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
            System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n");
        }
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Run the gateway. Settings come from the config file, then TURNOUT_* environment variables.")
    static final class Serve implements Callable<Integer> {

        @Option(names = "--config", paramLabel = "FILE",
                description = "Server configuration (YAML). Default: conf/turnout.yaml if it exists, else built-in defaults.")
        Path config;

        @Override
        public Integer call() throws Exception {
            Path file = config != null ? config : Files.exists(Path.of("conf/turnout.yaml")) ? Path.of("conf/turnout.yaml") : null;
            GatewayConfig settings;
            try {
                settings = ConfigLoader.load(file, System.getenv());
                Gateway.readRoutes(settings.routes(), Gateway.policy(settings));
            } catch (ConfigException e) {
                System.err.println("turnout: cannot start:\n" + e.getMessage());
                return 2;
            }
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            Vertx vertx = Main.vertx(settings, registry);
            Gateway gateway;
            try {
                gateway = Main.await(Main.startGateway(vertx, settings, registry));
            } catch (java.util.concurrent.ExecutionException e) {
                System.err.println("turnout: cannot start: " + e.getCause().getMessage());
                vertx.close();
                return 1;
            }
            System.out.println("turnout: gateway on port " + gateway.port() + ", admin API on "
                    + settings.admin().host() + ":" + gateway.adminPort() + ", store " + settings.store().kind()
                    + ", route revision " + gateway.store().current().revision());
            Main.awaitShutdown(vertx, gateway);
            return 0;
        }
    }

    @Command(name = "sim", mixinStandardHelpOptions = true,
            description = "Run a simulated OpenAI-compatible model version (deterministic answers, tunable latency and errors).")
    static final class Sim implements Callable<Integer> {
        @Option(names = "--port", defaultValue = "9101", description = "Port (0 = any free port). Default: ${DEFAULT-VALUE}.")
        int port;
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "Interface to bind. Default: ${DEFAULT-VALUE}.")
        String host;
        @Option(names = "--name", required = true, description = "Version name; answers differ between names like fine-tunes do.")
        String name;
        @Option(names = "--latency-ms", defaultValue = "0", description = "Delay before a non-streamed answer.")
        long latencyMs;
        @Option(names = "--ttft-ms", defaultValue = "0", description = "Delay before the first streamed chunk.")
        long ttftMs;
        @Option(names = "--token-ms", defaultValue = "0", description = "Delay between streamed tokens.")
        long tokenMs;
        @Option(names = "--tokens", defaultValue = "16", description = "Tokens per answer. Default: ${DEFAULT-VALUE}.")
        int tokens;
        @Option(names = "--error-rate", defaultValue = "0", description = "Share of requests answered 500, 0..1.")
        double errorRate;
        @Option(names = "--seed", defaultValue = "42", description = "Seed of the answers and of the error sequence.")
        long seed;
        @Option(names = "--noise", defaultValue = "0",
                description = "Share of words changed at random on each request, like sampling at temperature > 0 (0..1).")
        double noise;
        @Option(names = "--paraphrase",
                description = "Same meaning per prompt in every version, new wording per request.")
        boolean paraphrase;
        @Option(names = "--contradict", defaultValue = "0",
                description = "Share of answers reversing the facts in mostly the same words, 0..1.")
        double contradict;
        @Option(names = "--skill",
                description = "Answer golden-set tasks right: primality, arithmetic, JSON extraction, tool calls.")
        boolean skill;
        @Option(names = "--drift-after", defaultValue = "-1",
                description = "With --skill: after this many chat/completion requests (counted per event loop's server),"
                        + " skill answers turn wrong. -1 = never. Default: ${DEFAULT-VALUE}.")
        long driftAfter;
        @Option(names = "--event-loops", defaultValue = "1",
                description = "Event loops, one server on each, sharing the port. Default: ${DEFAULT-VALUE}.")
        int eventLoops;

        @Override
        public Integer call() throws Exception {
            SimOptions options;
            try {
                options = new SimOptions(name, port, host, latencyMs, ttftMs, tokenMs, tokens, errorRate, seed, noise,
                        paraphrase, contradict, skill, driftAfter);
            } catch (IllegalArgumentException e) {
                System.err.println("turnout sim: " + e.getMessage());
                return 2;
            }
            if (eventLoops < 1) {
                System.err.println("turnout sim: --event-loops must be >= 1, got " + eventLoops);
                return 2;
            }
            Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops));
            // A server started outside a verticle runs on one event loop; Vert.x spreads the
            // connections of servers sharing a port across them.
            SimServer server;
            try {
                server = Main.await(SimServer.start(vertx, options));
                for (int i = 1; i < eventLoops; i++) Main.await(SimServer.start(vertx, options.withPort(server.port())));
            } catch (java.util.concurrent.ExecutionException e) {
                System.err.println("turnout sim: cannot start: " + e.getCause().getMessage());
                vertx.close();
                return 1;
            }
            System.out.println("turnout sim: '" + name + "' answering at " + server.baseUrl() + " on " + eventLoops + " event loop(s)");
            Main.awaitShutdown(vertx, null);
            return 0;
        }
    }

    /**
     * One event loop per core (a proxy never blocks them), with Vert.x's own meters in {@code registry}.
     * {@code TURNOUT_VERTX_HTTP_METRICS=off} leaves out its per-request upstream meters too (the server
     * side is always off, see {@link VertxMeters}): they build tags and look meters up per proxied
     * request, and the gateway's {@code turnout_*} meters count the same requests.
     */
    static Vertx vertx(GatewayConfig settings, PrometheusMeterRegistry registry) {
        return VertxMeters.vertx(settings.server().eventLoops() > 0 ? settings.server().eventLoops()
                : Runtime.getRuntime().availableProcessors(), registry, !"off".equals(System.getenv("TURNOUT_VERTX_HTTP_METRICS")));
    }

    static Future<Gateway> startGateway(Vertx vertx, GatewayConfig settings, PrometheusMeterRegistry registry) {
        GatewayConfig.Store store = settings.store();
        RouteStore routes = store.redis()
                ? RouteStore.redis(vertx, RedisStoreOptions.of(store.redisUri(), store.prefix(), instanceId(), store.historyLimit())
                        .withLimits(java.time.Duration.ofMillis(store.commandTimeoutMs()), store.maxQueuedCommands()))
                : RouteStore.memory(store.historyLimit());
        return Gateway.start(vertx, settings, routes, Gateway.readRoutes(settings.routes(), Gateway.policy(settings)), System::getenv,
                Breakers.withDefaults(), "off".equals(System.getenv("TURNOUT_ACCESS_LOG")) ? AccessLog.disabled() : AccessLog.to(System.out),
                registry);
    }

    /** Names this instance in Redis: TURNOUT_INSTANCE_ID, else host name and process id. */
    static String instanceId() {
        String configured = System.getenv("TURNOUT_INSTANCE_ID");
        if (configured != null && !configured.isBlank()) return configured;
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "unknown-host";
        }
        return host + ":" + ProcessHandle.current().pid();
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get();
    }

    /**
     * Blocks the main thread for good; on SIGTERM or Ctrl-C a shutdown hook closes the gateway and
     * Vert.x, and the JVM exits when the hook ends. (Returning to main would call System.exit while
     * shutdown is in progress, which blocks forever.)
     */
    static void awaitShutdown(Vertx vertx, Gateway gateway) throws InterruptedException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                if (gateway != null) gateway.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("turnout: unclean shutdown: " + e);
            }
            // Waited on with a latch: a future composed on a Vert.x context never completes once Vert.x is closed.
            CountDownLatch closed = new CountDownLatch(1);
            vertx.close().onComplete(done -> closed.countDown());
            try {
                closed.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "turnout-shutdown"));
        new CountDownLatch(1).await();
    }
}
