package dev.turnout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.RouteCodec;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The one-line route changes an operator makes under pressure: roll back, set a split, pin a client. */
public final class ChangeCommands {

    static final String MERGE_PATCH = "application/merge-patch+json";

    private ChangeCommands() {}

    /** {@code path?dryRun=true} when asked: the server validates the write against its newest table and stores nothing. */
    static String dryRun(String path, boolean dryRun) {
        return dryRun ? path + "?dryRun=true" : path;
    }

    /** What a route write did: the server's JSON as is, a dry run's changes field by field, or {@code done} and the new revision. */
    static void printWrite(AdminTarget target, AdminClient.Reply reply, String done, PrintWriter out) {
        if (target.printJson(reply, out)) return;
        JsonNode body = reply.json();
        if (!body.path("dryRun").asBoolean()) {
            out.println(done + ": revision " + reply.revision());
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        body.path("changes").forEach(change -> rows.add(List.of(Text.field(change, "path"), Text.field(change, "from"), Text.field(change, "to"))));
        out.print(rows.isEmpty() ? "no change\n" : Text.table(List.of("FIELD", "FROM", "TO"), rows));
        out.println("dry run: nothing applied (current revision " + reply.revision() + ")");
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Roll forward to a copy of an older table (default: the previous revision), or restore one alias.")
    public static final class Rollback implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Option(names = "--to", paramLabel = "REV", description = "The revision to restore. Default: the one before the current (for --alias: before its last change).")
        Long to;
        @Option(names = "--alias", paramLabel = "A", description = "Restore this alias only.")
        String alias;
        @Option(names = "--reason", required = true, description = "Why, recorded in the history.")
        String reason;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                ObjectNode body = RouteCodec.JSON.createObjectNode().put("reason", reason);
                if (to != null) body.put("toRevision", to);
                String path = alias == null ? "admin/rollback" : "admin/aliases/" + Paths.segment(alias) + "/rollback";
                AdminClient.Reply reply = client.write("POST", path, AdminClient.JSON, body.toString(), Map.of());
                if (!target.printJson(reply, out)) out.println("rolled back" + (alias == null ? "" : " alias " + alias) + (to == null ? "" : " to revision " + to)
                        + ": now revision " + reply.revision());
                return 0;
            });
        }
    }

    @Command(name = "weights", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Set an alias's whole split: versions not named leave it.")
    public static final class Weights implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "ALIAS")
        String alias;
        @Parameters(index = "1..*", arity = "1..*", paramLabel = "VERSION=WEIGHT", description = "Every weight of the split, e.g. v1=90 v2=10.")
        Map<String, String> weights;
        @Option(names = "--reason", description = "Why, recorded in the history.")
        String reason;
        @Option(names = "--dry-run", description = "Print the changes it would make and change nothing.")
        boolean dryRun;

        /**
         * PATCH is a JSON merge patch, so a version left out would keep its weight: the split read
         * now is patched with every named weight and a null for every other version, guarded by the
         * revision read, so a split changed meanwhile is a conflict, not a silent mix.
         */
        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply routes = client.get("admin/routes");
                JsonNode before = routes.json().path("aliases").path(alias).path("split");
                ObjectNode split = RouteCodec.JSON.createObjectNode();
                before.fieldNames().forEachRemaining(split::putNull);
                for (Map.Entry<String, String> weight : weights.entrySet()) {
                    try {
                        split.put(weight.getKey(), Double.parseDouble(weight.getValue()));
                    } catch (NumberFormatException e) {
                        // The server validates the split; a weight that is not a number goes as text and is listed among its problems.
                        split.put(weight.getKey(), weight.getValue());
                    }
                }
                ObjectNode patch = RouteCodec.JSON.createObjectNode();
                patch.set("split", split);
                Map<String, String> headers = new LinkedHashMap<>(AdminTarget.reason(reason));
                headers.put("if-match", "\"" + routes.revision() + "\"");
                AdminClient.Reply reply = client.write("PATCH", dryRun("admin/aliases/" + Paths.segment(alias), dryRun),
                        MERGE_PATCH, patch.toString(), headers);
                if (target.json() || dryRun) {
                    printWrite(target, reply, alias, out);
                } else {
                    out.println(alias + ": " + (before.isMissingNode() ? "{}" : before.toString()) + " -> "
                            + reply.json().path("aliases").path(alias).path("split") + " (revision " + reply.revision() + ")");
                }
                return 0;
            });
        }
    }

    @Command(name = "pins", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Pin clients of an alias to a version (a pin wins over the split), or remove pins.")
    public static final class Pins implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "ALIAS")
        String alias;
        @Parameters(index = "1..*", arity = "0..*", paramLabel = "CLIENT=VERSION", description = "Pins to add or change, e.g. beta-tester-7=support-v2.")
        Map<String, String> pins = Map.of();
        @Option(names = "--unpin", paramLabel = "CLIENT", description = "A client whose pin is removed; repeatable.")
        List<String> unpin = List.of();
        @Option(names = "--reason", description = "Why, recorded in the history.")
        String reason;
        @Option(names = "--dry-run", description = "Print the changes it would make and change nothing.")
        boolean dryRun;

        /**
         * A merge patch of {@code pins} alone: every pin not named keeps its version, so no revision
         * guard is needed, and the store applies it to its newest table even if the split moved.
         */
        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                if (pins.isEmpty() && unpin.isEmpty()) throw AdminFailure.refused("name a pin (CLIENT=VERSION) or --unpin CLIENT");
                ObjectNode patch = RouteCodec.JSON.createObjectNode();
                ObjectNode changed = patch.putObject("pins");
                pins.forEach(changed::put);
                unpin.forEach(changed::putNull);
                AdminClient.Reply reply = client.write("PATCH", dryRun("admin/aliases/" + Paths.segment(alias), dryRun), MERGE_PATCH,
                        patch.toString(), AdminTarget.reason(reason));
                printWrite(target, reply, alias + " pins " + reply.json().path("aliases").path(alias).path("pins"), out);
                return 0;
            });
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "The route store, every instance and the revision each applies.")
    public static final class Status implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/status");
                if (target.printJson(reply, out)) return 0;
                JsonNode status = reply.json();
                JsonNode store = status.path("store");
                out.println("applied revision: " + Text.field(status, "appliedRevision"));
                out.println("store: " + Text.field(store, "kind") + ", " + (store.path("healthy").asBoolean() ? "healthy" : "UNHEALTHY")
                        + ", state " + Text.field(store, "state") + ", stored revision " + Text.field(store, "storedRevision")
                        + (store.hasNonNull("detail") ? " (" + store.get("detail").asText() + ")" : ""));
                store.path("corrupt").forEach(key -> out.println("  corrupt: " + key.asText()));
                if (status.has("rejected")) out.println("rejected: " + status.get("rejected"));
                out.println("converged: " + Text.field(status, "converged"));
                List<List<String>> rows = new java.util.ArrayList<>();
                status.path("instances").forEach(instance -> rows.add(List.of(Text.field(instance, "id"),
                        Text.field(instance, "appliedRevision"), Text.field(instance, "heartbeat"))));
                if (!rows.isEmpty()) out.print(Text.table(List.of("INSTANCE", "REVISION", "HEARTBEAT"), rows));
                return 0;
            });
        }
    }
}
