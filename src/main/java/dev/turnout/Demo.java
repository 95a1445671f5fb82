package dev.turnout;

import dev.turnout.config.GatewayConfig;
import dev.turnout.metrics.VertxMeters;
import dev.turnout.proxy.AccessLog;
import dev.turnout.resilience.Breakers;
import dev.turnout.route.RouteCodec;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.store.RouteStore;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The embedded default: three simulated versions of a support model and the gateway in one
 * process, routes in memory, and curl commands to try a split, a pinned client and a stream.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run simulated model versions and the gateway in one process, with in-memory routes.")
final class Demo implements Callable<Integer> {

    @Option(names = "--port", defaultValue = "8080", description = "Gateway port. Default: ${DEFAULT-VALUE}.")
    int port;
    @Option(names = "--admin-port", defaultValue = "8081", description = "Admin API port (loopback). Default: ${DEFAULT-VALUE}.")
    int adminPort;
    @Option(names = "--sim-port", defaultValue = "9101",
            description = "First simulator port; the versions take this and the next two. Default: ${DEFAULT-VALUE}.")
    int simPort;
    @Option(names = "--token-ms", defaultValue = "40", description = "Simulated delay per streamed token. Default: ${DEFAULT-VALUE}.")
    long tokenMs;

    static final List<String> VERSIONS = List.of("support-v1", "support-v2", "support-v3");
    static final double CANDIDATE_CONTRADICTS = 0.3;
    /** A probe run asks support-v2 about 24 questions: the first run is clean, the burst of 300 below tips it. */
    static final long DRIFT_AFTER = 60;
    static final String PROBE = "{\"set\":\"support-golden\",\"versions\":[\"support-v1\",\"support-v2\"]}";
    /** Steps short enough to watch: 100 candidate requests and 5 s each. */
    static final String ROLLOUT = "{\"alias\":\"support-bot\",\"candidate\":\"support-v2\",\"steps\":["
            + "{\"weight\":30,\"minRequests\":100,\"minSeconds\":5,\"maxSeconds\":300},{\"weight\":60},{\"weight\":100}],"
            + "\"criteria\":{\"errorRate\":{\"maxIncrease\":0.05},\"latencyP95\":{\"maxRatio\":1.5}}}";

    @Override
    public Integer call() throws Exception {
        // Vert.x's upstream meters in the registry /metrics shows, as `serve` has them, so every panel
        // of conf/grafana-dashboard.json draws from the demo (load-tests/check-dashboard.sh).
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Vertx vertx = VertxMeters.vertx(Runtime.getRuntime().availableProcessors(), registry, true);
        // Room for the demo's bursts of curl: pairs wait for the embedding worker instead of being skipped.
        GatewayConfig.Diffs defaults = GatewayConfig.Diffs.defaults();
        GatewayConfig.Diffs diffs = new GatewayConfig.Diffs(defaults.log(), defaults.redact(),
                defaults.semantic().withQueuePairs(1024));
        Running demo;
        try {
            demo = Main.await(start(vertx, port, adminPort, simPort, tokenMs, diffs, registry));
        } catch (ExecutionException e) {
            // The first thing a newcomer runs: one line saying what is wrong, not a stack trace.
            System.err.println("turnout demo: cannot start: " + e.getCause().getMessage()
                    + "\n(--port, --admin-port and --sim-port choose other ports; 0 takes any free one)");
            vertx.close();
            return 1;
        }
        System.out.println(instructions(demo.gateway().port(), demo.gateway().adminPort(), demo.simPorts()));
        Main.awaitShutdown(vertx, demo.gateway());
        return 0;
    }

    /** The demo's gateway and the ports its simulated versions listen on. */
    record Running(Gateway gateway, int[] simPorts) {}

