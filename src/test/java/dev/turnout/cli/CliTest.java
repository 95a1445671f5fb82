package dev.turnout.cli;

import static dev.turnout.testing.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.Gateway;
import dev.turnout.Main;
import dev.turnout.config.GatewayConfig;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import dev.turnout.sim.SimOptions;
import dev.turnout.sim.SimServer;
import dev.turnout.testing.Fixtures;
import dev.turnout.testing.Http;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The operator commands, run through {@link Main} in process against a real gateway over two simulators. */
class CliTest {

    private final Vertx vertx = Vertx.vertx();
    private Gateway gateway;
    private String admin;

    @TempDir
    Path dir;

    /** What one command printed and returned. */
    record Run(int code, String out, String err) {
        JsonNode json() {
            try {
                return RouteCodec.JSON.readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }
    }

    @BeforeEach
    void start() {
        SimServer v1 = Fixtures.sim(vertx, SimOptions.defaults("support-v1").withSkill(true).withParaphrase(true));
        SimServer v2 = Fixtures.sim(vertx, SimOptions.defaults("support-v2").withSkill(true).withParaphrase(true));
        GatewayConfig config = Fixtures.config(false, 1 << 20).withRollouts(new GatewayConfig.Rollouts(100, 1_000, 100));
        gateway = Fixtures.gateway(vertx, config, RouteCodec.fromYaml(String.join("\n",
                "versions:",
                "  support-v1: { url: '" + v1.baseUrl() + "' }",
                "  support-v2: { url: '" + v2.baseUrl() + "' }",
                "aliases:",
                "  support-bot: { split: { support-v1: 100 } }",
                "  shadowed: { split: { support-v1: 100 }, shadow: [ { version: support-v2, sample: 1 } ] }",
                "")), Map.of());
        admin = "http://127.0.0.1:" + gateway.adminPort();
    }

    @AfterEach
    void stop() {
        if (gateway != null) await(gateway.close());
        await(vertx.close());
    }

    /** {@code turnout ARGS --admin <the test gateway>}. */
    private Run turnout(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--admin");
        all.add(admin);
        return main(all.toArray(String[]::new));
    }

