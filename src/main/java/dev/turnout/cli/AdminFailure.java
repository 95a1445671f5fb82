package dev.turnout.cli;

import java.util.List;

/**
 * Why a command could not do what it was asked, with the exit code scripts branch on: 1 when the
 * admin API refused (a 4xx: the request is wrong, or the state moved), 2 when it could not answer
 * (unreachable, timed out, 5xx), so a retry loop can tell "fix your input" from "try again".
 *
 * @param status the HTTP status, 0 when no answer came
 * @param problems every problem the server listed (422 validation), printed one per line
 */
final class AdminFailure extends RuntimeException {

    private final int exitCode;
    private final int status;
    private final List<String> problems;

    AdminFailure(int exitCode, int status, String message, List<String> problems) {
        super(message);
        this.exitCode = exitCode;
        this.status = status;
        this.problems = List.copyOf(problems);
    }

    static AdminFailure refused(String message) {
        return new AdminFailure(1, 0, message, List.of());
    }

    int exitCode() {
        return exitCode;
    }

    int status() {
        return status;
    }

    List<String> problems() {
        return problems;
    }
}
