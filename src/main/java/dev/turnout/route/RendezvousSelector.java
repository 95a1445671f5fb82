package dev.turnout.route;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import net.openhft.hashing.LongHashFunction;

/**
 * Weighted rendezvous (highest random weight) hashing. Each version v with weight w > 0 scores
 * {@code w / -ln(u)} with {@code u = (h(alias \0 v \0 key) + 0.5) / 2^64} uniform in (0, 1); the
 * highest score wins. This is the exponential-race form: the winner is v with probability
 * w / sum(w), and a key's score for v never depends on the other versions, which is why
 * <pre>
 *   raise w(v)   -> keys move only to v        add v     -> keys move only to v
 *   lower w(v)   -> keys move only away from v remove v  -> only v's keys move
 * </pre>
 * and nobody flips back and forth during a ramp.
 */
final class RendezvousSelector implements VersionSelector {

    static final RendezvousSelector INSTANCE = new RendezvousSelector();

    private static final LongHashFunction XX = LongHashFunction.xx();
    private static final double TWO_POW_64 = 0x1p64;

    private RendezvousSelector() {}

    @Override
    public String select(Alias alias, String stickyKey) {
        byte[] aliasBytes = alias.name().getBytes(StandardCharsets.UTF_8);
        byte[] keyBytes = stickyKey.getBytes(StandardCharsets.UTF_8);
        String best = null;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (Map.Entry<String, Double> entry : alias.split().entrySet()) {
            double weight = entry.getValue();
            if (!(weight > 0)) continue;
            double score = weight / -Math.log(unitInterval(hash(aliasBytes, entry.getKey(), keyBytes)));
            // Ties are astronomically rare; breaking them by name keeps the choice a pure function.
            if (score > bestScore || (score == bestScore && entry.getKey().compareTo(best) < 0)) {
                bestScore = score;
                best = entry.getKey();
            }
        }
        return best;
    }

    static long hash(byte[] alias, String version, byte[] key) {
        byte[] versionBytes = version.getBytes(StandardCharsets.UTF_8);
        byte[] input = new byte[alias.length + 1 + versionBytes.length + 1 + key.length];
        System.arraycopy(alias, 0, input, 0, alias.length);
        System.arraycopy(versionBytes, 0, input, alias.length + 1, versionBytes.length);
        System.arraycopy(key, 0, input, alias.length + versionBytes.length + 2, key.length);
        return XX.hashBytes(input);
    }

    /** (h + 0.5) / 2^64 for h read as unsigned: strictly inside (0, 1), so the log is finite. */
    static double unitInterval(long hash) {
        double unsigned = hash >= 0 ? hash : (hash >>> 1) * 2.0 + (hash & 1);
        double u = (unsigned + 0.5) / TWO_POW_64;
        return u >= 1.0 ? Math.nextDown(1.0) : u;
    }
}