    private static Run main(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine turnout = new CommandLine(new Main());
        turnout.setOut(new PrintWriter(out));
        turnout.setErr(new PrintWriter(err));
        int code = turnout.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Path file(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private RouteTable current() {
        return gateway.store().current();
    }

    /** The current table as YAML with support-bot's split changed to the given one. */
    private String routesWith(String split) {
        String yaml = turnout("routes", "get").out();
        return yaml.replaceFirst("(?s)(support-bot:\\s*\\n\\s*split:\\s*\\n)(\\s*support-v1: 100(\\.0)?\\n)", "$1" + split);
    }

    @Test
    void shouldPrintTheRoutesAsYamlThatReadsBackAndAsJson() {
        Run yaml = turnout("routes", "get");
        assertThat(yaml.code()).as(yaml.err()).isZero();
        RouteTable read = RouteCodec.fromYaml(yaml.out());
        assertThat(read.alias("support-bot").split()).containsEntry("support-v1", 100.0);
        assertThat(read.revision()).isEqualTo(current().revision());

        Run json = turnout("routes", "get", "-o", "json");
        assertThat(json.code()).isZero();
        assertThat(json.json().path("aliases").path("shadowed").path("shadow").get(0).path("version").asText()).isEqualTo("support-v2");
    }

    @Test
    void shouldShowTheDiffAndChangeNothingOnADryRun() throws Exception {
        long before = current().revision();
        Path routes = file("routes.yaml", routesWith("      support-v1: 80\n      support-v2: 20\n"));

        Run dry = turnout("routes", "apply", "-f", routes.toString(), "--dry-run");

        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).contains("--- routes (revision " + before + ")").contains("+++ " + routes)
                .containsPattern("(?m)^-\\s+support-v1: 100").containsPattern("(?m)^\\+\\s+support-v1: 80")
                .containsPattern("(?m)^\\+\\s+support-v2: 20").contains("dry run: nothing applied");
        assertThat(current().revision()).isEqualTo(before);
        assertThat(current().alias("support-bot").split()).containsOnlyKeys("support-v1");
    }

    @Test
    void shouldApplyAsTheAuthorAndSayNoChangeTheSecondTime() throws Exception {
        long before = current().revision();
        Path routes = file("routes.yaml", routesWith("      support-v1: 80\n      support-v2: 20\n"));

        Run applied = turnout("routes", "apply", "-f", routes.toString(), "--author", "alice", "--reason", "ramp v2");

        assertThat(applied.code()).as(applied.err()).isZero();
        assertThat(applied.out()).contains("applied: revision " + (before + 1));
        assertThat(current().revision()).isEqualTo(before + 1);
        assertThat(current().alias("support-bot").split()).containsEntry("support-v2", 20.0);
        JsonNode history = turnout("routes", "history", "--limit", "1", "-o", "json").json();
        assertThat(history.get(0).path("author").asText()).isEqualTo("alice");
        assertThat(history.get(0).path("reason").asText()).isEqualTo("ramp v2");

        Run again = turnout("routes", "apply", "-f", routes.toString());
        assertThat(again.code()).isZero();
        assertThat(again.out()).contains("no change");
        assertThat(current().revision()).isEqualTo(before + 1);
    }

    @Test
    void shouldRefuseToApplyOverAChangeMadeSinceTheRevisionReviewed() throws Exception {
        long reviewed = current().revision();
        Path routes = file("routes.yaml", routesWith("      support-v1: 80\n      support-v2: 20\n"));
        // Someone else ramps the split between the review and the write.
        HttpResponse<String> other = Http.send(Http.patch(admin + "/admin/aliases/support-bot",
                "{\"split\":{\"support-v1\":50,\"support-v2\":50}}", "content-type", "application/json", "x-turnout-author", "bob"));
        assertThat(other.statusCode()).as(other.body()).isEqualTo(200);

        Run stale = turnout("routes", "apply", "-f", routes.toString(), "--expect-revision", Long.toString(reviewed));

        assertThat(stale.code()).isEqualTo(1);
        assertThat(stale.err()).contains("someone changed the routes meanwhile").contains("revision " + reviewed).contains("409");
        assertThat(current().alias("support-bot").split()).containsEntry("support-v2", 50.0);
    }

    @Test
    void shouldListHistoryDiffRevisionsSetWeightsAndRollBack() {
        long first = current().revision();
        Run weights = turnout("weights", "support-bot", "support-v1=90", "support-v2=10", "--author", "carol", "--reason", "canary");
        assertThat(weights.code()).as(weights.err()).isZero();
        assertThat(current().alias("support-bot").split()).containsExactlyInAnyOrderEntriesOf(Map.of("support-v1", 90.0, "support-v2", 10.0));

        // The whole split: a version not named leaves it, though PATCH alone would keep its weight.
        Run only = turnout("weights", "support-bot", "support-v2=100");
        assertThat(only.code()).as(only.err()).isZero();
        assertThat(current().alias("support-bot").split()).containsOnlyKeys("support-v2");

        Run history = turnout("routes", "history");
        assertThat(history.code()).isZero();
        assertThat(history.out().lines().findFirst().orElseThrow()).contains("REVISION").contains("AUTHOR").contains("REASON");
        assertThat(history.out()).containsPattern("(?m)^" + (first + 1) + "\\s+\\S+\\s+carol\\s+patch-alias support-bot\\s+canary$");

        Run diff = turnout("routes", "diff", Long.toString(first));
        assertThat(diff.code()).isZero();
        assertThat(diff.out()).contains("--- revision " + first).contains("+++ revision " + (first + 2) + " (current)")
                .containsPattern("(?m)^-\\s+support-v1: 100").containsPattern("(?m)^\\+\\s+support-v2: 100");
        assertThat(turnout("routes", "diff", Long.toString(first + 2)).out()).startsWith("no change");

        Run rollback = turnout("rollback", "--to", Long.toString(first), "--reason", "v2 is rude");
        assertThat(rollback.code()).as(rollback.err()).isZero();
        assertThat(rollback.out()).contains("now revision " + (first + 3));
        assertThat(current().alias("support-bot").split()).containsOnlyKeys("support-v1");

        Run alias = turnout("rollback", "--alias", "support-bot", "--reason", "undo");
        assertThat(alias.code()).as(alias.err()).isZero();
        assertThat(current().alias("support-bot").split()).containsOnlyKeys("support-v2");
    }

    @Test
    void shouldPrintEveryProblemOfARefusedChangeAndExitOne() {
        long before = current().revision();
        Run refused = turnout("weights", "support-bot", "nope=50", "zilch=50");

        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("422").contains("problem(s) found");
        assertThat(refused.err().lines().filter(line -> line.startsWith("  - "))).hasSizeGreaterThanOrEqualTo(2);
        assertThat(refused.err()).contains("nope").contains("zilch");
        assertThat(current().revision()).isEqualTo(before);
    }

    @Test
    void shouldExitOneOnAMistypedCommandSoScriptsDoNotRetryIt() {
        Run missing = turnout("routes", "apply");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).contains("Missing required option: '-f=FILE'");
    }

