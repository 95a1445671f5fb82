package dev.turnout.proxy;

/** How a routed request ended: the {@code outcome} label of {@code turnout_requests_total} and the access log. */
enum Outcome {
    /** The upstream answered 1xx-3xx and the whole answer reached the client. */
    OK("ok"),
    /** The upstream answered 4xx, relayed as it was. */
    CLIENT_ERROR("client_error"),
    /** The upstream answered 5xx, relayed as it was. */
    UPSTREAM_ERROR("upstream_error"),
    /** The upstream stayed silent longer than {@code timeoutMs}, or the exchange passed {@code totalTimeoutMs}. */
    TIMEOUT("timeout"),
    /** No connection to the upstream could be made. */
    UNREACHABLE("unreachable"),
    /** The upstream connection broke before the answer's headers. */
    FAILED("failed"),
    /** The upstream connection broke after the answer's headers. */
    INTERRUPTED("interrupted"),
    /** The client hung up first; not held against the upstream. */
    CLIENT_CLOSED("client_closed"),
    /** The gateway itself failed while handling the call: answered 500, everything it held released. */
    INTERNAL_ERROR("internal_error");

    private final String label;

    Outcome(String label) {
        this.label = label;
    }

    String label() {
        return label;
    }

    static Outcome ofStatus(int status) {
        return status < 400 ? OK : status < 500 ? CLIENT_ERROR : UPSTREAM_ERROR;
    }
}
