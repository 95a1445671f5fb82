package dev.turnout.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code turnout aliases | versions  get | put | delete}: one entry of the route table at a time,
 * in the shape {@code PUT /admin/aliases/{name}} and {@code PUT /admin/versions/{id}} take, so an
 * operator can add a version or an alias without rewriting the whole table.
 */
public final class EntryCommands {

    private EntryCommands() {}

    @Command(name = "aliases", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Read, write or remove one alias (split, sticky, pins, shadow, fallback).",
            subcommands = {AliasGet.class, AliasPut.class, AliasDelete.class})
    public static final class Aliases extends CommandGroup {}

    @Command(name = "versions", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Read, write or remove one version (url, model, apiKeyEnv, ...).",
            subcommands = {VersionGet.class, VersionPut.class, VersionDelete.class})
    public static final class Versions extends CommandGroup {}

    /** What get, put and delete of either kind share: the entry's name and its admin path. */
    abstract static class Entry implements Callable<Integer> {
        @Mixin
        AdminTarget target;
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        /** "aliases" or "versions": the path segment, as the route table names its sections. */
        abstract String section();

        String path() {
            return "admin/" + section() + "/" + Paths.segment(name);
        }

        String noun() {
            return section().equals("aliases") ? "alias" : "version";
        }
    }

    abstract static class Get extends Entry {
        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.get(path());
                out.print(target.json() ? reply.body() + "\n" : Text.yaml(reply.json()));
                return 0;
            });
        }
    }

    abstract static class Put extends Entry {
        @Option(names = "-f", required = true, paramLabel = "FILE", description = "The entry, YAML or JSON, as get prints it.")
        Path file;
        @Option(names = "--reason", description = "Why, recorded in the history.")
        String reason;
        @Option(names = "--dry-run", description = "Print the changes it would make and change nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                String body = Inputs.tree(file, "a mapping").toString();
                AdminClient.Reply reply = client.write("PUT", ChangeCommands.dryRun(path(), dryRun), AdminClient.JSON, body,
                        AdminTarget.reason(reason));
                ChangeCommands.printWrite(target, reply, noun() + " " + name + " stored", out);
                return 0;
            });
        }
    }

    abstract static class Delete extends Entry {
        @Option(names = "--reason", description = "Why, recorded in the history.")
        String reason;
        @Option(names = "--dry-run", description = "Print the changes it would make and change nothing.")
        boolean dryRun;

        @Override
        public Integer call() {
            return target.execute((client, out) -> {
                AdminClient.Reply reply = client.write("DELETE", ChangeCommands.dryRun(path(), dryRun), AdminClient.JSON, null,
                        AdminTarget.reason(reason));
                ChangeCommands.printWrite(target, reply, noun() + " " + name + " removed", out);
                return 0;
            });
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Print one alias (YAML, or -o json).")
    static final class AliasGet extends Get {
        @Override
        String section() {
            return "aliases";
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Create or replace one alias.")
    static final class AliasPut extends Put {
        @Override
        String section() {
            return "aliases";
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Remove one alias (refused while a client is bound to it).")
    static final class AliasDelete extends Delete {
        @Override
        String section() {
            return "aliases";
        }
    }

    @Command(name = "get", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Print one version (YAML, or -o json).")
    static final class VersionGet extends Get {
        @Override
        String section() {
            return "versions";
        }
    }

    @Command(name = "put", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1, description = "Create or replace one version.")
    static final class VersionPut extends Put {
        @Override
        String section() {
            return "versions";
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = 1,
            description = "Remove one version (refused, naming every use, while an alias still uses it).")
    static final class VersionDelete extends Delete {
        @Override
        String section() {
            return "versions";
        }
    }
}