    /** Starts the simulated versions, then the gateway over them; port 0 anywhere means any free port. */
    static Future<Running> start(Vertx vertx, int port, int adminPort, int simPort, long tokenMs, GatewayConfig.Diffs diffs) {
        return start(vertx, port, adminPort, simPort, tokenMs, diffs, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** As above, with the gateway's meters in {@code registry} (the one {@code vertx} was built with, for Vert.x's own). */
    static Future<Running> start(Vertx vertx, int port, int adminPort, int simPort, long tokenMs, GatewayConfig.Diffs diffs,
                                 PrometheusMeterRegistry registry) {
        List<Future<SimServer>> sims = new java.util.ArrayList<>();
        for (int i = 0; i < VERSIONS.size(); i++) {
            // Each version answers support questions in words of its own each time, as a model at a
            // temperature above zero does (the diff report's noise floor); the candidate support-v3
            // contradicts the meaning in 30% of its answers while keeping most of the words.
            // They also answer the shipped golden set's tasks (--skill); support-v2's answers to them go
            // wrong after DRIFT_AFTER requests, as a model changed in place would: a probe catches it.
            SimOptions options = new SimOptions(VERSIONS.get(i), simPort == 0 ? 0 : simPort + i, "127.0.0.1",
                    5, 20, tokenMs, 24, 0.0, 42 + i, 0.0).withParaphrase(true).withSkill(true)
                    .withDriftAfter(i == 1 ? DRIFT_AFTER : -1);
            sims.add(SimServer.start(vertx, i == 2 ? options.withContradict(CANDIDATE_CONTRADICTS) : options));
        }
        return Future.all(sims).compose(started -> {
            int[] ports = sims.stream().mapToInt(sim -> sim.result().port()).toArray();
            GatewayConfig config = GatewayConfig.defaults()
                    .withServer(new GatewayConfig.Server("127.0.0.1", port, 4L << 20, false, 0))
                    .withAdmin(new GatewayConfig.Admin("127.0.0.1", adminPort, null))
                    .withDiffs(diffs)
                    // Every request recorded (in memory, redacted), so a candidate can be replayed on it.
                    .withRecording(GatewayConfig.Recording.defaults().on(1.0, List.of()))
                    .withRoutes(Path.of("(demo)"));
            return Gateway.start(vertx, config, RouteStore.memory(100), RouteCodec.fromYaml(routesYaml(ports)), System::getenv,
                            Breakers.withDefaults(), AccessLog.disabled(), registry)
                    .map(gateway -> new Running(gateway, ports));
        });
    }

    static String routesYaml(int[] ports) {
        return "versions:\n"
                + "  support-v1: { url: \"http://127.0.0.1:" + ports[0] + "/v1\", model: \"ft:support:v1\" }\n"
                + "  support-v2: { url: \"http://127.0.0.1:" + ports[1] + "/v1\", model: \"ft:support:v2\" }\n"
                + "  support-v3: { url: \"http://127.0.0.1:" + ports[2] + "/v1\", model: \"ft:support:v3\" }\n"
                + "aliases:\n"
                + "  support-bot:\n"
                + "    split: { support-v1: 70, support-v2: 30 }\n"
                + "    sticky: client\n"
                + "    pins: { beta-tester-7: support-v3 }\n"
                + "    shadow: [ { version: support-v3, sample: 1.0 } ]\n"
                + "    noiseSample: 0.5\n"
                + "    fallback: support-v1\n";
    }

    static String instructions(int port, int adminPort, int[] simPorts) {
        String base = "http://127.0.0.1:" + port;
        String chat = " -H 'content-type: application/json' -d '{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\"My order has not arrived\"}]";
        return String.join("\n",
                "",
                "Turnout demo is running.",
                "  gateway   " + base + "/v1   (alias 'support-bot': 70% support-v1, 30% support-v2, sticky per client;",
                "                                         candidate support-v3 shadowed on every request)",
                "  admin     http://127.0.0.1:" + adminPort,
                "  console   http://127.0.0.1:" + adminPort + "/console/   (open it in a browser: splits, history, diffs, rollouts, probes)",
                "  versions  support-v1 :" + simPorts[0] + "  support-v2 :" + simPorts[1] + "  support-v3 :" + simPorts[2],
                "",
                "The aliases, as OpenAI's model list:",
                "  curl -s " + base + "/v1/models",
                "",
                "A split: ten clients, each always lands on the same version:",
                "  for c in 1 2 3 4 5 6 7 8 9 10; do curl -s -o /dev/null -w \"client-$c -> %header{x-turnout-version}\\n\" "
                        + base + "/v1/chat/completions -H \"x-turnout-client: client-$c\"" + chat + "}'; done",
                "",
                "A pinned client (beta-tester-7 always gets support-v3):",
                "  curl -s -D - " + base + "/v1/chat/completions -H 'x-turnout-client: beta-tester-7'" + chat + "}'",
                "",
                "A stream, token by token:",
                "  curl -N " + base + "/v1/chat/completions -H 'x-turnout-client: client-1'" + chat + ",\"stream\":true}'",
                "",
                "Watch the versions for drift with the shipped golden set (prime or composite, arithmetic, JSON, a tool call):",
                "  curl -s -X PUT http://127.0.0.1:" + adminPort + "/admin/golden-sets/support-golden -H 'content-type: application/jsonl' "
                        + "--data-binary @conf/golden/support-golden.jsonl",
                "  curl -s -X PUT http://127.0.0.1:" + adminPort + "/admin/probes/support-watch -H 'content-type: application/json' -d '"
                        + PROBE + "'",
                "  curl -s -X POST http://127.0.0.1:" + adminPort + "/admin/probes/support-watch/run -H 'content-type: application/json' | grep -E '\"(version|passRate|drifted)\"'",
                "The first run is each version's baseline. support-v2 changes after " + DRIFT_AFTER + " requests: send the 300 questions",
                "below, run the probe again, and it reports support-v2 drifted (its pass rate fell), support-v1 not.",
                "",
                "Every request is also shadowed to the candidate support-v3 (the client never waits for it), and half",
                "are asked of the primary twice: how much production differs from itself. Send 300 questions, then ask",
                "whether the candidate answers differently beyond that noise (it contradicts 30% of its answers):",
                "  seq 1 300 | xargs -P 16 -I{} curl -s -o /dev/null " + base + "/v1/chat/completions -H 'content-type: application/json' "
                        + "-d '{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\"question {}\"}]}'",
                "  curl -s http://127.0.0.1:" + adminPort + "/admin/diffs | grep -o '\"summary\" : \"[^\"]*\"'",
                "The least similar pairs first, side by side:",
                "  curl -s 'http://127.0.0.1:" + adminPort + "/admin/diffs/samples?sort=least_similar&verdict=different&limit=2'",
                "",
                "A rollout that decides on its own: support-v2 ramps from 30% to 60%, then 100%; each step is judged on",
                "errors and p95 latency against support-v1, and promoted or rolled back without you:",
                "  curl -s -X POST http://127.0.0.1:" + adminPort + "/admin/rollouts -H 'x-turnout-author: you' "
                        + "-H 'content-type: application/json' -d '" + ROLLOUT + "'",
                "  seq 1 2000 | xargs -P 32 -I{} curl -s -o /dev/null " + base + "/v1/chat/completions -H 'content-type: application/json' "
                        + "-H 'x-turnout-client: c{}' -d '{\"model\":\"support-bot\",\"messages\":[{\"role\":\"user\",\"content\":\"question {}\"}]}'",
                "  curl -s http://127.0.0.1:" + adminPort + "/admin/rollouts        # state, step, weight; then promoted",
                "  curl -s http://127.0.0.1:" + adminPort + "/admin/rollouts/<id>   # every criterion's figures, test, p-value; the decision log",
                "",
                "Replay what was recorded (every request, in memory, redacted) against the candidate, 20 a second,",
                "and read its diff report once it is done:",
                "  curl -s -X POST http://127.0.0.1:" + adminPort + "/admin/replays -H 'content-type: application/json' -d '"
                        + "{\"alias\":\"support-bot\",\"candidate\":\"support-v3\",\"from\":\"2020-01-01T00:00:00Z\","
                        + "\"limit\":200,\"ratePerSecond\":20}'",
                "  curl -s http://127.0.0.1:" + adminPort + "/admin/replays/<id> | grep -E '\"(state|sent|compared|summary)\"'",
                "",
                "Change the split live, then roll back (history keeps both):",
                "  curl -s -X PATCH http://127.0.0.1:" + adminPort + "/admin/aliases/support-bot -H 'x-turnout-author: you' "
                        + "-H 'content-type: application/json' -d '{\"split\":{\"support-v1\":50,\"support-v2\":50}}'",
                "  curl -s -X POST http://127.0.0.1:" + adminPort + "/admin/rollback -H 'content-type: application/json' "
                        + "-d '{\"reason\":\"back to 70/30\"}'",
                "  curl -s http://127.0.0.1:" + adminPort + "/admin/history",
                "or with the command line (the same jar):",
                "  java -jar target/turnout.jar weights support-bot support-v1=50 support-v2=50 --reason 'ramp v2' --admin http://127.0.0.1:" + adminPort,
                "  java -jar target/turnout.jar rollback --reason 'back to 70/30' --admin http://127.0.0.1:" + adminPort,
                "  java -jar target/turnout.jar routes history --admin http://127.0.0.1:" + adminPort,
                "or in the console: Aliases > Edit weights > Preview change > Apply; History > Roll back to this.",
                "",
                "Ctrl-C stops everything.");
    }
}
