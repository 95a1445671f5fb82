package dev.turnout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.RouteCodec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code turnout replays start | list | status | cancel}: recorded traffic sent again to a candidate.
 * Replays live in the memory of the instance that accepted them, so every call must reach that
 * instance's admin API (its own --admin URL), not any instance of the fleet.
 */
@Command(name = "replays", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
        description = "Replay recorded requests against a candidate and compare its answers with the recorded ones.",
        subcommands = {ReplayCommand.Start.class, ReplayCommand.ListAll.class, ReplayCommand.Status.class, ReplayCommand.Cancel.class})
public final class ReplayCommand extends CommandGroup {

    @Command(name = "start", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Start a replay on this instance.")
    static final class Start implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Option(names = "--alias", required = true, description = "Whose recorded requests to replay.")
        String alias;
        @Option(names = "--candidate", required = true, paramLabel = "VERSION", description = "The version to send them to.")
        String candidate;
        @Option(names = "--from", required = true, paramLabel = "INSTANT", description = "Recorded at or after this ISO-8601 instant, e.g. 2026-11-23T00:00:00Z.")
        String from;
        @Option(names = "--to", paramLabel = "INSTANT", description = "Recorded before this instant. Default: now.")
        String to;
        @Option(names = "--limit", paramLabel = "N", description = "At most this many exchanges (1..10000). Default: 1000.")
        Integer limit;
        @Option(names = "--rate", paramLabel = "PER_SECOND", description = "Requests a second (0.1..1000). Default: 10.")
        Double rate;
        @Option(names = "--noise-sample", paramLabel = "SHARE", description = "Share also sent to the recorded primary again (0..1). Default: 0.5.")
        Double noiseSample;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                // Options left out are left out of the body, so the server's defaults apply and it validates every value.
                ObjectNode body = RouteCodec.JSON.createObjectNode().put("alias", alias).put("candidate", candidate).put("from", from);
                if (to != null) body.put("to", to);
                if (limit != null) body.put("limit", limit);
                if (rate != null) body.put("ratePerSecond", rate);
                if (noiseSample != null) body.put("noiseSample", noiseSample);
                AdminClient.Reply reply = client.write("POST", "admin/replays", AdminClient.JSON, body.toString(), Map.of());
                if (!target.printJson(reply, out)) print(reply.json(), out);
                return 0;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Every replay kept (the whole fleet's with a Redis store), oldest first.")
    static final class ListAll implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/replays");
                if (target.printJson(reply, out)) return 0;
                List<List<String>> rows = new ArrayList<>();
                reply.json().path("replays").forEach(replay -> rows.add(List.of(Text.field(replay, "id"), Text.field(replay, "alias"),
                        Text.field(replay, "candidate"), Text.field(replay, "state"), Text.field(replay.path("counts"), "sent"),
                        Text.field(replay.path("counts"), "compared"), Text.field(replay, "startedAt"))));
                out.print(rows.isEmpty() ? "no replays\n"
                        : Text.table(List.of("ID", "ALIAS", "CANDIDATE", "STATE", "SENT", "COMPARED", "STARTED"), rows));
                return 0;
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "One replay: state, counts and its diff report.")
    static final class Status implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/replays/" + Paths.segment(id));
                if (!target.printJson(reply, out)) print(reply.json(), out);
                return 0;
            });
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Send nothing more; what is out still ends and is compared.")
    static final class Cancel implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.write("POST", "admin/replays/" + Paths.segment(id) + "/cancel", AdminClient.JSON, null, Map.of());
                if (!target.printJson(reply, out)) print(reply.json(), out);
                return 0;
            });
        }
    }

    /** One replay: what it replays, its state and counts, then its entries of the diff report. */
    static void print(JsonNode replay, PrintWriter out) {
        out.println("replay " + Text.field(replay, "id") + ": " + Text.field(replay, "alias") + " -> " + Text.field(replay, "candidate")
                + ", recorded " + Text.field(replay, "from") + " to " + Text.field(replay, "to"));
        out.println("state: " + Text.field(replay, "state") + (replay.hasNonNull("reason") ? " (" + replay.get("reason").asText() + ")" : ""));
        List<String> counts = new ArrayList<>();
        replay.path("counts").fields().forEachRemaining(count -> counts.add(count.getKey() + "=" + count.getValue().asText()));
        out.println("counts: " + String.join(" ", counts));
        String report = WatchCommands.report(replay.path("diffs"), null);
        out.print(report.isEmpty() ? "no pairs compared yet\n" : report);
        // With Redis (replays carry their instance) the pairs may have been compared elsewhere: the fleet has them all.
        out.println("samples: turnout diffs samples --alias " + Text.field(replay, "diffAlias") + (replay.has("instance") ? " --fleet" : ""));
    }
}
