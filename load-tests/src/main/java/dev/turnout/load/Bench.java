package dev.turnout.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.load.LoadGenerator.Target;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One command, every arm, one machine, one run: Turnout next to its baselines (direct to the
 * simulator, nginx, Portkey), in interleaved rounds so that drift of the machine hits every arm
 * alike. Writes results/latest.json, results/latest.md and results/latency.png.
 * <pre>
 *   java -cp ... dev.turnout.load.Bench quick|full [resultsDir]
 * </pre>
 */
public final class Bench {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHAT = "{\"model\":\"MODEL\",\"messages\":[{\"role\":\"user\",\"content\":\"Where is my parcel?\"}]}";

    record Mode(String name, long durationMs, int rounds, int connections, int rate, long rateDurationMs,
                int rollbacks, int idleConnections) {}

    public static void main(String[] args) throws Exception {
        Mode mode = args.length > 0 && args[0].equals("full")
                ? new Mode("full", 10_000, 3, 32, 5_000, 15_000, 100, 10_000)
                : new Mode("quick", 2_000, 1, 16, 1_000, 3_000, 10, 1_000);
        Path results = Path.of(args.length > 1 ? args[1] : "load-tests/results");
        Path jar = Path.of(System.getProperty("turnout.jar", "target/turnout.jar"));
        Path nodeModules = Path.of(System.getProperty("portkey.modules", "load-tests/peers/node_modules"));
        Path work = Files.createTempDirectory("turnout-bench");
        Files.createDirectories(results);
        Machine machine = new Machine();
        machine.pinSelf();
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        LoadGenerator load = new LoadGenerator(vertx);
        Report report = new Report(mode.name());
        report.extra("machine", machine.json());
        String failure = null;
        try (Processes processes = new Processes(jar, work, machine)) {
            new Bench(mode, processes, machine, load, report, nodeModules).run();
        } catch (RuntimeException e) {
            failure = e.getMessage();
        } finally {
            vertx.close();
        }
        if (failure != null) report.extra("failed", JSON.getNodeFactory().textNode(failure));
        report.write(results);
        System.out.println(report.markdown());
        // Loud, and a non-zero exit: a run with a dead arm or unanswered requests is no result.
        if (failure != null) {
            System.err.println("bench: FAILED: " + failure + " (work directory " + work + ")");
            System.exit(2);
        }
        if (report.unanswered() > 0) {
            System.err.println("bench: " + report.unanswered() + " requests failed (" + report.timeouts() + " timed out)");
            System.exit(1);
        }
        System.exit(0);
    }

    private final Mode mode;
    private final Processes processes;
    private final Machine machine;
    private final LoadGenerator load;
    private final Report report;
    private final Path nodeModules;
    private final Map<String, Process> armProcess = new LinkedHashMap<>();
    private final Map<String, long[]> armCpu = new LinkedHashMap<>(); // arm -> {cpu ms, requests}

    private Bench(Mode mode, Processes processes, Machine machine, LoadGenerator load, Report report, Path nodeModules) {
        this.mode = mode;
        this.processes = processes;
        this.machine = machine;
        this.load = load;
        this.report = report;
        this.nodeModules = nodeModules;
    }

    /** Every process an arm measures must still run after it: a dead one ends the run, loudly. */
    private void requireAlive(String during) {
        armProcess.forEach((arm, process) -> processes.requireAlive(process, arm, during));
    }

