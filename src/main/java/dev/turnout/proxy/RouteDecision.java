package dev.turnout.proxy;

import dev.turnout.route.Alias;
import dev.turnout.route.ModelVersion;

/**
 * Where one request goes and why: {@code pin} (the alias pins this client), {@code split}
 * (rendezvous over the weights) or {@code fallback} (the chosen version was unavailable).
 */
public record RouteDecision(Alias alias, ModelVersion version, Kind kind) {

    public enum Kind {
        PIN("pin"), SPLIT("split"), FALLBACK("fallback");

        private final String header;

        Kind(String header) {
            this.header = header;
        }

        /** The value of the {@code x-turnout-decision} response header. */
        public String header() {
            return header;
        }
    }
}
