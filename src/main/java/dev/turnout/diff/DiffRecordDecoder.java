package dev.turnout.diff;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link DiffRecord} back from the JSON {@link DiffRecord#toJson()} wrote, as read from the
 * shared Redis stream. Whatever is stored there is hostile (anyone with Redis access can XADD), so
 * decoding is strict: every field the writer always sets must be there with its type, numbers
 * finite, labels known; anything else is an {@link IllegalArgumentException}, never another
 * exception, so a caller can skip and count it.
 */
public final class DiffRecordDecoder {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DiffRecordDecoder() {}

    public static DiffRecord decode(String stored) {
        JsonNode node;
        try {
            node = JSON.readTree(stored);
        } catch (Exception e) { // Jackson's own limits (nesting, lengths) included
            throw new IllegalArgumentException("not JSON");
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("not a JSON object");
        String kind = text(node, "kind");
        if (!DiffRecord.CANDIDATE.equals(kind) && !DiffRecord.NOISE.equals(kind)) {
            throw new IllegalArgumentException("kind is neither candidate nor noise");
        }
        JsonNode metrics = node.get("metrics");
        if (metrics == null || !metrics.isObject()) throw new IllegalArgumentException("metrics is not an object");
        Instant time;
        try {
            time = Instant.parse(text(node, "time"));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("time is not an instant");
        }
        // The records' own constructors check the rest (e.g. a similarity exactly when scored): IllegalArgumentException too.
        return new DiffRecord(text(node, "id"), time, text(node, "alias"), text(node, "primary"), text(node, "candidate"),
                kind, metrics(metrics), optionalText(node, "request"), optionalText(node, "primaryText"),
                optionalText(node, "candidateText"));
    }

    private static DiffMetrics metrics(JsonNode node) {
        Double similarity = nullableNumber(node, "similarity");
        // Calibration's own bound: a cosine, give or take float rounding.
        if (similarity != null && !(similarity >= -1.0001 && similarity <= 1.0001)) {
            throw new IllegalArgumentException("similarity is not a cosine");
        }
        Integer tokenDelta = null;
        JsonNode delta = node.get("completionTokenDelta");
        if (delta == null) throw new IllegalArgumentException("completionTokenDelta is missing");
        if (!delta.isNull()) tokenDelta = integer(node, "completionTokenDelta");
        return new DiffMetrics(verdict(text(node, "verdict")), integer(node, "statusPrimary"), integer(node, "statusCandidate"),
                nullableText(node, "errorPrimary"), nullableText(node, "errorCandidate"), bool(node, "exact"),
                bool(node, "normalizedExact"), number(node, "tokenF1"), number(node, "rougeL"), number(node, "levenshtein"),
                bool(node, "finishReasonEqual"), bool(node, "toolNamesEqual"), texts(node, "toolArgDiffs"),
                nullableBool(node, "jsonValidPrimary"), nullableBool(node, "jsonValidCandidate"), tokenDelta,
                number(node, "latencyDeltaMs"), nullableNumber(node, "ttftDeltaMs"), nullableNumber(node, "lengthRatio"),
                similarity, text(node, "semanticStatus"));
    }

    private static Verdict verdict(String label) {
        for (Verdict verdict : Verdict.values()) {
            if (verdict.label().equals(label)) return verdict;
        }
        throw new IllegalArgumentException("unknown verdict");
    }

    private static JsonNode field(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null) throw new IllegalArgumentException(field + " is missing");
        return value;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = field(node, field);
        if (!value.isTextual()) throw new IllegalArgumentException(field + " is not text");
        return value.textValue();
    }

    private static String nullableText(JsonNode node, String field) {
        return field(node, field).isNull() ? null : text(node, field);
    }

    /** The samples: absent when the writer redacted them. */
    private static String optionalText(JsonNode node, String field) {
        return node.has(field) ? text(node, field) : null;
    }

    private static double number(JsonNode node, String field) {
        JsonNode value = field(node, field);
        // NaN and infinities would poison every percentile they joined.
        if (!value.isNumber() || !Double.isFinite(value.doubleValue())) throw new IllegalArgumentException(field + " is not a number");
        return value.doubleValue();
    }

    private static Double nullableNumber(JsonNode node, String field) {
        return field(node, field).isNull() ? null : number(node, field);
    }

    private static int integer(JsonNode node, String field) {
        JsonNode value = field(node, field);
        if (!value.isIntegralNumber() || !value.canConvertToInt()) throw new IllegalArgumentException(field + " is not an int");
        return value.intValue();
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode value = field(node, field);
        if (!value.isBoolean()) throw new IllegalArgumentException(field + " is not a boolean");
        return value.booleanValue();
    }

    private static Boolean nullableBool(JsonNode node, String field) {
        return field(node, field).isNull() ? null : bool(node, field);
    }

    private static List<String> texts(JsonNode node, String field) {
        JsonNode value = field(node, field);
        if (!value.isArray()) throw new IllegalArgumentException(field + " is not an array");
        List<String> out = new ArrayList<>(value.size());
        for (JsonNode item : value) {
            if (!item.isTextual()) throw new IllegalArgumentException(field + " holds a non-text item");
            out.add(item.textValue());
        }
        return out;
    }
}
