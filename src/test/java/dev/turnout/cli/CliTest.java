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
        // Every support-bot request is recorded, so a replay has something to send.
        GatewayConfig config = Fixtures.config(false, 1 << 20).withRollouts(new GatewayConfig.Rollouts(100, 1_000, 100))
                .withRecording(GatewayConfig.Recording.defaults().on(1.0, List.of("support-bot")));
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

    private void chat(String alias, int times) {
        for (int i = 0; i < times; i++) {
            HttpResponse<String> answer = Http.send(Http.post("http://127.0.0.1:" + gateway.port() + "/v1/chat/completions",
                    Http.chat(alias), "content-type", "application/json"));
            assertThat(answer.statusCode()).isEqualTo(200);
        }
    }

    /** Polls until {@code done} holds, for at most 20 s. */
    private static void awaitTrue(java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("never happened: " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
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
    void shouldLetAReadTokenFromTurnoutAdminTokensLookButNotChange() {
        // HOME stands in for the token, as above; the gateway is given only its hash, the way an operator would.
        String hash = dev.turnout.config.TokenHash.sha256Hex(System.getenv("HOME"));
        GatewayConfig.Admin loaded = dev.turnout.config.ConfigLoader.load(null, Map.of("TURNOUT_ADMIN_TOKENS", "grafana:read:" + hash)).admin();
        Gateway guarded = Fixtures.gateway(vertx, Fixtures.config(false, 1 << 20)
                .withAdmin(new GatewayConfig.Admin("127.0.0.1", 0, null, List.of(), loaded.tokens())), current(), Map.of());
        try {
            String url = "http://127.0.0.1:" + guarded.adminPort();
            Run look = main("routes", "history", "--admin", url, "--token-env", "HOME");
            assertThat(look.code()).as(look.err()).isZero();
            Run change = main("weights", "support-bot", "support-v2=100", "--admin", url, "--token-env", "HOME");
            assertThat(change.code()).isEqualTo(1);
            assertThat(change.err()).contains("403");
            assertThat(guarded.store().current().alias("support-bot").split()).containsOnlyKeys("support-v1");
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
    void shouldTabulateTheShadowDiffReportAndItsSamples() {
        chat("shadowed", 5);
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

        Run samples = turnout("diffs", "samples", "--alias", "shadowed", "--candidate", "support-v2", "--limit", "2");
        assertThat(samples.code()).as(samples.err()).isZero();
        assertThat(samples.out()).containsPattern("(?m)^ID\\s+TIME\\s+ALIAS\\s+PRIMARY\\s+CANDIDATE\\s+KIND\\s+VERDICT\\s+SIMILARITY$")
                .containsPattern("(?m)^\\S+\\s+\\S+\\s+shadowed\\s+support-v1\\s+support-v2\\s+candidate\\s+\\S+")
                .containsPattern("(?m)^\\S+ primary:   \\S").containsPattern("(?m)^\\S+ candidate: \\S");
        assertThat(samples.out().lines().filter(line -> line.contains(" request:   "))).hasSize(2);
        assertThat(turnout("diffs", "samples", "--alias", "support-bot").out()).isEqualTo("no samples match\n");
        // A misspelt filter is the server's 400, naming the values it takes: a refusal, not an empty answer.
        Run bad = turnout("diffs", "samples", "--verdict", "differnt");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("400").contains("verdict must be one of");
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
        JsonNode kept = turnout("probes", "results", "watch", "-o", "json").json().path("runs");
        assertThat(kept).hasSize(2);
        assertThat(turnout("probes", "results", "watch", "--limit", "1", "-o", "json").json().path("runs")).hasSize(1);

        String newest = kept.get(0).path("id").asText();
        Run baseline = turnout("probes", "baseline", "watch", "--version", "support-v1", "--run", newest);
        assertThat(baseline.code()).as(baseline.err()).isZero();
        assertThat(baseline.out()).contains("probe watch: the baseline of support-v1 is now run " + newest)
                .containsPattern("(?m)^" + newest + "\\s+\\S+\\s+support-v1\\s+4/4");
        Run unknownRun = turnout("probes", "baseline", "watch", "--version", "support-v1", "--run", "run-that-never-was");
        assertThat(unknownRun.code()).as(unknownRun.out()).isEqualTo(1);
        assertThat(unknownRun.err()).containsPattern("POST admin/probes/watch/baseline: 4\\d\\d ");

        assertThat(turnout("probes", "delete", "watch").out()).isEqualTo("probe watch removed\n");
        assertThat(turnout("probes", "list").out()).doesNotContain("watch");
        assertThat(turnout("probes", "delete", "watch").code()).isEqualTo(1);
    }

    @Test
    void shouldListPrintAndRemoveGoldenSets() throws Exception {
        assertThat(turnout("golden", "list").out()).isEqualTo("no golden sets\n");
        List<String> items = Files.readAllLines(Path.of("conf/golden/support-golden.jsonl")).stream().limit(3).toList();
        assertThat(turnout("golden", "put", "three", "-f", file("three.jsonl", String.join("\n", items) + "\n").toString()).code()).isZero();

        Run list = turnout("golden", "list");
        assertThat(list.out()).isEqualTo("NAME\nthree\n");
        assertThat(turnout("golden", "list", "-o", "json").json().path("names").get(0).asText()).isEqualTo("three");

        // What get prints is what put takes: the set goes round unchanged.
        Run get = turnout("golden", "get", "three");
        assertThat(get.code()).as(get.err()).isZero();
        assertThat(get.out().lines()).hasSize(3);
        assertThat(RouteCodec.JSON.readTree(get.out().lines().findFirst().orElseThrow()).path("id").asText())
                .isEqualTo(RouteCodec.JSON.readTree(items.get(0)).path("id").asText());
        Run again = turnout("golden", "put", "three", "-f", file("again.jsonl", get.out()).toString());
        assertThat(again.out()).contains("golden set three: 3 items stored");

        assertThat(turnout("golden", "delete", "three").out()).isEqualTo("golden set three removed\n");
        Run gone = turnout("golden", "get", "three");
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).contains("GET admin/golden-sets/three: 404");
        assertThat(turnout("golden", "delete", "three").code()).isEqualTo(1);
    }

    @Test
    void shouldStartWatchListAndCancelAReplayOfRecordedTraffic() {
        String from = java.time.Instant.now().minusSeconds(3600).toString();
        chat("support-bot", 3);
        awaitTrue(() -> Http.get(admin + "/metrics").body().lines().anyMatch(line -> line.equals("turnout_recorded_total 3.0")),
                "3 exchanges recorded");

        Run started = turnout("replays", "start", "--alias", "support-bot", "--candidate", "support-v2", "--from", from,
                "--rate", "100", "--noise-sample", "0");
        assertThat(started.code()).as(started.err()).isZero();
        assertThat(started.out()).containsPattern("(?m)^replay (\\S+): support-bot -> support-v2, recorded " + java.util.regex.Pattern.quote(from));
        String id = started.out().replaceFirst("(?s)^replay (\\S+):.*", "$1");
        awaitTrue(() -> turnout("replays", "status", id, "-o", "json").json().path("state").asText().equals("done"), "replay done");

        Run status = turnout("replays", "status", id);
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("state: done").contains("counts: read=3 sent=3 noiseSent=0 answered=3 failed=0 compared=3 skipped=0")
                .containsPattern("(?m)^replay:" + id + "\\s+support-v1\\s+support-v2\\s+3\\s")
                .contains("samples: turnout diffs samples --alias replay:" + id);
        assertThat(turnout("diffs", "samples", "--alias", "replay:" + id, "-o", "json").json()).hasSize(3);

        Run list = turnout("replays", "list");
        assertThat(list.out()).containsPattern("(?m)^ID\\s+ALIAS\\s+CANDIDATE\\s+STATE\\s+SENT\\s+COMPARED\\s+STARTED$")
                .containsPattern("(?m)^" + id + "\\s+support-bot\\s+support-v2\\s+done\\s+3\\s+3\\s");
        Run cancel = turnout("replays", "cancel", id);
        assertThat(cancel.code()).as(cancel.err()).isZero();
        assertThat(cancel.out()).contains("replay " + id);

        Run unknown = turnout("replays", "start", "--alias", "support-bot", "--candidate", "support-v9", "--from", from);
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("POST admin/replays: 404").contains("support-v9");
        Run invalid = turnout("replays", "start", "--alias", "support-bot", "--candidate", "support-v2", "--from", "yesterday", "--rate", "0");
        assertThat(invalid.code()).isEqualTo(1);
        assertThat(invalid.err()).contains("422");
        assertThat(invalid.err().lines().filter(line -> line.startsWith("  - "))).hasSize(2);
        assertThat(turnout("replays", "status", "no-such-replay").err()).contains("404").contains("no replay by that id");
    }

    @Test
    void shouldReadWriteAndRemoveOneVersionAndOneAlias() throws Exception {
        Run get = turnout("versions", "get", "support-v1");
        assertThat(get.code()).as(get.err()).isZero();
        String url = current().version("support-v2").url().toString();
        assertThat(get.out()).contains("url: \"" + current().version("support-v1").url());

        long before = current().revision();
        Run put = turnout("versions", "put", "support-v3", "-f", file("v3.yaml", "url: '" + url + "'\nmodel: ft:support:v3\n").toString(),
                "--reason", "add v3");
        assertThat(put.code()).as(put.err()).isZero();
        assertThat(put.out()).isEqualTo("version support-v3 stored: revision " + (before + 1) + "\n");
        assertThat(turnout("versions", "get", "support-v3", "-o", "json").json().path("model").asText()).isEqualTo("ft:support:v3");

        Path canary = file("canary.json", "{\"split\": {\"support-v3\": 1}}");
        Run dry = turnout("aliases", "put", "canary", "-f", canary.toString(), "--dry-run");
        assertThat(dry.code()).as(dry.err()).isZero();
        assertThat(dry.out()).containsPattern("(?m)^FIELD\\s+FROM\\s+TO$").containsPattern("(?m)^aliases\\.canary\\S*\\s+-\\s+")
                .contains("dry run: nothing applied (current revision " + (before + 1) + ")");
        assertThat(current().alias("canary")).isNull();
        assertThat(turnout("aliases", "put", "canary", "-f", canary.toString()).out()).isEqualTo("alias canary stored: revision " + (before + 2) + "\n");
        assertThat(current().alias("canary").split()).containsOnlyKeys("support-v3");
        assertThat(turnout("aliases", "get", "canary").out()).contains("support-v3: 1");

        // A version still in use: the server's 409 and every use it names.
        Run inUse = turnout("versions", "delete", "support-v3");
        assertThat(inUse.code()).isEqualTo(1);
        assertThat(inUse.err()).contains("DELETE admin/versions/support-v3: 409").contains("  - aliases.canary.split.support-v3");
        assertThat(current().version("support-v3")).isNotNull();

        assertThat(turnout("aliases", "delete", "canary", "--reason", "done").out()).isEqualTo("alias canary removed: revision " + (before + 3) + "\n");
        assertThat(turnout("versions", "delete", "support-v3").code()).isZero();
        Run gone = turnout("versions", "get", "support-v3");
        assertThat(gone.code()).isEqualTo(1);
        assertThat(gone.err()).contains("404");
        assertThat(turnout("routes", "history", "--limit", "4", "-o", "json").json().get(1).path("reason").asText()).isEqualTo("done");
    }

    @Test
    void shouldPinAndUnpinClientsAndPreviewAWeightChange() {
        Run pinned = turnout("pins", "support-bot", "beta-tester-7=support-v2", "qa=support-v2", "--reason", "beta");
        assertThat(pinned.code()).as(pinned.err()).isZero();
        assertThat(current().alias("support-bot").pins()).containsOnly(Map.entry("beta-tester-7", "support-v2"), Map.entry("qa", "support-v2"));

        assertThat(turnout("pins", "support-bot", "--unpin", "qa").code()).isZero();
        assertThat(current().alias("support-bot").pins()).containsOnlyKeys("beta-tester-7");

        Run nothing = turnout("pins", "support-bot");
        assertThat(nothing.code()).isEqualTo(1);
        assertThat(nothing.err()).contains("name a pin");
        Run unknown = turnout("pins", "support-bot", "x=support-v9");
        assertThat(unknown.code()).isEqualTo(1);
        assertThat(unknown.err()).contains("422").contains("support-v9");

        long before = current().revision();
        Run preview = turnout("weights", "support-bot", "support-v1=50", "support-v2=50", "--dry-run");
        assertThat(preview.code()).as(preview.err()).isZero();
        assertThat(preview.out()).containsPattern("(?m)^aliases\\.support-bot\\.split\\.support-v1\\s+100(\\.0)?\\s+50(\\.0)?$")
                .contains("dry run: nothing applied");
        assertThat(current().revision()).isEqualTo(before);
    }
}
