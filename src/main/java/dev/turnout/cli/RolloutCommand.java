package dev.turnout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code turnout rollout start | status | pause | resume | abort | promote}. */
@Command(name = "rollout", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Start, watch and steer progressive rollouts.",
        subcommands = {RolloutCommand.Start.class, RolloutCommand.Status.class, RolloutCommand.Pause.class,
                RolloutCommand.Resume.class, RolloutCommand.Abort.class, RolloutCommand.Promote.class})
public final class RolloutCommand extends CommandGroup {

    @Command(name = "start", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Start a rollout from its document (YAML or JSON).")
    static final class Start implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Option(names = "-f", required = true, paramLabel = "FILE", description = "The rollout: .yaml/.yml is sent as YAML, anything else as JSON.")
        Path file;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                String name = file.getFileName().toString();
                String type = name.endsWith(".yaml") || name.endsWith(".yml") ? "application/yaml" : AdminClient.JSON;
                AdminClient.Reply reply = client.write("POST", "admin/rollouts", type, Inputs.text(file), Map.of());
                if (!target.printJson(reply, out)) print(reply.json(), out);
                return 0;
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Every rollout, or one with its criteria.")
    static final class Status implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", arity = "0..1", paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get(id == null ? "admin/rollouts" : "admin/rollouts/" + Paths.segment(id));
                if (target.printJson(reply, out)) return 0;
                if (id != null) {
                    print(reply.json(), out);
                } else {
                    JsonNode list = reply.json();
                    List<List<String>> rows = new ArrayList<>();
                    list.path("rollouts").forEach(r -> rows.add(List.of(Text.field(r, "id"), Text.field(r, "alias"), Text.field(r, "candidate"),
                            Text.field(r, "state"), stepShown(r, null), Text.number(r, "weight"), Text.field(r, "reason"))));
                    out.print(Text.table(List.of("ID", "ALIAS", "CANDIDATE", "STATE", "STEP", "WEIGHT", "REASON"), rows));
                    if (list.path("unreadable").asInt() > 0) out.println("unreadable rollout documents: " + list.get("unreadable"));
                    if (list.path("stale").asBoolean()) out.println("STALE: the rollout store is unreachable: " + Text.field(list, "storeError"));
                }
                return 0;
            });
        }
    }

    /** Steps counted from 1, as the rollout's own reasons count them ("step 1 of 3"); -1 is the shadow phase. */
    static String stepShown(JsonNode rollout, JsonNode spec) {
        int step = rollout.path("step").asInt();
        if (step < 0) return "shadowing";
        return (step + 1) + (spec == null ? "" : " of " + spec.path("steps").size());
    }

    /** One rollout: its state and step, then how each criterion stands. */
    static void print(JsonNode rollout, java.io.PrintWriter out) {
        JsonNode spec = rollout.path("spec");
        out.println("rollout " + Text.field(rollout, "id") + ": " + Text.field(spec, "alias") + " -> " + Text.field(spec, "candidate"));
        out.println("state: " + Text.field(rollout, "state") + (rollout.path("stale").asBoolean() ? " (STALE)" : ""));
        out.println("step: " + stepShown(rollout, spec) + ", weight "
                + Text.number(rollout, "weight") + "%, served " + Text.number(rollout, "servedWeight") + "%");
        out.println("reason: " + Text.field(rollout, "reason"));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode criterion : rollout.path("criteria")) {
            JsonNode interval = criterion.path("interval");
            rows.add(List.of(Text.field(criterion, "criterion"), Text.number(criterion, "threshold"), Text.number(criterion, "candidate"),
                    Text.number(criterion, "baseline"), Text.number(criterion, "estimate"),
                    interval.isObject() ? "[" + Text.number(interval, "low") + ", " + Text.number(interval, "high") + "]" : "-",
                    Text.number(criterion, "pValue"), Text.field(criterion, "decision")));
        }
        if (rows.isEmpty()) out.println("criteria: not judged yet");
        else out.print(Text.table(List.of("CRITERION", "THRESHOLD", "CANDIDATE", "BASELINE", "ESTIMATE", "INTERVAL", "P", "DECISION"), rows));
    }

    /** What pause, resume, abort and promote share: one POST naming the action. */
    abstract static class Act implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "ID")
        String id;
        @Option(names = "--reason", description = "Why, recorded in the rollout's log.")
        String reason;

        abstract String action();

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.write("POST", "admin/rollouts/" + Paths.segment(id) + "/" + action(), AdminClient.JSON, null,
                        AdminTarget.reason(reason));
                if (!target.printJson(reply, out)) {
                    if (reply.status() == 202) out.println(action() + " accepted; the routes it implies are still being written");
                    print(reply.json(), out);
                }
                return 0;
            });
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Hold the rollout at its current weight.")
    static final class Pause extends Act {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(name = "resume", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Continue a paused rollout.")
    static final class Resume extends Act {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(name = "abort", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Stop and restore the baseline split.")
    static final class Abort extends Act {
        @Override
        String action() {
            return "abort";
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Send all traffic to the candidate now.")
    static final class Promote extends Act {
        @Override
        String action() {
            return "promote";
        }
    }
}
