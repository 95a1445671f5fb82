package dev.turnout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.route.RouteCodec;
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

    @Command(name = "diffs", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "The shadow diff report: how each candidate's answers differ from its primary's.",
            subcommands = DiffSamples.class)
    public static final class Diffs implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", arity = "0..1", paramLabel = "ALIAS", description = "Only this alias.")
        String alias;
        @Option(names = "--fleet", description = "Every instance's pairs, read from the Redis diff stream (the store must be Redis);"
                + " without it, only the instance the admin URL reaches.")
        boolean fleet;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get(fleet ? "admin/diffs?scope=fleet" : "admin/diffs");
                if (target.printJson(reply, out)) return 0;
                String report = report(reply.json().path("candidates"), alias);
                out.print(report.isEmpty() ? "no shadow pairs" + (alias == null ? "" : " for alias " + alias) + " yet\n" : report);
                if (fleet) out.print(fleetLine(reply.json().path("fleet")));
                return 0;
            });
        }
    }

    /** What a fleet report stands on: the stream entries read, and whether the read's cap cut older ones off. */
    static String fleetLine(JsonNode fleet) {
        return "fleet: " + Text.field(fleet, "entries") + " stream entries read"
                + (fleet.path("unreadable").asLong() > 0 ? ", " + Text.field(fleet, "unreadable") + " unreadable (skipped)" : "")
                + (fleet.path("truncated").asBoolean() ? "; capped, older pairs left out" : "") + "\n";
    }

    /**
     * Diff report entries as a table with each entry's summary under it, or "" when none is left
     * (only {@code alias}'s when it is not null). Shadows and replays ({@code replay:<id>}) share it.
     */
    static String report(JsonNode candidates, String alias) {
        List<List<String>> rows = new ArrayList<>();
        List<String> summaries = new ArrayList<>();
        for (JsonNode entry : candidates) {
            if (alias != null && !alias.equals(entry.path("alias").asText())) continue;
            List<String> verdicts = new ArrayList<>();
            entry.path("verdicts").fields().forEachRemaining(verdict -> verdicts.add(verdict.getKey() + "=" + verdict.getValue().asText()));
            rows.add(List.of(Text.field(entry, "alias"), Text.field(entry, "primary"), Text.field(entry, "candidate"),
                    Text.field(entry, "pairs"), String.join(" ", verdicts), Text.field(entry, "differsBeyondNoise")));
            if (entry.hasNonNull("summary")) {
                summaries.add(entry.path("alias").asText() + " " + entry.path("candidate").asText() + ": " + entry.get("summary").asText());
            }
        }
        if (rows.isEmpty()) return "";
        return Text.table(List.of("ALIAS", "PRIMARY", "CANDIDATE", "PAIRS", "VERDICTS", "BEYOND NOISE"), rows)
                + summaries.stream().map(summary -> summary + "\n").collect(java.util.stream.Collectors.joining());
    }

    @Command(name = "samples", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Recent shadow or replay pairs side by side, newest (or least similar) first.")
    static final class DiffSamples implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Option(names = "--alias", description = "Only this alias (a replay's is replay:<id>).")
        String alias;
        @Option(names = "--primary", description = "Only pairs against this primary version.")
        String primary;
        @Option(names = "--candidate", description = "Only this candidate version.")
        String candidate;
        @Option(names = "--verdict", description = "Only this verdict (e.g. different).")
        String verdict;
        @Option(names = "--kind", description = "Only this kind of pair (candidate or noise).")
        String kind;
        @Option(names = "--sort", description = "newest (default) or least_similar.")
        String sort;
        @Option(names = "--limit", defaultValue = "5", description = "Pairs to show, 1 to 100. Default: ${DEFAULT-VALUE}.")
        int limit;
        @Option(names = "--fleet", description = "From every instance's pairs in the Redis diff stream, not only this instance's.")
        boolean fleet;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                // The server checks every filter's value and names the ones it takes; the CLI only passes them on.
                StringBuilder query = new StringBuilder("admin/diffs/samples?limit=" + limit);
                Map<String, String> filters = new java.util.LinkedHashMap<>();
                filters.put("alias", alias);
                filters.put("primary", primary);
                filters.put("candidate", candidate);
                filters.put("verdict", verdict);
                filters.put("kind", kind);
                filters.put("sort", sort);
                filters.put("scope", fleet ? "fleet" : null);
                filters.forEach((name, value) -> {
                    if (value != null) query.append('&').append(name).append('=').append(Paths.segment(value));
                });
                AdminClient.Reply reply = client.get(query.toString());
                if (target.printJson(reply, out)) return 0;
                JsonNode samples = reply.json();
                if (samples.isEmpty()) {
                    out.println("no samples match");
                    return 0;
                }
                List<List<String>> rows = new ArrayList<>();
                samples.forEach(sample -> rows.add(List.of(Text.field(sample, "id"), Text.field(sample, "time"), Text.field(sample, "alias"),
                        Text.field(sample, "primary"), Text.field(sample, "candidate"), Text.field(sample, "kind"),
                        Text.field(sample.path("metrics"), "verdict"), Text.number(sample.path("metrics"), "similarity"))));
                out.print(Text.table(List.of("ID", "TIME", "ALIAS", "PRIMARY", "CANDIDATE", "KIND", "VERDICT", "SIMILARITY"), rows));
                // The texts are what an operator reads the samples for; redacted reports hold none.
                for (JsonNode sample : samples) {
                    if (!sample.has("primaryText") && !sample.has("candidateText")) continue;
                    out.println();
                    out.println(Text.field(sample, "id") + " request:   " + Text.field(sample, "request"));
                    out.println(Text.field(sample, "id") + " primary:   " + Text.field(sample, "primaryText"));
                    out.println(Text.field(sample, "id") + " candidate: " + Text.field(sample, "candidateText"));
                }
                return 0;
            });
        }
    }

    @Command(name = "golden", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Golden sets: the prompts probes ask, with the check for each answer.",
            subcommands = {GoldenList.class, GoldenGet.class, GoldenPut.class, GoldenDelete.class})
    public static final class Golden extends CommandGroup {}

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
                if (!target.printJson(reply, out)) out.println("golden set " + name + ": " + Text.field(reply.json(), "items") + " items stored");
                return 0;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "The names of every golden set.")
    static final class GoldenList implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/golden-sets");
                if (target.printJson(reply, out)) return 0;
                List<List<String>> rows = new ArrayList<>();
                reply.json().path("names").forEach(name -> rows.add(List.of(name.asText())));
                out.print(rows.isEmpty() ? "no golden sets\n" : Text.table(List.of("NAME"), rows));
                return 0;
            });
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Print a golden set as JSON Lines, as put takes it (whatever -o says: it is not one JSON document).")
    static final class GoldenGet implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                String body = client.get("admin/golden-sets/" + Paths.segment(name)).body();
                out.print(body.endsWith("\n") ? body : body + "\n");
                return 0;
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Remove a golden set.")
    static final class GoldenDelete implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                // 204 and no body: there is no server JSON for -o json to print, so the line is the same either way.
                client.write("DELETE", "admin/golden-sets/" + Paths.segment(name), AdminClient.JSON, null, Map.of());
                out.println("golden set " + name + " removed");
                return 0;
            });
        }
    }

    @Command(name = "probes", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Probes: a golden set asked of versions, now or on a schedule, watched for drift.",
            subcommands = {ProbesList.class, ProbesPut.class, ProbesRun.class, ProbesResults.class, ProbesBaseline.class, ProbesDelete.class})
    public static final class Probes extends CommandGroup {}

    @Command(name = "list", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Every probe.")
    static final class ProbesList implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/probes");
                if (target.printJson(reply, out)) return 0;
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
                if (!target.printJson(reply, out)) out.print(runs(List.of(reply.json())));
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
        @Option(names = "--limit", paramLabel = "N", description = "Runs to show, newest first. Default: every kept run.")
        Integer limit;
        @Option(names = "--items", description = "With -o json: each item's outcome and answer too.")
        boolean items;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                String query = (limit == null ? "" : "&limit=" + limit) + (items ? "&items=true" : "");
                AdminClient.Reply reply = client.get("admin/probes/" + Paths.segment(name) + "/results" + query.replaceFirst("^&", "?"));
                if (target.printJson(reply, out)) return 0;
                List<JsonNode> runs = new ArrayList<>();
                reply.json().path("runs").forEach(runs::add);
                out.print(runs.isEmpty() ? "probe " + name + " has not run yet\n" : runs(runs));
                return 0;
            });
        }
    }

    @Command(name = "baseline", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Pin a kept run as a version's baseline: later runs are judged for drift against it.")
    static final class ProbesBaseline implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Option(names = "--version", required = true, paramLabel = "VERSION")
        String version;
        @Option(names = "--run", required = true, paramLabel = "RUN", description = "A kept run's id (probes results lists them).")
        String run;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                String body = RouteCodec.JSON.createObjectNode().put("version", version).put("run", run).toString();
                AdminClient.Reply reply = client.write("POST", "admin/probes/" + Paths.segment(name) + "/baseline", AdminClient.JSON, body, Map.of());
                if (!target.printJson(reply, out)) {
                    out.println("probe " + name + ": the baseline of " + version + " is now run " + run);
                    out.print(runs(List.of(reply.json())));
                }
                return 0;
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Remove a probe.")
    static final class ProbesDelete implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                // 204 and no body, as golden delete.
                client.write("DELETE", "admin/probes/" + Paths.segment(name), AdminClient.JSON, null, Map.of());
                out.println("probe " + name + " removed");
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
