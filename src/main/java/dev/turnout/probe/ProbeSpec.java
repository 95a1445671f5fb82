package dev.turnout.probe;

import static java.util.Objects.requireNonNull;

import dev.turnout.route.Alias;
import dev.turnout.route.RouteTable;
import java.util.ArrayList;
import java.util.List;

/**
 * A probe: run golden set {@code set} against {@code versions} (or every version of {@code alias}),
 * every {@code everySeconds} (0: only when asked), at most {@code concurrency} calls at once and
 * {@code maxTokensPerRun} completion tokens a run, each call cut off after {@code timeoutMs}.
 */
public record ProbeSpec(String name, String set, List<String> versions, String alias, long everySeconds, int concurrency,
        long maxTokensPerRun, long timeoutMs) {

    public static final int DEFAULT_CONCURRENCY = 4;
    public static final long DEFAULT_MAX_TOKENS = 200_000;
    public static final long DEFAULT_TIMEOUT_MS = 60_000;

    public ProbeSpec {
        requireNonNull(name, "name");
        requireNonNull(set, "set");
        versions = versions == null ? List.of() : List.copyOf(versions);
        if (versions.isEmpty() == (alias == null)) throw new IllegalArgumentException("versions or alias, exactly one");
    }

    /** The versions to run against now: the listed ones, or every version the alias splits over (weight 0 included). */
    public List<String> targets(RouteTable table) {
        if (alias == null) return versions;
        Alias found = table.alias(alias);
        return found == null ? List.of() : new ArrayList<>(found.split().keySet());
    }

    /** The same probe against other versions (a rollout's gate runs its probe against the candidate alone). */
    public ProbeSpec withVersions(List<String> newVersions) {
        return new ProbeSpec(name, set, newVersions, null, everySeconds, concurrency, maxTokensPerRun, timeoutMs);
    }
}
