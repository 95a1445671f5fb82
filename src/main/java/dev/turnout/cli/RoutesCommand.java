package dev.turnout.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.RouteCodec;
import dev.turnout.route.RoutePolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code turnout routes get | apply | history | diff}. */
@Command(name = "routes", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Read, change and audit the route table.",
        subcommands = {RoutesCommand.Get.class, RoutesCommand.Apply.class, RoutesCommand.History.class, RoutesCommand.Diff.class})
public final class RoutesCommand extends CommandGroup {

    @Command(name = "get", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Print the current route table (YAML, or -o json).")
    static final class Get implements Callable<Integer> {
        @Mixin
        AdminTarget target;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/routes");
                out.print(target.json() ? reply.body() + "\n" : Text.yaml(reply.json()));
                return 0;
            });
        }
    }

    @Command(name = "apply", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Show the change a routes file makes to the current table, then write it if the table has not moved since it was read.")
    static final class Apply implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Option(names = "-f", required = true, paramLabel = "FILE", description = "The whole route table, YAML or JSON.")
        Path file;
        @Option(names = "--dry-run", description = "Print the diff and change nothing.")
        boolean dryRun;
        @Option(names = "--reason", description = "Why, recorded in the history.")
        String reason;
        @Option(names = "--expect-revision", paramLabel = "REV",
                description = "Write only if the store still holds this revision (the one a --dry-run showed); default: the one read now.")
        Long expectRevision;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                JsonNode wanted = read(file);
                AdminClient.Reply current = client.get("admin/routes");
                long base = expectRevision != null ? expectRevision : current.revision();
                String diff = Text.diff("routes (revision " + current.revision() + ")", Text.routesYaml(current.json()),
                        file.toString(), Text.routesYaml(normalized(wanted)));
                if (diff.isEmpty()) {
                    out.println("no change: " + file + " matches revision " + current.revision());
                    return 0;
                }
                out.print(diff);
                if (dryRun) {
                    out.println("dry run: nothing applied (current revision " + current.revision() + ")");
                    return 0;
                }
                Map<String, String> headers = new HashMap<>(AdminTarget.reason(reason));
                headers.put("if-match", "\"" + base + "\"");
                AdminClient.Reply written;
                try {
                    written = client.write("PUT", "admin/routes", AdminClient.JSON, wanted.toString(), headers);
                } catch (AdminFailure failure) {
                    if (failure.status() != 409) throw failure;
                    throw AdminFailure.refused("someone changed the routes meanwhile: this change was made against revision " + base
                            + ", the store now holds another (" + failure.getMessage() + "); nothing was applied, run again to see the new diff");
                }
                if (!target.printJson(written, out)) out.println("applied: revision " + written.revision());
                return 0;
            });
        }

        /** As the gateway renders it (defaults filled in), so the diff shows changes, not spelling; as written when it does not read. */
        private static JsonNode normalized(JsonNode document) {
            try {
                return RouteCodec.toTree(RouteCodec.fromTree(document, RoutePolicy.UNRESERVED));
            } catch (RuntimeException invalid) {
                return document; // the server lists its problems when it is sent
            }
        }
    }

    @Command(name = "history", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Recent revisions: who changed what, when and why.")
    static final class History implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Option(names = "--limit", defaultValue = "20", description = "Revisions to list, newest first. Default: ${DEFAULT-VALUE}.")
        int limit;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get("admin/history?limit=" + limit);
                if (target.printJson(reply, out)) return 0;
                List<List<String>> rows = new ArrayList<>();
                for (JsonNode entry : reply.json()) {
                    rows.add(List.of(Text.field(entry, "revision"), Text.field(entry, "time"), Text.field(entry, "author"),
                            Text.field(entry, "action"), Text.field(entry, "reason")));
                }
                out.print(Text.table(List.of("REVISION", "TIME", "AUTHOR", "ACTION", "REASON"), rows));
                return 0;
            });
        }
    }

    @Command(name = "diff", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "The change between two revisions' route tables.")
    static final class Diff implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "REV", description = "The older revision.")
        long from;
        @Parameters(index = "1", arity = "0..1", paramLabel = "REV2", description = "The newer revision. Default: the current one.")
        Long to;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                JsonNode older = client.get("admin/history/" + from).json().path("routes");
                JsonNode newer;
                String newerLabel;
                if (to == null) {
                    AdminClient.Reply current = client.get("admin/routes");
                    newer = current.json();
                    newerLabel = "revision " + current.revision() + " (current)";
                } else {
                    newer = client.get("admin/history/" + to).json().path("routes");
                    newerLabel = "revision " + to;
                }
                String diff = Text.diff("revision " + from, Text.routesYaml(older), newerLabel, Text.routesYaml(newer));
                out.print(diff.isEmpty() ? "no change between revision " + from + " and " + newerLabel + "\n" : diff);
                return 0;
            });
        }
    }

    /** A routes file as a tree without its revision: the If-Match the command sends guards the write, not the file. */
    static JsonNode read(Path file) {
        ObjectNode node = Inputs.tree(file, "a route table (an object with versions and aliases)");
        node.remove("revision");
        return node;
    }
}
