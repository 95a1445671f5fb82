package dev.turnout.route;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a whole table at once and reports every problem, each prefixed with the path of the
 * field at fault ({@code aliases.support-bot.split.support-v9: ...}), so an operator fixes a
 * document in one round trip.
 */
public final class RouteValidator {

    static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");
    static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final Pattern HEADER_NAME = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    private RouteValidator() {}

    /** Every problem of the table; empty when it may be applied. Only TURNOUT_* is refused as apiKeyEnv. */
    public static List<String> problems(RouteTable table) {
        return problems(table, RoutePolicy.UNRESERVED);
    }

    /** Every problem of the table under this deployment's policy; empty when it may be applied. */
    public static List<String> problems(RouteTable table, RoutePolicy policy) {
        List<String> errors = new ArrayList<>();
        RouteLimits.checkCount("versions", table.versions().size(), RouteLimits.MAX_VERSIONS, "versions", errors);
        RouteLimits.checkCount("aliases", table.aliases().size(), RouteLimits.MAX_ALIASES, "aliases", errors);
        RouteLimits.checkCount("clients", table.clients().size(), RouteLimits.MAX_CLIENTS, "clients", errors);
        RouteLimits.checkRange("revision", table.revision(), 0, RouteLimits.MAX_REVISION, errors);
        for (ModelVersion version : table.versions().values()) {
            checkVersion(version, errors);
        }
        for (Alias alias : table.aliases().values()) {
            checkAlias(table, alias, errors);
        }
        for (Client client : table.clients().values()) {
            String at = "clients." + client.id();
            checkName(at, client.id(), errors);
            if (client.alias() != null && table.alias(client.alias()) == null) {
                errors.add(at + ".alias: no alias named '" + client.alias() + "'");
            }
            if (client.keySha256() != null && !SHA256_HEX.matcher(client.keySha256()).matches()) {
                errors.add(at + ".keySha256: must be 64 lowercase hex digits (the SHA-256 of the client's key)");
            }
        }
        errors.addAll(policy.problems(table));
        return errors;
    }

    /** Throws {@link InvalidRoutesException} listing every problem, or returns the table unchanged. */
    public static RouteTable requireValid(RouteTable table) {
        return requireValid(table, RoutePolicy.UNRESERVED);
    }

    public static RouteTable requireValid(RouteTable table, RoutePolicy policy) {
        List<String> errors = problems(table, policy);
        if (!errors.isEmpty()) throw new InvalidRoutesException(errors);
        return table;
    }

    private static void checkVersion(ModelVersion version, List<String> errors) {
        String at = "versions." + version.id();
        checkName(at, version.id(), errors);
        checkUrl(at + ".url", version.url(), errors);
        if (version.model().isBlank()) {
            errors.add(at + ".model: must not be blank");
        }
        RouteLimits.checkLength(at + ".model", version.model(), RouteLimits.MAX_MODEL_LENGTH, errors);
        if (version.apiKeyEnv() != null && !(ENV_NAME.matcher(version.apiKeyEnv()).matches()
                && version.apiKeyEnv().length() <= RouteLimits.MAX_ENV_NAME_LENGTH)) {
            errors.add(at + ".apiKeyEnv: must name an environment variable (letters, digits, '_', at most "
                    + RouteLimits.MAX_ENV_NAME_LENGTH + " characters), not hold a key");
        }
        RouteLimits.checkRange(at + ".timeoutMs", version.timeoutMs(), RouteLimits.MIN_TIMEOUT_MS,
                RouteLimits.MAX_TIMEOUT_MS, errors);
        RouteLimits.checkRange(at + ".totalTimeoutMs", version.totalTimeoutMs(), 0, RouteLimits.MAX_TOTAL_TIMEOUT_MS, errors);
        checkBreaker(at + ".breaker", version.breaker(), errors);
    }

    /** Every constraint Resilience4j's config builder enforces, so a breaker never fails to build at request time. */
    private static void checkBreaker(String at, BreakerPolicy breaker, List<String> errors) {
        RouteLimits.checkRange(at + ".failureRatePercent", breaker.failureRatePercent(),
                RouteLimits.MIN_FAILURE_RATE_PERCENT, RouteLimits.MAX_FAILURE_RATE_PERCENT, errors);
        RouteLimits.checkRange(at + ".window", breaker.window(), 1, RouteLimits.MAX_BREAKER_WINDOW, errors);
        RouteLimits.checkRange(at + ".minimumCalls", breaker.minimumCalls(), 1, Math.max(1, breaker.window()), errors);
        RouteLimits.checkRange(at + ".openMs", breaker.openMs(), RouteLimits.MIN_OPEN_MS, RouteLimits.MAX_OPEN_MS, errors);
    }

