package dev.turnout.route;

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

    private RouteValidator() {}

    /** Every problem of the table; empty when it may be applied. */
    public static List<String> problems(RouteTable table) {
        List<String> errors = new ArrayList<>();
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
        return errors;
    }

    /** Throws {@link InvalidRoutesException} listing every problem, or returns the table unchanged. */
    public static RouteTable requireValid(RouteTable table) {
        List<String> errors = problems(table);
        if (!errors.isEmpty()) throw new InvalidRoutesException(errors);
        return table;
    }

    private static void checkVersion(ModelVersion version, List<String> errors) {
        String at = "versions." + version.id();
        checkName(at, version.id(), errors);
        String scheme = version.url().getScheme();
        if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                || version.url().getHost() == null) {
            errors.add(at + ".url: must be an absolute http(s) URL such as http://127.0.0.1:9101/v1, got '"
                    + version.url() + "'");
        }
        if (version.model().isBlank()) {
            errors.add(at + ".model: must not be blank");
        }
        if (version.apiKeyEnv() != null && !ENV_NAME.matcher(version.apiKeyEnv()).matches()) {
            errors.add(at + ".apiKeyEnv: must name an environment variable (letters, digits, '_'), not hold a key");
        }
        if (version.timeoutMs() <= 0) {
            errors.add(at + ".timeoutMs: must be > 0, got " + version.timeoutMs());
        }
        if (version.totalTimeoutMs() < 0) {
            errors.add(at + ".totalTimeoutMs: must be >= 0 (0: no limit), got " + version.totalTimeoutMs());
        }
        BreakerPolicy breaker = version.breaker();
        if (!(breaker.failureRatePercent() > 0 && breaker.failureRatePercent() <= 100)) {
            errors.add(at + ".breaker.failureRatePercent: must be in (0, 100], got " + breaker.failureRatePercent());
        }
        if (breaker.window() < 1) errors.add(at + ".breaker.window: must be >= 1, got " + breaker.window());
        if (breaker.minimumCalls() < 1) errors.add(at + ".breaker.minimumCalls: must be >= 1, got " + breaker.minimumCalls());
        if (breaker.openMs() < 1) errors.add(at + ".breaker.openMs: must be >= 1, got " + breaker.openMs());
    }

    private static void checkAlias(RouteTable table, Alias alias, List<String> errors) {
        String at = "aliases." + alias.name();
        checkName(at, alias.name(), errors);
        if (alias.split().isEmpty()) {
            errors.add(at + ".split: must name at least one version");
        }
        double total = 0;
        for (Map.Entry<String, Double> entry : alias.split().entrySet()) {
            String weightAt = at + ".split." + entry.getKey();
            checkReference(table, weightAt, entry.getKey(), errors);
            double weight = entry.getValue();
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                errors.add(weightAt + ": weight must be a finite number >= 0, got " + weight);
            } else {
                total += weight;
            }
        }
        if (!alias.split().isEmpty() && total <= 0) {
            errors.add(at + ".split: weights must not all be zero");
        }
        for (Map.Entry<String, String> pin : alias.pins().entrySet()) {
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