    private static Target target(String name, int port, String model, String... headers) {
        return new Target(name, URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"), CHAT.replace("MODEL", model), headers);
    }

    private void run() throws Exception {
        int simPort = Processes.freePort();
        int candidatePort = Processes.freePort();
        int streamPort = Processes.freePort();
        int longPort = Processes.freePort();
        int longCandidatePort = Processes.freePort();
        Process sim = processes.sim("bench-v1", simPort, 16, 0);
        processes.sim("bench-v2", candidatePort, 16, 0);
        processes.sim("bench-stream", streamPort, 20, 2);
        processes.sim("bench-long-v1", longPort, 300, 0);
        processes.sim("bench-long-v2", longCandidatePort, 300, 0);
        int gatewayPort = Processes.freePort();
        int adminPort = Processes.freePort();
        Process gateway = processes.gateway(Machine.Role.PROXY, "turnout", String.join("\n",
                "versions:",
                "  v1: { url: 'http://127.0.0.1:" + simPort + "/v1' }",
                "  v2: { url: 'http://127.0.0.1:" + candidatePort + "/v1' }",
                "  stream: { url: 'http://127.0.0.1:" + streamPort + "/v1' }",
                "  long-v1: { url: 'http://127.0.0.1:" + longPort + "/v1' }",
                "  long-v2: { url: 'http://127.0.0.1:" + longCandidatePort + "/v1' }",
                "aliases:",
                "  bench: { split: { v1: 1 } }",
                "  bench-shadow: { split: { v1: 1 }, shadow: [ { version: v2, sample: 1.0 } ] }",
                "  bench-stream: { split: { stream: 1 } }",
                "  bench-long-shadow: { split: { long-v1: 1 }, shadow: [ { version: long-v2, sample: 1.0 } ] }",
                ""), gatewayPort, adminPort, Map.of());
        armProcess.put("direct", sim);
        armProcess.put("turnout", gateway);
        int nginxPort = Processes.freePort();
        Process nginx = processes.nginx(nginxPort, simPort);
        Process portkey = mode.name().equals("full") ? processes.portkey(nodeModules) : null;

        Map<String, Target> arms = new LinkedHashMap<>();
        arms.put("direct", target("direct", simPort, "bench-v1"));
        arms.put("turnout", target("turnout", gatewayPort, "bench"));
        if (nginx != null) arms.put("nginx", target("nginx", nginxPort, "bench-v1"));
        else report.skip("nginx", "nginx is not installed (/usr/sbin/nginx); run.sh installs Debian's nginx-light");
        armProcess.put("nginx", nginx);
        armProcess.put("portkey", portkey);
        if (portkey != null) {
            arms.put("portkey", target("portkey", 8787, "bench-v1", "x-portkey-provider", "openai",
                    "x-portkey-custom-host", "http://127.0.0.1:" + simPort + "/v1", "authorization", "Bearer sk-bench"));
        } else {
            report.skip("portkey", mode.name().equals("full") ? "@portkey-ai/gateway is not installed under " + nodeModules
                    : "quick mode runs no peer gateway");
        }
        // Warm-up: JIT, connection pools.
        for (Target arm : arms.values()) load.closedLoop(arm, mode.connections(), Math.min(3_000, mode.durationMs()));
        requireAlive("the warm-up");

        // Throughput, closed loop, interleaved rounds; CPU of the arm's server process per request.
        for (int round = 0; round < mode.rounds(); round++) {
            for (Target arm : arms.values()) {
                long cpuBefore = machine.cpuMillis(armProcess.get(arm.name()));
                LoadGenerator.Result result = load.closedLoop(arm, mode.connections(), mode.durationMs());
                long[] cpu = armCpu.computeIfAbsent(arm.name(), a -> new long[2]);
                cpu[0] += machine.cpuMillis(armProcess.get(arm.name())) - cpuBefore;
                cpu[1] += result.requests();
                report.throughput(arm.name(), result);
                requireAlive("the " + arm.name() + " throughput arm");
            }
        }
        ObjectNode cpuPer10k = JSON.createObjectNode();
        armCpu.forEach((arm, cpu) -> cpuPer10k.put(arm, cpu[1] == 0 ? null : Math.round(cpu[0] * 10_000.0 / cpu[1])));
        report.extra("cpuMsPer10k", cpuPer10k);
        // Latency at one connection.
        for (int round = 0; round < mode.rounds(); round++) {
            for (Target arm : arms.values()) report.latencyC1(arm.name(), load.closedLoop(arm, 1, mode.durationMs()));
        }
        // Constant rate, from intended send times; RSS of the gateway at the end of its run.
        for (String arm : List.of("direct", "turnout")) {
            report.rate(arm, load.openLoop(arms.get(arm), mode.rate(), mode.rateDurationMs(), 256));
            if (arm.equals("turnout")) report.rss(Processes.rssMiB(gateway));
        }
        // Streaming: time to first chunk, gaps between chunks, chunks relayed one for one.
        Target directStream = new Target("direct-stream", URI.create("http://127.0.0.1:" + streamPort + "/v1/chat/completions"),
                CHAT.replace("MODEL", "s").replace("}]}", "}],\"stream\":true}"), new String[0]);
        Target turnoutStream = new Target("turnout-stream", URI.create("http://127.0.0.1:" + gatewayPort + "/v1/chat/completions"),
                CHAT.replace("MODEL", "bench-stream").replace("}]}", "}],\"stream\":true}"), new String[0]);
        for (int round = 0; round < mode.rounds(); round++) {
            report.stream("direct", load.streams(directStream, 8, mode.durationMs()));
            report.stream("turnout", load.streams(turnoutStream, 8, mode.durationMs()));
        }
        // Shadowing every request vs none, same gateway, same upstream.
        Target shadowed = target("turnout-shadow", gatewayPort, "bench-shadow");
        for (int round = 0; round < mode.rounds(); round++) {
            report.shadow(false, load.closedLoop(arms.get("turnout"), mode.connections(), mode.durationMs()),
                    load.closedLoop(arms.get("turnout"), 1, mode.durationMs()));
            report.shadow(true, load.closedLoop(shadowed, mode.connections(), mode.durationMs()),
                    load.closedLoop(shadowed, 1, mode.durationMs()));
        }
        requireAlive("the shadow arms");
        // Long answers, every request shadowed: memory must stay bounded, what does not fit is shed.
        report.extra("shadowLongAnswers", ShadowMemory.measure(load, target("turnout-long-shadow", gatewayPort, "bench-long-shadow"),
                32, mode.durationMs(), gateway, adminPort));
        requireAlive("the long-answer shadow arm");
        report.heapPerIdleConnection(IdleConnections.measure(gateway, gatewayPort, mode.idleConnections()), mode.idleConnections());
        Processes.stop(portkey);
        Processes.stop(nginx);
        report.rollback(RollbackPropagation.measure(processes, simPort, mode.rollbacks()));
        report.differCost(DifferCost.measure(mode.name().equals("full") ? 20_000 : 2_000));
    }
}
