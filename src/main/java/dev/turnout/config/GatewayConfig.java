package dev.turnout.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@code serve} needs, as read from {@code conf/turnout.yaml} and then the
 * {@code TURNOUT_*} environment. Immutable; built and validated by {@link ConfigLoader}.
 */
public record GatewayConfig(Server server, Admin admin, Store store, Shadow shadow, Diffs diffs, Path routes,
        Rollouts rollouts, Recording recording) {

    public GatewayConfig(Server server, Admin admin, Store store, Shadow shadow, Diffs diffs, Path routes) {
        this(server, admin, store, shadow, diffs, routes, Rollouts.defaults());
    }

    public GatewayConfig(Server server, Admin admin, Store store, Shadow shadow, Diffs diffs, Path routes,
            Rollouts rollouts) {
        this(server, admin, store, shadow, diffs, routes, rollouts, Recording.defaults());
    }

    public GatewayConfig {
        requireNonNull(rollouts, "rollouts");
        requireNonNull(recording, "recording");
        requireNonNull(server, "server");
        requireNonNull(admin, "admin");
        requireNonNull(store, "store");
        requireNonNull(shadow, "shadow");
        requireNonNull(diffs, "diffs");
        requireNonNull(routes, "routes");
    }

    /**
     * The data plane.
     *
     * @param eventLoops 0 means one per core, Vert.x's default
     * @param clientAuth when true, every request must carry a client key listed in the route table
     * @param headerTimeoutMs a connection must deliver a request's line and headers within this, or it is closed
     * @param bodyTimeoutMs a request body must arrive whole within this after its headers, or the request gets 408
     * @param idleTimeoutMs a connection with nothing read or written for this long is closed
     * @param maxBufferedBytes request-body bytes buffered across all connections at once; 0 means a quarter of the
     *     maximum heap. A request that would go beyond it gets 503 {@code overloaded} with {@code Retry-After}
     * @param maxConnections client connections open at once; a connection beyond it is closed on arrival
     * @param apiKeyEnvAllowed glob patterns ({@code *} and {@code ?}) of the environment variables a version's
     *     {@code apiKeyEnv} may name; the gateway's own {@code TURNOUT_*} settings never match
     */
    public record Server(String host, int port, long maxBodyBytes, boolean clientAuth, int eventLoops,
            long headerTimeoutMs, long bodyTimeoutMs, long idleTimeoutMs, long maxBufferedBytes, int maxConnections,
            List<String> apiKeyEnvAllowed) {

        public Server {
            requireNonNull(host, "host");
            if (maxConnections <= 0) throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
            apiKeyEnvAllowed = List.copyOf(requireNonNull(apiKeyEnvAllowed, "apiKeyEnvAllowed"));
        }

        /** The basic settings with every limit at its default. */
        public Server(String host, int port, long maxBodyBytes, boolean clientAuth, int eventLoops) {
            this(host, port, maxBodyBytes, clientAuth, eventLoops, 10_000, 30_000, 120_000, 0, 10_000, List.of("*_API_KEY"));
        }

        public static Server defaults() {
            return new Server("0.0.0.0", 8080, 4L << 20, false, 0);
        }

        /** {@link #maxBufferedBytes} with 0 resolved against this JVM's maximum heap. */
        public long effectiveMaxBufferedBytes() {
            return maxBufferedBytes > 0 ? maxBufferedBytes : Runtime.getRuntime().maxMemory() / 4;
        }
    }

    /**
     * The admin API; without a token it may only bind to loopback.
     *
     * @param token the single legacy token ({@code TURNOUT_ADMIN_TOKEN}): a write token named {@code admin}
     * @param allowedOrigins browser origins (e.g. {@code https://console.example.com}) whose requests may reach
     *     the admin API; a request carrying any other {@code Origin} is refused
     * @param tokens named tokens, stored as hashes only so a leaked config file leaks no credential, each named
     *     so that history records who made a change rather than whatever a caller claims
     */
    public record Admin(String host, int port, String token, List<String> allowedOrigins, List<Token> tokens) {

        /** The name history records for changes made with the legacy {@link #token()}. */
        public static final String LEGACY_TOKEN_NAME = "admin";

        public Admin {
            allowedOrigins = List.copyOf(requireNonNull(allowedOrigins, "allowedOrigins"));
            tokens = List.copyOf(requireNonNull(tokens, "tokens"));
        }

        public Admin(String host, int port, String token, List<String> allowedOrigins) {
            this(host, port, token, allowedOrigins, List.of());
        }

        public Admin(String host, int port, String token) {
            this(host, port, token, List.of());
        }

        public static Admin defaults() {
            return new Admin("127.0.0.1", 8081, null);
        }

        /** Whether requests must authenticate: a legacy token or any named one is configured. */
        public boolean hasToken() {
            return (token != null && !token.isEmpty()) || !tokens.isEmpty();
        }

        /** Every token a request may present: the named ones, then the legacy one as a write token named {@code admin}. */
        public List<Token> credentials() {
            if (token == null || token.isEmpty()) return tokens;
            List<Token> all = new java.util.ArrayList<>(tokens);
            all.add(new Token(LEGACY_TOKEN_NAME, TokenHash.sha256Hex(token), Role.WRITE));
            return List.copyOf(all);
        }

        @Override
        public String toString() {
            return "Admin[host=" + host + ", port=" + port + ", token=" + (token != null && !token.isEmpty() ? "<set>" : "<none>")
                    + ", allowedOrigins=" + allowedOrigins + ", tokens=" + tokens + "]";
        }

        /** What a token may do: {@code read} only looks (GET, HEAD, OPTIONS); {@code write} may change things too. */
        public enum Role {
            READ, WRITE;

            public String label() {
                return name().toLowerCase(java.util.Locale.ROOT);
            }
        }

        /**
         * One named admin token.
         *
         * @param sha256 the lowercase hex SHA-256 of the token ({@code turnout hash-token} prints it)
         */
        public record Token(String name, String sha256, Role role) {

            public Token {
                requireNonNull(name, "name");
                requireNonNull(sha256, "sha256");
                requireNonNull(role, "role");
            }

            /** Name and role only: even a hash has no business in a log line. */
            @Override
            public String toString() {
                return name + "(" + role.label() + ")";
            }
        }
    }

    /**
     * Where the route table lives: {@code memory} (one instance) or {@code redis} (many).
     *
     * @param commandTimeoutMs every Redis command fails after this long (the data plane never waits on one)
     * @param maxQueuedCommands commands a Redis connection may hold unsent (while Redis is slow or gone);
     *     beyond it commands fail at once and are counted, never queued without limit
     */
    public record Store(String kind, String redisUri, String prefix, int historyLimit, long commandTimeoutMs,
            int maxQueuedCommands) {

        public Store(String kind, String redisUri, String prefix, int historyLimit) {
            this(kind, redisUri, prefix, historyLimit, 2_000, 1_000);
        }

        public static Store defaults() {
            return new Store("memory", "redis://127.0.0.1:6379", "turnout", 100);
        }

        public boolean redis() {
            return "redis".equals(kind);
        }
    }

    /**
     * Shadow traffic: bounded in flight (dropped, never queued, when full), each response captured
     * up to {@code captureBytes}, each shadow cut off after {@code timeoutMs}; captured pairs waiting
     * for the differ hold at most {@code pendingDiffBytes} in all (beyond it pairs are shed and counted).
     */
    public record Shadow(int maxInFlight, int maxInFlightPerVersion, int captureBytes, long timeoutMs,
            long pendingDiffBytes) {

        public Shadow(int maxInFlight, int maxInFlightPerVersion, int captureBytes, long timeoutMs) {
            this(maxInFlight, maxInFlightPerVersion, captureBytes, timeoutMs, 16L << 20);
        }

        public static Shadow defaults() {
            return new Shadow(64, 32, 256 * 1024, 60_000);
        }
    }

    /**
     * Where compared pairs go besides the in-memory report: a rotating JSONL file ({@code log},
     * empty for none), with request and answer text left out when {@code redact} is set.
     */
    public record Diffs(String log, boolean redact, Semantic semantic) {

        public Diffs {
            requireNonNull(semantic, "semantic");
        }

        public Diffs(String log, boolean redact) {
            this(log, redact, Semantic.defaults());
        }

        public static Diffs defaults() {
            return new Diffs("turnout-diffs.jsonl", false);
        }
    }

    /**
     * Meaning-level comparison of answers with an in-process embedding model, run on {@code threads}
     * workers beside the event loops. {@code sample} is the share of pairs scored; each answer is
     * embedded up to {@code maxTokens} word pieces; at most {@code queuePairs} pairs wait for a
     * worker (beyond it the score is skipped and counted). A candidate pair is {@code different}
     * when its similarity falls below the {@code noiseQuantile} of its primary's noise pairs, and
     * {@code uncalibrated} until that primary has {@code minNoisePairs} scored noise pairs.
     */
    public record Semantic(boolean enabled, double sample, int threads, int maxTokens, int queuePairs,
            double noiseQuantile, int minNoisePairs) {

        public static Semantic defaults() {
            return new Semantic(true, 1.0, 1, 512, 64, 0.05, 30);
        }

        public Semantic withEnabled(boolean value) {
            return new Semantic(value, sample, threads, maxTokens, queuePairs, noiseQuantile, minNoisePairs);
        }

        public Semantic withQueuePairs(int value) {
            return new Semantic(enabled, sample, threads, maxTokens, value, noiseQuantile, minNoisePairs);
        }
    }

    /**
     * Automated rollouts: every {@code lookMs} each instance reads the active rollouts and the leader
     * judges them; a leader that stops renewing its lease is replaced after {@code leaseMs}; each
     * instance publishes its evidence every {@code publishMs}.
     */
    public record Rollouts(long lookMs, long leaseMs, long publishMs) {
        public static Rollouts defaults() {
            return new Rollouts(1_000, 5_000, 1_000);
        }
    }

    /**
     * Recording live traffic for replays: off by default. A {@code sample} share of the requests to
     * {@code aliases} (empty: every alias) is kept with the primary's answer, redacted, in a capped
     * log ({@code maxEntries} per alias). A request over {@code maxRequestBytes} is not recorded; an
     * answer over {@code maxAnswerBytes} is recorded cut, marked truncated. Answers being captured
     * and exchanges waiting to be written hold at most {@code maxPendingBytes}; beyond it they are
     * dropped and counted. Redaction drops the top-level request fields {@code dropFields} and masks
     * e-mail addresses, phone numbers and every {@code maskPatterns} regex in request and answer text.
     */
    public record Recording(boolean enabled, double sample, List<String> aliases, int maxRequestBytes,
            int maxAnswerBytes, int maxEntries, long maxPendingBytes, List<String> dropFields, boolean maskEmails,
            boolean maskPhones, List<String> maskPatterns) {

        public Recording {
            aliases = List.copyOf(requireNonNull(aliases, "aliases"));
            dropFields = List.copyOf(requireNonNull(dropFields, "dropFields"));
            maskPatterns = List.copyOf(requireNonNull(maskPatterns, "maskPatterns"));
            if (!(sample >= 0 && sample <= 1)) throw new IllegalArgumentException("recording.sample must be 0..1, got " + sample);
            if (maxRequestBytes < 1 || maxAnswerBytes < 1 || maxEntries < 1 || maxPendingBytes < 1) {
                throw new IllegalArgumentException("recording limits must be > 0");
            }
        }

        public static Recording defaults() {
            return new Recording(false, 0.1, List.of(), 65_536, 65_536, 10_000, 8L << 20, List.of("user"), true, true,
                    List.of());
        }

        /** Recording on for {@code aliases} (empty: all) at {@code sample}, every other setting as it is. */
        public Recording on(double share, List<String> onlyAliases) {
            return new Recording(true, share, onlyAliases, maxRequestBytes, maxAnswerBytes, maxEntries, maxPendingBytes,
                    dropFields, maskEmails, maskPhones, maskPatterns);
        }

        /** Whether requests to {@code alias} are recorded at all (before sampling). */
        public boolean records(String alias) {
            return enabled && sample > 0 && (aliases.isEmpty() || aliases.contains(alias));
        }
    }

    public static GatewayConfig defaults() {
        return new GatewayConfig(Server.defaults(), Admin.defaults(), Store.defaults(), Shadow.defaults(), Diffs.defaults(),
                Path.of("conf/routes.yaml"));
    }

    public GatewayConfig withServer(Server newServer) {
        return new GatewayConfig(newServer, admin, store, shadow, diffs, routes, rollouts, recording);
    }

    public GatewayConfig withAdmin(Admin newAdmin) {
        return new GatewayConfig(server, newAdmin, store, shadow, diffs, routes, rollouts, recording);
    }

    public GatewayConfig withStore(Store newStore) {
        return new GatewayConfig(server, admin, newStore, shadow, diffs, routes, rollouts, recording);
    }

    public GatewayConfig withShadow(Shadow newShadow) {
        return new GatewayConfig(server, admin, store, newShadow, diffs, routes, rollouts, recording);
    }

    public GatewayConfig withRollouts(Rollouts newRollouts) {
        return new GatewayConfig(server, admin, store, shadow, diffs, routes, newRollouts, recording);
    }

    public GatewayConfig withDiffs(Diffs newDiffs) {
        return new GatewayConfig(server, admin, store, shadow, newDiffs, routes, rollouts, recording);
    }

    public GatewayConfig withRoutes(Path newRoutes) {
        return new GatewayConfig(server, admin, store, shadow, diffs, newRoutes, rollouts, recording);
    }

    public GatewayConfig withRecording(Recording newRecording) {
        return new GatewayConfig(server, admin, store, shadow, diffs, routes, rollouts, newRecording);
    }
}
