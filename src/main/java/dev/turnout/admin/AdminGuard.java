package dev.turnout.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.turnout.config.GatewayConfig;
import dev.turnout.config.TokenHash;
import dev.turnout.route.RouteCodec;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps browsers from driving the admin API, checked before authentication and before any body is
 * read. A web page can make a visitor's browser send requests to the admin port (loopback
 * included): a "simple" cross-site POST ({@code text/plain}, a form, or no body at all) needs no
 * preflight, and DNS rebinding makes a foreign page same-origin with it. So:
 * <ul>
 *   <li>without a token, the {@code Host} must be a loopback name: a rebound name never is (421);</li>
 *   <li>a present {@code Origin} must be listed in {@code admin.allowedOrigins} or be the admin API's own (403);</li>
 *   <li>a write must say it carries JSON, YAML or JSON Lines (golden sets), which no form or simple
 *       request can: a form sends only {@code application/x-www-form-urlencoded}, {@code multipart/form-data}
 *       or {@code text/plain}, and any other type makes a browser ask first (a CORS preflight this API
 *       never answers yes to) (415); any other type, forms included, never reaches a body parser.</li>
 * </ul>
 * Then, past the health probes, {@link #authenticate} checks the token and its role and names the
 * request's {@link #author}.
 */
final class AdminGuard {

    static final Set<String> JSON_TYPES = Set.of("application/json", "application/merge-patch+json");
    static final Set<String> YAML_TYPES = Set.of("application/yaml", "application/x-yaml", "text/yaml");
    /** Golden sets ({@link GoldenSetRoutes}): none of these is a type a form or a simple request can send. */
    static final Set<String> JSONL_TYPES = Set.of("application/jsonl", "application/x-ndjson", "application/x-jsonlines");
    private static final Set<HttpMethod> WRITES = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE);
    private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]");
    private static final Pattern HOST_AND_PORT = Pattern.compile("(\\[[^\\]]+]|[^:\\[\\]]+)(?::\\d{1,5})?");

    /** Where {@link #authenticate} leaves the authenticated token's name for {@link #author}. */
    private static final String AUTHOR = "turnout.author";
    /** Where {@link #authenticate} leaves the authenticated token's role for {@link #session}. */
    private static final String ROLE = "turnout.role";
    private static final Set<HttpMethod> READS = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final GatewayConfig.Admin config;
    private final List<GatewayConfig.Admin.Token> credentials;
    private final List<byte[]> hashes;

    AdminGuard(GatewayConfig.Admin config) {
        this.config = config;
        this.credentials = config.credentials();
        this.hashes = credentials.stream().map(token -> HexFormat.of().parseHex(token.sha256())).toList();
    }

    void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        String host = hostHeader(request);
        if (!config.hasToken() && !loopbackHost(host)) {
            AdminErrors.send(context, 421, "misdirected_request", "This admin API has no token, so it answers only requests"
                    + " addressed to localhost, 127.0.0.1 or [::1] (a page that rebinds its own name to this host is refused);"
                    + " got Host '" + host + "'. Use http://127.0.0.1:<port>, or set TURNOUT_ADMIN_TOKEN.", null);
            return;
        }
        String origin = request.getHeader("origin");
        if (origin != null && !allowedOrigin(origin.trim(), host)) {
            AdminErrors.send(context, 403, "forbidden_origin", "Requests from browser origin '" + origin + "' are refused;"
                    + " list it in admin.allowedOrigins (TURNOUT_ADMIN_ALLOWED_ORIGINS) to let that site use the admin API.", null);
            return;
        }
        if (WRITES.contains(request.method()) && mediaType(request) == null) {
            AdminErrors.send(context, 415, "unsupported_media_type", "Admin writes take Content-Type application/json"
                    + " (application/merge-patch+json for PATCH), application/yaml or, for golden sets, application/jsonl,"
                    + " even without a body; got '"
                    + request.getHeader("content-type") + "'.", null);
            return;
        }
        context.next();
    }

    /**
     * With tokens configured, the request must carry one of them as {@code Authorization: Bearer <token>}: its
     * SHA-256 is compared in constant time with every configured hash (all of them, so timing tells nothing of
     * which matched), and the token's name becomes the request's {@link #author}. A {@code read} token may only
     * look. Without tokens (loopback only) everything passes, and the author is whatever the caller says.
     */
    void authenticate(RoutingContext context) {
        if (!config.hasToken()) {
            context.next();
            return;
        }
        String header = context.request().getHeader("authorization");
        String presented = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
        byte[] hash = TokenHash.sha256(presented);
        GatewayConfig.Admin.Token match = null;
        for (int i = 0; i < hashes.size(); i++) {
            if (MessageDigest.isEqual(hash, hashes.get(i)) && match == null) match = credentials.get(i);
        }
        if (presented.isEmpty() || match == null) {
            context.response().putHeader("www-authenticate", "Bearer realm=\"turnout-admin\"");
            AdminErrors.send(context, 401, "unauthorized",
                    "Missing or wrong admin token: send 'Authorization: Bearer <token>'", null);
            return;
        }
        if (match.role() == GatewayConfig.Admin.Role.READ && !READS.contains(context.request().method())) {
            AdminErrors.send(context, 403, "forbidden", "Token '" + match.name() + "' has role " + match.role().label()
                    + ", which may only read (GET); " + context.request().method() + " needs a write token.", null);
            return;
        }
        context.put(AUTHOR, match.name());
        context.put(ROLE, match.role().label());
        context.next();
    }

    /**
     * Who is making this request, for history and rollout logs: the authenticated token's name when tokens are
     * configured (a header would let anyone write any name); else, as the caller says, {@code x-turnout-author}
     * (null when absent; callers clean and default it as they record it).
     */
    static String author(RoutingContext context) {
        String authenticated = context.get(AUTHOR);
        return authenticated != null ? authenticated : context.request().getHeader("x-turnout-author");
    }

    /**
     * {@code GET /admin/session}: who the caller is to this API, so a client (the console) can say whom it is
     * signed in as and offer writes only to a token that may make them. Without tokens (loopback only) anyone
     * may write.
     */
    void session(RoutingContext context) {
        String name = context.get(AUTHOR);
        context.json(new JsonObject()
                .put("tokens", config.hasToken())
                .put("name", name)
                .put("role", config.hasToken() ? context.get(ROLE) : GatewayConfig.Admin.Role.WRITE.label()));
    }

    /** The parser for this request's body: YAML when it says so, else JSON. */
    static ObjectMapper mapperFor(RoutingContext context) {
        return YAML_TYPES.contains(String.valueOf(mediaType(context.request()))) ? RouteCodec.YAML : RouteCodec.JSON;
    }

    /** The request's JSON, YAML or JSONL media type without parameters; null when it is none of them. */
    static String mediaType(HttpServerRequest request) {
        String header = request.getHeader("content-type");
        if (header == null) return null;
        int semicolon = header.indexOf(';');
        String type = (semicolon < 0 ? header : header.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
        return JSON_TYPES.contains(type) || YAML_TYPES.contains(type) || JSONL_TYPES.contains(type) ? type : null;
    }

    /** HTTP/1.1 sends a Host header; HTTP/2 an authority. */
    private static String hostHeader(HttpServerRequest request) {
        String host = request.getHeader("host");
        if (host != null) return host.trim();
        HostAndPort authority = request.authority();
        if (authority == null) return null;
        String name = authority.host().contains(":") && !authority.host().startsWith("[") ? "[" + authority.host() + "]"
                : authority.host();
        return name + (authority.port() >= 0 ? ":" + authority.port() : "");
    }

    /** {@code localhost}, {@code 127.0.0.1} or {@code [::1]}, with any port or none. */
    static boolean loopbackHost(String host) {
        if (host == null) return false;
        Matcher nameAndPort = HOST_AND_PORT.matcher(host.toLowerCase(Locale.ROOT));
        return nameAndPort.matches() && LOOPBACK_NAMES.contains(nameAndPort.group(1));
    }

    private boolean allowedOrigin(String origin, String host) {
        String bare = withoutTrailingSlash(origin);
        for (String candidate : config.allowedOrigins()) {
            if (withoutTrailingSlash(candidate.trim()).equalsIgnoreCase(bare)) return true;
        }
        // The admin API's own origin: what a browser sends for a page served from the very host it addresses.
        return host != null && (bare.equalsIgnoreCase("http://" + host) || bare.equalsIgnoreCase("https://" + host));
    }

    private static String withoutTrailingSlash(String origin) {
        return origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin;
    }
}
