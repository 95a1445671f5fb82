package dev.turnout.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options every admin command shares: where the admin API is, who is asking, how to print. The
 * token is read from an environment variable only, never from the command line, where any user of
 * the machine could read it in the process list and shell history.
 */
public final class AdminTarget {

    static final String DEFAULT_URL = "http://127.0.0.1:8081";

    /** What a command does with the client; returns its exit code. */
    @FunctionalInterface
    interface Action {
        int run(AdminClient client, PrintWriter out);
    }

    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--admin", paramLabel = "URL",
            description = "Admin API base URL. Default: $TURNOUT_ADMIN_URL, else " + DEFAULT_URL + ".")
    String admin;

    @Option(names = "--token-env", paramLabel = "NAME", defaultValue = "TURNOUT_ADMIN_TOKEN",
            description = "Environment variable holding the admin token (never given on the command line). Default: ${DEFAULT-VALUE}.")
    String tokenEnv;

    @Option(names = "--author", description = "Recorded with every change. Default: $USER.")
    String author;

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT",
            description = "table (default), yaml (routes get's default; elsewhere a table) or json: the server's JSON as is, for scripts.")
    String output;

    boolean json() {
        return "json".equals(output);
    }

    /** With {@code -o json}: prints the server's JSON as is and answers true; otherwise prints nothing. */
    boolean printJson(AdminClient.Reply reply, PrintWriter out) {
        if (!json()) return false;
        out.println(reply.body());
        return true;
    }

    AdminClient client() {
        String url = admin != null ? admin : System.getenv("TURNOUT_ADMIN_URL");
        URI base = URI.create((url == null || url.isBlank() ? DEFAULT_URL : url).replaceAll("/+$", "") + "/");
        String token = System.getenv(tokenEnv);
        String who = author != null ? author : System.getenv("USER");
        return new AdminClient(base, token == null || token.isBlank() ? null : token, who);
    }

    /** Runs {@code action}; a failure prints what failed and every problem listed, and sets the exit code. */
    int execute(Action action) {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (output != null && !output.equals("json") && !output.equals("table") && !output.equals("yaml")) {
            err.println("turnout: -o takes table, yaml or json, got '" + output + "'");
            err.flush();
            return 1;
        }
        try {
            return action.run(client(), out);
        } catch (AdminFailure failure) {
            err.println("turnout: " + failure.getMessage());
            failure.problems().forEach(problem -> err.println("  - " + problem));
            return failure.exitCode();
        } finally {
            out.flush();
            err.flush();
        }
    }

    static Map<String, String> reason(String reason) {
        return reason == null ? Map.of() : Map.of("x-turnout-reason", reason);
    }
}
