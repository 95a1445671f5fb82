package dev.turnout.diff;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fleet's diff report, rebuilt from the pairs every instance wrote to the shared stream
 * ({@link RedisDiffSink}): a fresh {@link DiffReport} fed the newest entries, oldest first, so its
 * windows and samples hold what an instance's would had it compared every pair itself.
 *
 * <p>Bounded: at most {@link #MAX_ENTRIES} entries (twice the stream's length, so a whole stream
 * fits) and {@link #MAX_CHARS} characters of stored JSON are held, newest first; an entry past
 * either cap ends the read and marks it {@code truncated}. Hostile entries (no {@value #FIELD}
 * field, more than {@link #MAX_ENTRY_CHARS} characters, or not a record {@link DiffRecordDecoder}
 * accepts) are skipped and counted as {@code unreadable}, never thrown. Not thread-safe: one read's
 * collector, filled by one reader, then {@link #build built} off the event loop.
 */
public final class FleetDiffs {

    public static final int MAX_ENTRIES = 20_000;
    public static final long MAX_CHARS = 64L << 20;
    /** Three samples of {@code DiffPipeline.SAMPLE_CHARS} each, every character JSON-escaped, fit well within it. */
    public static final int MAX_ENTRY_CHARS = 256 * 1024;
    /** The entry's one field, as {@link RedisDiffSink} writes it. */
    public static final String FIELD = "record";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The merged report and what reading it found. */
    public record Result(DiffReport report, int entries, boolean truncated, int unreadable) {

        /** {@code {"entries", "truncated", "unreadable"}}: how much of the stream the report stands on. */
        public ObjectNode toJson() {
            return JSON.createObjectNode().put("entries", entries).put("truncated", truncated).put("unreadable", unreadable);
        }
    }

    private final List<String> held = new ArrayList<>(); // newest first
    private long heldChars;
    private int entries;
    private int unreadable;
    private boolean truncated;

    /**
     * Takes the next entry, newer ones first. False once a cap is reached: the entry was not taken,
     * the read is truncated, and the caller stops reading.
     */
    public boolean offer(Map<String, String> body) {
        if (truncated) return false;
        String stored = body == null ? null : body.get(FIELD);
        boolean holdable = stored != null && stored.length() <= MAX_ENTRY_CHARS;
        long chars = holdable ? stored.length() : 0;
        if (entries >= MAX_ENTRIES || heldChars + chars > MAX_CHARS) {
            truncated = true;
            return false;
        }
        entries++;
        if (!holdable) {
            unreadable++; // missing or oversized: not worth holding to find out
            return true;
        }
        held.add(stored);
        heldChars += chars;
        return true;
    }

    /** Entries taken so far, readable or not. */
    public int entries() {
        return entries;
    }

    /**
     * Decodes what was held into a fresh report calibrated as {@code calibration} says (its floors
     * are not shared: only its quantile and minimum). CPU work over up to {@link #MAX_CHARS}: call it
     * on a worker, never an event loop.
     */
    public Result build(Calibration calibration) {
        requireNonNull(calibration, "calibration");
        DiffReport report = new DiffReport(new Calibration(calibration.noiseQuantile(), calibration.minNoisePairs()));
        int bad = unreadable;
        for (int i = held.size() - 1; i >= 0; i--) { // oldest first, as the pairs were compared
            try {
                report.replay(DiffRecordDecoder.decode(held.get(i)));
            } catch (IllegalArgumentException e) {
                bad++;
            }
        }
        return new Result(report, entries, truncated, bad);
    }
}
