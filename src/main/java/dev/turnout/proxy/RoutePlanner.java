package dev.turnout.proxy;

import dev.turnout.route.Alias;
import dev.turnout.route.ModelVersion;
import dev.turnout.route.RouteTable;
import dev.turnout.route.VersionSelector;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

/**
 * Decides alias and version for one request, from one table snapshot. Pure: no I/O, no Vert.x;
 * request headers come in as a lookup function.
 * <pre>
 *   alias   = client's pinned alias, else the alias named by "model", else 404 model_not_found
 *   version = the alias's pin for this client, else rendezvous(split, sticky key)
 * </pre>
 */
public final class RoutePlanner {

    private final VersionSelector selector;

    public RoutePlanner(VersionSelector selector) {
        this.selector = selector;
    }

    /** The decision, or throws {@link PlanException} carrying the OpenAI error to send. */
    public RouteDecision plan(RouteTable table, ClientIdentity identity, InspectedRequest request,
                              UnaryOperator<String> header) {
        String aliasName = identity.pinnedAlias() != null ? identity.pinnedAlias() : request.model();
        Alias alias = table.alias(aliasName);
        if (alias == null) throw new PlanException(OpenAiError.modelNotFound(request.model()));
        if (identity.id() != null) {
            String pinned = alias.pins().get(identity.id());
            if (pinned != null) return new RouteDecision(alias, table.version(pinned), RouteDecision.Kind.PIN);
        }
        String versionId = selector.select(alias, stickyKey(alias, identity, request, header));
        ModelVersion version = table.version(versionId);
        return new RouteDecision(alias, version, RouteDecision.Kind.SPLIT);
    }

    /**
     * The key that keeps a caller on one version; random when the alias or the request has none.
     * {@code sticky: client} falls back to the bearer key's hash, so callers that send no client id
     * still stay put across requests (and across instances, which hash the same way).
     */
    static String stickyKey(Alias alias, ClientIdentity identity, InspectedRequest request,
                            UnaryOperator<String> header) {
        String key;
        switch (alias.sticky().kind()) {
            case CLIENT: key = identity.id() != null ? identity.id() : identity.keyHash(); break;
            case USER: key = request.user(); break;
            case HEADER: key = header.apply(alias.sticky().header()); break;
            default: key = null;
        }
        return key != null && !key.isEmpty() ? key : Long.toHexString(ThreadLocalRandom.current().nextLong());
    }

    /** A request that cannot be routed; carries the error for the client. */
    public static final class PlanException extends RuntimeException {
        private final OpenAiError error;
        private final long retryAfterSeconds;
        private final RouteDecision refused;

        public PlanException(OpenAiError error) {
            this(0, error, null);
        }

        /** @param refused the routed alias and version that could not serve, or null when nothing was routed */
        public PlanException(long retryAfterSeconds, OpenAiError error, RouteDecision refused) {
            super(error.message(), null, false, false);
            this.error = error;
            this.retryAfterSeconds = retryAfterSeconds;
            this.refused = refused;
        }

        /**
         * What the request was routed to before it was refused (a version whose breaker is open): its alias and
         * version come from the route table, so they may label metrics. Null for a model no alias serves.
         */
        public RouteDecision refused() {
            return refused;
        }

        /** For a {@code Retry-After} header; 0 when there is none to give. */
        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        public OpenAiError error() {
            return error;
        }
    }
}
