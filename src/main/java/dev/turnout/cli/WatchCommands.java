package dev.turnout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What tells an operator whether a version behaves: the shadow diff report, golden sets and probes. */
public final class WatchCommands {

    /** A probe run asks every item of its set of every version: minutes, not seconds. */
    static final Duration PROBE_RUN_TIMEOUT = Duration.ofMinutes(10);

    private WatchCommands() {}

    @Command(name = "diffs", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "The shadow diff report: how each candidate's answers differ from its primary's.")
    public static final class Diffs implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", arity = "0..1", paramLabel = "ALIAS", description = "Only this alias.")
        String alias;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/diffs");
                if (target.json()) {
                    out.println(reply.body());
                    return 0;
                }
                List<List<String>> rows = new ArrayList<>();
                List<String> summaries = new ArrayList<>();
                for (JsonNode entry : reply.json().path("candidates")) {
                    if (alias != null && !alias.equals(entry.path("alias").asText())) continue;
                    List<String> verdicts = new ArrayList<>();
                    entry.path("verdicts").fields().forEachRemaining(verdict -> verdicts.add(verdict.getKey() + "=" + verdict.getValue().asText()));
                    rows.add(List.of(Text.field(entry, "alias"), Text.field(entry, "primary"), Text.field(entry, "candidate"),
                            Text.field(entry, "pairs"), String.join(" ", verdicts), Text.field(entry, "differsBeyondNoise")));
                    if (entry.hasNonNull("summary")) {
                        summaries.add(entry.path("alias").asText() + " " + entry.path("candidate").asText() + ": " + entry.get("summary").asText());
                    }
                }
                if (rows.isEmpty()) {
                    out.println("no shadow pairs" + (alias == null ? "" : " for alias " + alias) + " yet");
                    return 0;
                }
                out.print(Text.table(List.of("ALIAS", "PRIMARY", "CANDIDATE", "PAIRS", "VERDICTS", "BEYOND NOISE"), rows));
                summaries.forEach(out::println);
                return 0;
            });
        }
    }

    @Command(name = "golden", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Golden sets: the prompts probes ask, with the check for each answer.",
            subcommands = GoldenPut.class)
    public static final class Golden implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Store a golden set (JSON Lines, one item a line), replacing one of that name.")
    static final class GoldenPut implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Option(names = "-f", required = true, paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.write("PUT", "admin/golden-sets/" + Paths.segment(name), "application/jsonl",
                        Inputs.text(file), Map.of());
                if (target.json()) out.println(reply.body());
                else out.println("golden set " + name + ": " + Text.field(reply.json(), "items") + " items stored");
                return 0;
            });
        }
    }

    @Command(name = "probes", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Probes: a golden set asked of versions, now or on a schedule, watched for drift.",
            subcommands = {ProbesList.class, ProbesPut.class, ProbesRun.class, ProbesResults.class})
    public static final class Probes implements Runnable {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            spec.commandLine().usage(spec.commandLine().getOut());
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Every probe.")
    static final class ProbesList implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/probes");
                if (target.json()) {
                    out.println(reply.body());
                    return 0;
                }
                List<List<String>> rows = new ArrayList<>();
                reply.json().path("probes").forEach(probe -> rows.add(List.of(Text.field(probe, "name"), Text.field(probe, "set"),
                        probe.has("alias") ? "alias " + probe.get("alias").asText() : Text.field(probe, "versions"),
                        Text.field(probe, "everySeconds"))));
                out.print(Text.table(List.of("NAME", "SET", "ASKS", "EVERY SECONDS"), rows));
                return 0;
            });
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Store a probe (JSON), replacing one of that name.")
    static final class ProbesPut implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Option(names = "-f", required = true, paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.write("PUT", "admin/probes/" + Paths.segment(name), AdminClient.JSON, Inputs.text(file), Map.of());
                out.println(target.json() ? reply.body() : "probe " + name + " stored");
                return 0;
            });
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Run a probe now and print each version's pass rate and drift.")
    static final class ProbesRun implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.send("POST", "admin/probes/" + Paths.segment(name) + "/run", AdminClient.JSON, null, Map.of(),
                        PROBE_RUN_TIMEOUT);
                if (target.json()) out.println(reply.body());
                else out.print(runs(List.of(reply.json())));
                return 0;
            });
        }
    }

    @Command(name = "results", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "A probe's recent runs, newest first.")
    static final class ProbesResults implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/probes/" + Paths.segment(name) + "/results");
                if (target.json()) {
                    out.println(reply.body());
                    return 0;
                }
                List<JsonNode> runs = new ArrayList<>();
                reply.json().path("runs").forEach(runs::add);
                out.print(runs.isEmpty() ? "probe " + name + " has not run yet\n" : runs(runs));
                return 0;
            });
        }
    }

    /** One row per run and version: pass rate, and whether it drifted from its baseline and why. */
    static String runs(List<JsonNode> runs) {
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode run : runs) {
            for (JsonNode version : run.path("versions")) {
                JsonNode drift = version.path("drift");
                rows.add(List.of(Text.field(run, "id"), Text.field(run, "startedAt"), Text.field(version, "version"),
                        Text.field(version, "passed") + "/" + Text.field(version, "asked"), Text.number(version, "passRate"),
                        drift.isObject() ? (drift.path("drifted").asBoolean() ? "DRIFTED: " : "no: ") + Text.field(drift, "reason") : "baseline run"));
            }
        }
        return Text.table(List.of("RUN", "STARTED", "VERSION", "PASSED", "PASS RATE", "DRIFT"), rows);
    }
}