    private static void checkUrl(String at, URI url, List<String> errors) {
        String scheme = url.getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https")) || url.getHost() == null) {
            errors.add(at + ": must be an absolute http(s) URL such as http://127.0.0.1:9101/v1, got '" + url + "'");
            return;
        }
        RouteLimits.checkLength(at, url.toString(), RouteLimits.MAX_URL_LENGTH, errors);
        if (url.getPort() == 0 || url.getPort() > 65_535) {
            errors.add(at + ": port must be from 1 to 65535, got " + url.getPort());
        }
        // Credentials in a URL would be returned by GET /admin/routes and logged; keys go in apiKeyEnv.
        if (url.getRawUserInfo() != null) {
            errors.add(at + ": must not carry credentials (user:password@); put the key in an environment variable"
                    + " named by apiKeyEnv");
        }
        if (url.getRawQuery() != null || url.getRawFragment() != null) {
            errors.add(at + ": must not have a query or fragment: it is a base URL such as http://host:8000/v1");
        }
    }

    private static void checkAlias(RouteTable table, Alias alias, List<String> errors) {
        String at = "aliases." + alias.name();
        checkName(at, alias.name(), errors);
        if (alias.split().isEmpty()) {
            errors.add(at + ".split: must name at least one version");
        }
        RouteLimits.checkCount(at + ".split", alias.split().size(), RouteLimits.MAX_SPLIT_VERSIONS, "versions", errors);
        RouteLimits.checkCount(at + ".pins", alias.pins().size(), RouteLimits.MAX_PINS, "pins", errors);
        RouteLimits.checkCount(at + ".shadow", alias.shadows().size(), RouteLimits.MAX_SHADOWS, "shadows", errors);
        if (alias.sticky().kind() == Sticky.Kind.HEADER && !(HEADER_NAME.matcher(alias.sticky().header()).matches()
                && alias.sticky().header().length() <= RouteLimits.MAX_HEADER_NAME_LENGTH)) {
            errors.add(at + ".sticky: the header name must be an HTTP token of at most " + RouteLimits.MAX_HEADER_NAME_LENGTH
                    + " characters (letters, digits, !#$%&'*+-.^_`|~), got '" + alias.sticky().header() + "'");
        }
        double total = 0;
        boolean badWeight = false;
        for (Map.Entry<String, Double> entry : alias.split().entrySet()) {
            String weightAt = at + ".split." + entry.getKey();
            checkReference(table, weightAt, entry.getKey(), errors);
            double weight = entry.getValue();
            int errorsBefore = errors.size();
            RouteLimits.checkRange(weightAt, weight, 0, RouteLimits.MAX_WEIGHT, errors);
            badWeight |= errors.size() > errorsBefore;
            total += weight;
        }
        // With a weight already refused, "all zero" would be noise.
        if (!alias.split().isEmpty() && !badWeight && total <= 0) {
            errors.add(at + ".split: weights must not all be zero");
        }
        for (Map.Entry<String, String> pin : alias.pins().entrySet()) {
            RouteLimits.checkLength(at + ".pins", pin.getKey(), RouteLimits.MAX_CLIENT_ID_LENGTH, errors);
            checkReference(table, at + ".pins." + pin.getKey(), pin.getValue(), errors);
        }
        for (int i = 0; i < alias.shadows().size(); i++) {
            Shadow shadow = alias.shadows().get(i);
            String shadowAt = at + ".shadow[" + i + "]";
            checkReference(table, shadowAt + ".version", shadow.version(), errors);
            checkShare(shadowAt + ".sample", shadow.sample(), errors);
            if (alias.split().size() == 1 && alias.split().containsKey(shadow.version())) {
                errors.add(shadowAt + ".version: '" + shadow.version()
                        + "' is the alias's only split version; a shadow must be a different version");
            }
        }
        checkShare(at + ".noiseSample", alias.noiseSample(), errors);
        if (alias.fallback() != null) {
            checkReference(table, at + ".fallback", alias.fallback(), errors);
        }
    }

    private static void checkReference(RouteTable table, String at, String versionId, List<String> errors) {
        if (table.version(versionId) == null) {
            errors.add(at + ": no version named '" + versionId + "' (known: " + table.versions().keySet() + ")");
        }
    }

    private static void checkShare(String at, double value, List<String> errors) {
        if (!(value >= 0 && value <= 1)) {
            errors.add(at + ": must be between 0 and 1, got " + value);
        }
    }

    private static void checkName(String at, String name, List<String> errors) {
        if (!NAME.matcher(name).matches()) {
            errors.add(at + ": name '" + name + "' must match [A-Za-z0-9._:-]{1,128}");
        }
    }
}
