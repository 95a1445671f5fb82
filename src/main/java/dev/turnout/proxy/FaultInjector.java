package dev.turnout.proxy;

/**
 * A test seam: the data plane calls it at named stages of every request, and a test makes it
 * throw to prove that a failure at any stage still answers 500 and releases what the request
 * holds. Production runs with {@link #NONE}, a constant no-op the JIT inlines away.
 */
@FunctionalInterface
public interface FaultInjector {

    enum Stage { BODY_READ, INSPECT, PLAN, FORWARD_START, RESPONSE_RELAY }

    FaultInjector NONE = stage -> { };

    void at(Stage stage);
}
