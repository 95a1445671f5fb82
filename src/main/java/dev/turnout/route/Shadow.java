package dev.turnout.route;

import static java.util.Objects.requireNonNull;

/** A candidate version that receives a copy of a {@code sample} share of an alias's requests. */
public record Shadow(String version, double sample) {
    public Shadow {
        requireNonNull(version, "version");
    }
}