    @Test
    void shouldExitTwoWhenTheAdminApiIsUnreachable() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        Run run = main("routes", "get", "--admin", "http://127.0.0.1:" + closed);
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("cannot reach the admin API at http://127.0.0.1:" + closed);
    }

    @Test
    void shouldSendTheTokenFromTheNamedVariableOnly() {
        // The token comes from the environment; HOME is one every test run has, so it stands in for one.
        String token = System.getenv("HOME");
        assertThat(token).isNotBlank();
        Gateway guarded = Fixtures.gateway(vertx, Fixtures.config(false, 1 << 20).withAdmin(new GatewayConfig.Admin("127.0.0.1", 0, token)),
                current(), Map.of());
        try {
            String url = "http://127.0.0.1:" + guarded.adminPort();
            Run without = main("status", "--admin", url, "--token-env", "TURNOUT_TEST_NO_SUCH_VARIABLE");
            assertThat(without.code()).isEqualTo(1);
            assertThat(without.err()).contains("401").contains("Missing or wrong admin token");
            Run with = main("status", "--admin", url, "--token-env", "HOME");
            assertThat(with.code()).as(with.err()).isZero();
        } finally {
            await(guarded.close());
        }
    }

    @Test
    void shouldExitTwoWithTheServersMessageOnAServerError() {
        io.vertx.core.http.HttpServer failing = await(vertx.createHttpServer().requestHandler(request -> request.response()
                .setStatusCode(503).putHeader("content-type", "application/json")
                .end("{\"error\":{\"message\":\"The route store is unreachable\",\"type\":\"store_unavailable\"}}")).listen(0, "127.0.0.1"));
        Run run = main("rollback", "--reason", "r", "--admin", "http://127.0.0.1:" + failing.actualPort());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("POST admin/rollback: 503 The route store is unreachable");
    }

