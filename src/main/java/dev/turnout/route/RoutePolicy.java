package dev.turnout.route;

import static java.util.Objects.requireNonNull;

import dev.turnout.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * What this deployment lets a route table name: the environment variables a version's
 * {@code apiKeyEnv} may read ({@code server.apiKeyEnvAllowed}, globs with {@code *} and {@code ?}).
 * Whoever can write routes (the admin API, or anyone with write access to Redis) chooses which
 * variable is sent to an upstream they may control; without this list that would be any variable
 * of the gateway, its admin token included. The gateway's own settings ({@code TURNOUT_*}) are
 * refused whatever the list says.
 */
public final class RoutePolicy {

    private static final Logger LOG = Logger.getLogger(RoutePolicy.class.getName());

    /** Only the gateway's own settings are refused: for code that does not know the deployment's list. */
    public static final RoutePolicy UNRESERVED = new RoutePolicy(List.of("*"));

    private final List<String> apiKeyEnvAllowed;
    private final Pattern allowed;

    public RoutePolicy(List<String> apiKeyEnvAllowed) {
        this.apiKeyEnvAllowed = List.copyOf(requireNonNull(apiKeyEnvAllowed, "apiKeyEnvAllowed"));
        this.allowed = Pattern.compile(String.join("|", this.apiKeyEnvAllowed.stream().map(RoutePolicy::globToRegex).toList()));
    }

    public List<String> apiKeyEnvAllowed() {
        return apiKeyEnvAllowed;
    }

    /** The gateway's own settings: never an upstream key, whatever the allow-list says. */
    public static boolean reserved(String name) {
        return name.startsWith("TURNOUT_") || ConfigLoader.ENVIRONMENT.containsKey(name);
    }

    public boolean allowsKeyEnv(String name) {
        return !reserved(name) && !apiKeyEnvAllowed.isEmpty() && allowed.matcher(name).matches();
    }

    /** Every version whose {@code apiKeyEnv} this policy refuses, one message each naming the field. */
    public List<String> problems(RouteTable table) {
        List<String> errors = new ArrayList<>();
        for (ModelVersion version : table.versions().values()) {
            String name = version.apiKeyEnv();
            if (name == null || allowsKeyEnv(name)) continue;
            String at = "versions." + version.id() + ".apiKeyEnv";
            if (reserved(name)) {
                errors.add(at + ": '" + name + "' is one of the gateway's own settings (TURNOUT_*), never an upstream key;"
                        + " name the variable that holds the upstream's key, e.g. OPENAI_API_KEY");
            } else {
                errors.add(at + ": '" + name + "' is not an allowed key variable: server.apiKeyEnvAllowed is "
                        + apiKeyEnvAllowed + "; name a variable matching it, or add a pattern to server.apiKeyEnvAllowed"
                        + " (TURNOUT_API_KEY_ENV_ALLOWED) on every instance");
            }
        }
        return errors;
    }

    /**
     * The environment as the data plane may see it: a name this policy refuses is never read and
     * looks unset, so its version is called without a key. That happens only for a table that was
     * never checked against this policy (written to Redis directly, or before the allow-list was
     * narrowed); a warning names the variable once.
     */
    public Function<String, String> guard(Function<String, String> environment) {
        requireNonNull(environment, "environment");
        Set<String> warned = ConcurrentHashMap.newKeySet();
        return name -> {
            if (allowsKeyEnv(name)) return environment.apply(name);
            if (warned.add(name)) {
                LOG.warning("apiKeyEnv '" + name + "' is not allowed by server.apiKeyEnvAllowed " + apiKeyEnvAllowed
                        + " (or is a TURNOUT_* setting): it is not read, and versions naming it are called without a key");
            }
            return null;
        };
    }

    private static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*') regex.append(".*");
            else if (c == '?') regex.append('.');
            else regex.append(Pattern.quote(String.valueOf(c)));
        }
        return regex.toString();
    }

    @Override
    public String toString() {
        return "RoutePolicy[apiKeyEnvAllowed=" + apiKeyEnvAllowed + "]";
    }
}
