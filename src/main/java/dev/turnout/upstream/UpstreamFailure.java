package dev.turnout.upstream;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/**
 * Why an exchange with an upstream failed, one classification for primaries and shadows. The
 * label is the error class shadows record in the diff report.
 */
public enum UpstreamFailure {
    /** Silent too long: before the headers, between chunks, or past the whole exchange's limit. */
    TIMEOUT("timeout"),
    /** No connection could be made (refused, connect timeout). */
    CONNECT("connect"),
    /** The connection broke, or the upstream spoke something that is not HTTP, after connecting. */
    RESET("reset");

    private final String label;

    UpstreamFailure(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public static UpstreamFailure of(Throwable error) {
        if (error instanceof TimeoutException) return TIMEOUT;
        if (error instanceof ConnectException) return CONNECT;
        return RESET;
    }

    /**
     * What an operator needs to know about {@code error}, for logs only: it may name hosts, ports
     * and paths of upstreams, which clients must not see.
     */
    public static String detail(Throwable error) {
        String message = error.getMessage();
        return message == null ? error.getClass().getSimpleName() : error.getClass().getSimpleName() + ": " + message;
    }
}
