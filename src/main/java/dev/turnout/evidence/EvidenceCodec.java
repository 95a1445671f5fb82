package dev.turnout.evidence;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The published form of a {@link StepEvidence}:
 * <pre>{"v":1,"scored":S,"beyondNoise":B,"candidate":ARM,"baseline":ARM}
 * ARM = {"requests":R,"errors":E,"latencyMicros":[[value,count],...],"ttftMicros":[...],"completionTokens":[...]}</pre>
 * Histograms are listed bucket by bucket (the bucket's highest value, which decodes into the same
 * bucket), non-empty buckets only. Not HdrHistogram's own compressed format: that one is
 * inflated before it can be checked, and what Redis holds may have been written by anyone.
 *
 * <p>Decoding streams the text once, expecting exactly this shape, so depth, size and allocation
 * are bounded before anything is built: at most {@link #MAX_CHARS} characters, {@link #MAX_PAIRS}
 * pairs per histogram, six histograms of fixed bounds. Counts must be whole, non-negative and at
 * most {@link #MAX_COUNT}; every histogram's total must agree with the arm's requests (latency:
 * one per request; time to first byte and tokens: at most one per request). Values outside a
 * histogram's bounds are clamped, as when recording.
 */
final class EvidenceCodec {

    static final int VERSION = 1;
    static final int MAX_CHARS = 512 * 1024;
    static final int MAX_PAIRS = 20_000;
    /** 2^50, about 10^15: more than a fleet serves in years, and sums of many stay far from overflow. */
    static final long MAX_COUNT = 1L << 50;

    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(8).maxNumberLength(40)
                    .maxStringLength(64).build())
            .build();

    private EvidenceCodec() {}

    static String encode(StepEvidence evidence) {
        StringBuilder out = new StringBuilder(256);
        out.append("{\"v\":").append(VERSION).append(",\"scored\":").append(evidence.scoredPairs())
                .append(",\"beyondNoise\":").append(evidence.beyondNoisePairs()).append(",\"candidate\":");
        arm(out, evidence.candidate()).append(",\"baseline\":");
        return arm(out, evidence.baseline()).append('}').toString();
    }

    private static StringBuilder arm(StringBuilder out, ArmEvidence arm) {
        out.append("{\"requests\":").append(arm.requests()).append(",\"errors\":").append(arm.errors())
                .append(",\"latencyMicros\":");
        histogram(out, arm.latency()).append(",\"ttftMicros\":");
        histogram(out, arm.ttft()).append(",\"completionTokens\":");
        return histogram(out, arm.tokens()).append('}');
    }

    private static StringBuilder histogram(StringBuilder out, Histogram histogram) {
        out.append('[');
        boolean first = true;
        for (HistogramIterationValue bucket : histogram.recordedValues()) {
            if (!first) out.append(',');
            first = false;
            out.append('[').append(bucket.getValueIteratedTo()).append(',').append(bucket.getCountAtValueIteratedTo()).append(']');
        }
        return out.append(']');
    }

    static StepEvidence decode(String encoded) {
        if (encoded == null) throw new IllegalArgumentException("evidence is missing (null)");
        if (encoded.length() > MAX_CHARS) {
            throw new IllegalArgumentException("evidence is " + encoded.length() + " characters long, more than the "
                    + MAX_CHARS + " allowed");
        }
        try (JsonParser parser = JSON.createParser(encoded)) {
            StepEvidence evidence = step(parser);
            if (parser.nextToken() != null) throw refused("trailing content after the evidence object");
            return evidence;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("evidence is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("evidence cannot be read: " + e.getMessage(), e);
        }
    }

    private static StepEvidence step(JsonParser parser) throws IOException {
        expect(parser, JsonToken.START_OBJECT, "the evidence");
        Long version = null;
        Long scored = null;
        Long beyondNoise = null;
        ArmEvidence candidate = null;
        ArmEvidence baseline = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            switch (field) {
                case "v" -> {
                    once(version, field);
                    version = count(parser, field);
                    if (version != VERSION) throw refused("unknown evidence version " + version + " (this instance reads " + VERSION + ")");
                }
                case "scored" -> scored = count(parser, once(scored, field));
                case "beyondNoise" -> beyondNoise = count(parser, once(beyondNoise, field));
                case "candidate" -> candidate = arm(parser, once(candidate, field));
                case "baseline" -> baseline = arm(parser, once(baseline, field));
                default -> throw refused("unknown field '" + field + "' in the evidence");
            }
        }
        if (parser.currentToken() != JsonToken.END_OBJECT) throw refused("the evidence object is not closed");
        if (version == null) throw refused("the evidence has no version field 'v'");
        String missing = scored == null ? "scored" : beyondNoise == null ? "beyondNoise" : candidate == null ? "candidate"
                : baseline == null ? "baseline" : null;
        if (missing != null) throw refused("the evidence has no '" + missing + "'");
        if (beyondNoise > scored) throw refused("beyondNoise (" + beyondNoise + ") is more than scored (" + scored + ")");
        return new StepEvidence(candidate, baseline, scored, beyondNoise);
    }

    private static ArmEvidence arm(JsonParser parser, String name) throws IOException {
        expect(parser, JsonToken.START_OBJECT, "'" + name + "'");
        Long requests = null;
        Long errors = null;
        Histogram latency = null;
        Histogram ttft = null;
        Histogram tokens = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            String path = name + "." + field;
            switch (field) {
                case "requests" -> requests = count(parser, once(requests, path));
                case "errors" -> errors = count(parser, once(errors, path));
                case "latencyMicros" -> latency = histogram(parser, once(latency, path), ArmEvidence.latencyHistogram());
                case "ttftMicros" -> ttft = histogram(parser, once(ttft, path), ArmEvidence.latencyHistogram());
                case "completionTokens" -> tokens = histogram(parser, once(tokens, path), ArmEvidence.tokenHistogram());
                default -> throw refused("unknown field '" + path + "'");
            }
        }
        String missing = requests == null ? "requests" : errors == null ? "errors" : latency == null ? "latencyMicros"
                : ttft == null ? "ttftMicros" : tokens == null ? "completionTokens" : null;
        if (missing != null) throw refused("'" + name + "' has no '" + missing + "'");
        if (errors > requests) throw refused(name + ".errors (" + errors + ") is more than its requests (" + requests + ")");
        if (latency.getTotalCount() != requests) {
            throw refused(name + ".latencyMicros holds " + latency.getTotalCount() + " values for " + requests + " requests");
        }
        if (ttft.getTotalCount() > requests || tokens.getTotalCount() > requests) {
            throw refused(name + " holds more ttft or token values than requests (" + requests + ")");
        }
        return new ArmEvidence(requests, errors, latency, ttft, tokens);
    }

    /** Fills {@code histogram} from {@code [[value, count], ...]}, refusing more than {@link #MAX_PAIRS} pairs. */
    private static Histogram histogram(JsonParser parser, String path, Histogram histogram) throws IOException {
        expect(parser, JsonToken.START_ARRAY, "'" + path + "'");
        int pairs = 0;
        long total = 0;
        while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (parser.currentToken() != JsonToken.START_ARRAY) throw refused("'" + path + "' must hold [value, count] pairs");
            if (++pairs > MAX_PAIRS) throw refused("'" + path + "' holds more than " + MAX_PAIRS + " pairs");
            long value = value(parser, path);
            long count = count(parser, path + " count");
            if (parser.nextToken() != JsonToken.END_ARRAY) throw refused("'" + path + "' must hold [value, count] pairs");
            total += count;
            if (total > MAX_COUNT) throw refused("'" + path + "' counts add up to more than " + MAX_COUNT);
            if (count > 0) ArmEvidence.record(histogram, value, count);
        }
        return histogram;
    }

    /** A whole number; out of the histogram's range it is clamped later, so only its sign matters when huge. */
    private static long value(JsonParser parser, String path) throws IOException {
        if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) throw refused("a value in '" + path + "' is not a whole number");
        return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                ? (parser.getBigIntegerValue().signum() < 0 ? 0 : Long.MAX_VALUE)
                : parser.getLongValue();
    }

    private static long count(JsonParser parser, String path) throws IOException {
        if (parser.nextToken() != JsonToken.VALUE_NUMBER_INT) throw refused("'" + path + "' is not a whole number");
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) throw refused("'" + path + "' is too large");
        long count = parser.getLongValue();
        if (count < 0) throw refused("'" + path + "' is negative (" + count + ")");
        if (count > MAX_COUNT) throw refused("'" + path + "' is " + count + ", more than " + MAX_COUNT);
        return count;
    }

    private static String once(Object seen, String path) {
        if (seen != null) throw refused("'" + path + "' appears twice");
        return path;
    }

    private static void expect(JsonParser parser, JsonToken token, String what) throws IOException {
        JsonToken actual = parser.nextToken();
        if (actual != token) {
            throw refused(what + " must be " + (token == JsonToken.START_OBJECT ? "an object" : "an array") + ", got "
                    + (actual == null ? "nothing" : actual.asString() == null ? actual.name() : actual.asString()));
        }
    }

    private static IllegalArgumentException refused(String why) {
        return new IllegalArgumentException("evidence refused: " + why);
    }
}
