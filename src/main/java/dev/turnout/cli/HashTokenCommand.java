package dev.turnout.cli;

import dev.turnout.config.TokenHash;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code turnout hash-token}: prints the SHA-256 that {@code admin.tokens[].sha256} wants. The token comes from
 * stdin, never from an argument, so it stays out of shell history and the process list.
 */
@Command(name = "hash-token", mixinStandardHelpOptions = true,
        description = "Read an admin token from stdin (first line) and print its SHA-256 hex for admin.tokens.")
public final class HashTokenCommand implements Callable<Integer> {

    private final InputStream in;
    private final PrintStream out;
    private final PrintStream err;

    public HashTokenCommand() {
        this(System.in, System.out, System.err);
    }

    HashTokenCommand(InputStream in, PrintStream out, PrintStream err) {
        this.in = in;
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() throws IOException {
        String line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        // Trimmed as the admin API trims the Bearer value, so the hash matches what a client sends.
        String token = line == null ? "" : line.trim();
        if (token.isEmpty()) {
            err.println("No token on stdin: pipe one in, e.g. 'turnout hash-token < token.txt'.");
            return 2;
        }
        out.println(TokenHash.sha256Hex(token));
        return 0;
    }
}