    @Test
    void shouldShowTheStore() {
        Run status = turnout("status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("applied revision: " + current().revision()).contains("store: memory, healthy");
        assertThat(turnout("status", "-o", "json").json().path("store").path("healthy").asBoolean()).isTrue();
    }

    @Test
    void shouldStartWatchPauseAndAbortARollout() throws Exception {
        Path spec = file("rollout.yaml", String.join("\n",
                "alias: support-bot",
                "candidate: support-v2",
                "steps:",
                "  - { weight: 10, minRequests: 100, minSeconds: 1, maxSeconds: 60 }",
                "  - weight: 50",
                "criteria:",
                "  errorRate: { maxIncrease: 0.05 }",
                ""));
        Run started = turnout("rollout", "start", "-f", spec.toString(), "-o", "json");
        assertThat(started.code()).as(started.err()).isZero();
        String id = started.json().path("id").asText();

        Run list = turnout("rollout", "status");
        assertThat(list.code()).isZero();
        assertThat(list.out()).containsPattern("(?m)^ID\\s+ALIAS\\s+CANDIDATE\\s+STATE\\s+STEP\\s+WEIGHT\\s+REASON$")
                .containsPattern("(?m)^" + id + "\\s+support-bot\\s+support-v2\\s+\\S+\\s+1\\s+10");

        // The engine looks every 100 ms here; its first look fills in the criteria.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (turnout("rollout", "status", id, "-o", "json").json().path("criteria").isEmpty() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }

        Run paused = turnout("rollout", "pause", id, "--reason", "lunch", "--author", "dave");
        assertThat(paused.code()).as(paused.err()).isZero();
        assertThat(paused.out()).contains("rollout " + id + ": support-bot -> support-v2").contains("state: paused")
                .contains("reason: paused by dave: lunch");

        Run one = turnout("rollout", "status", id);
        assertThat(one.out()).contains("state: paused").contains("step: 1 of 2, weight 10%")
                .containsPattern("(?m)^CRITERION\\s+THRESHOLD\\s+CANDIDATE\\s+BASELINE\\s+ESTIMATE\\s+INTERVAL\\s+P\\s+DECISION$")
                .containsPattern("(?m)^errorRate\\s+0\\.05\\s");
        // Resuming a paused rollout applies; resuming again does not: the server's 409 is a refusal.
        assertThat(turnout("rollout", "resume", id).code()).isZero();
        Run twice = turnout("rollout", "resume", id);
        assertThat(twice.code()).isEqualTo(1);
        assertThat(twice.err()).contains("409");

        Run aborted = turnout("rollout", "abort", id, "--reason", "not today");
        assertThat(aborted.code()).as(aborted.err()).isZero();
        assertThat(aborted.out()).contains("state: aborted");
        assertThat(current().alias("support-bot").split()).containsOnlyKeys("support-v1");
    }

    @Test
    void shouldTabulateTheShadowDiffReport() {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> answer = Http.send(Http.post("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions",
                    Http.chat("shadowed"), "content-type", "application/json"));
            assertThat(answer.statusCode()).isEqualTo(200);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode report;
        do {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            report = turnout("diffs", "-o", "json").json();
        } while (report.path("candidates").path(0).path("pairs").asInt() < 5 && System.nanoTime() < deadline);

        Run diffs = turnout("diffs", "shadowed");
        assertThat(diffs.code()).isZero();
        assertThat(diffs.out()).containsPattern("(?m)^ALIAS\\s+PRIMARY\\s+CANDIDATE\\s+PAIRS\\s+VERDICTS\\s+BEYOND NOISE$")
                .containsPattern("(?m)^shadowed\\s+support-v1\\s+support-v2\\s+5\\s+.*different=\\d");
        assertThat(turnout("diffs", "support-bot").out()).contains("no shadow pairs for alias support-bot");
    }

    @Test
    void shouldStoreAGoldenSetAndAProbeRunItAndListItsResults() throws Exception {
        List<String> items = Files.readAllLines(Path.of("conf/golden/support-golden.jsonl")).stream()
                .filter(line -> line.contains("\"kind\": \"regex\"")).limit(4).toList();
        Path set = file("set.jsonl", String.join("\n", items) + "\n");
        Run golden = turnout("golden", "put", "primes", "-f", set.toString());
        assertThat(golden.code()).as(golden.err()).isZero();
        assertThat(golden.out()).contains("golden set primes: 4 items stored");

        Path probe = file("probe.json", "{\"set\": \"primes\", \"versions\": [\"support-v1\", \"support-v2\"], \"concurrency\": 2}");
        Run put = turnout("probes", "put", "watch", "-f", probe.toString());
        assertThat(put.code()).as(put.err()).isZero();
        assertThat(turnout("probes", "list").out()).containsPattern("(?m)^watch\\s+primes\\s+\\[\"support-v1\",\"support-v2\"\\]");

        Run run = turnout("probes", "run", "watch");
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).containsPattern("(?m)\\s+support-v1\\s+4/4\\s+1\\s+baseline run$")
                .containsPattern("(?m)\\s+support-v2\\s+4/4\\s+1\\s+baseline run$");

        assertThat(turnout("probes", "run", "watch").code()).isZero();
        Run results = turnout("probes", "results", "watch");
        assertThat(results.code()).isZero();
        assertThat(results.out().lines().filter(line -> line.contains("support-v1"))).hasSize(2);
        assertThat(results.out()).containsPattern("(?m)\\s+support-v2\\s+4/4\\s+1\\s+no: ");
        assertThat(turnout("probes", "results", "watch", "-o", "json").json().path("runs")).hasSize(2);
    }
}
