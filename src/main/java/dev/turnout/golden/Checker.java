package dev.turnout.golden;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.ValidationMessage;
import dev.turnout.diff.AssembledResponse;
import dev.turnout.semantic.SentenceEmbedder;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges one answer against its item's check. Pure and thread-safe; it blocks only inside the
 * {@link Similarity} a semantic check calls. A failed answer (transport error, HTTP error, a
 * stream cut before {@code [DONE]}, a truncated capture) never passes, whatever its check.
 *
 * <p>Answers are untrusted text: a regex runs on at most {@value #MAX_REGEX_INPUT} characters and
 * gives up after {@value #MAX_REGEX_STEPS} character reads, so a pattern that backtracks
 * catastrophically costs milliseconds and fails its item instead of holding a thread; JSON is
 * parsed with the golden-set parser's bounds (nesting, number length) from at most
 * {@value #MAX_JSON_INPUT} characters.
 */
public final class Checker {

    static final int MAX_REGEX_INPUT = 16 * 1024;
    static final long MAX_REGEX_STEPS = 5_000_000;
    static final int MAX_JSON_INPUT = 256 * 1024;
    private static final int MAX_QUOTED = 60;
    /** A decimal number, with optional sign, thousands separators, fraction and exponent: "1,234.5", "-3", "2e-3". */
    private static final Pattern NUMBER = Pattern.compile("[-+]?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?(?:[eE][-+]?\\d+)?");
    private static final Pattern FENCE = Pattern.compile("```(?:json|JSON)?[ \\t]*\\r?\\n(.*?)```", Pattern.DOTALL);

    private Checker() {}

    /** An embedding model as a {@link Similarity}: the cosine of the two texts' sentence vectors. */
    public static Similarity embeddings(SentenceEmbedder embedder) {
        return (a, b) -> SentenceEmbedder.cosine(embedder.embed(a), embedder.embed(b));
    }

    public static ItemResult check(GoldenItem item, AssembledResponse answer, Similarity similarity) {
        if (answer.failed()) return fail("the answer failed: " + answer.errorClass());
        if (!answer.complete()) return fail("the answer's stream ended before [DONE]");
        if (answer.truncated()) return fail("the answer was truncated by its capture limit");
        Check check = item.check();
        String text = answer.text();
        if (check instanceof Check.Exact exact) {
            return text.strip().equals(exact.value().strip()) ? pass("equals " + quoted(exact.value()))
                    : fail("expected exactly " + quoted(exact.value()) + ", got " + quoted(text));
        }
        if (check instanceof Check.Contains contains) {
            return text.contains(contains.value()) ? pass("contains " + quoted(contains.value()))
                    : fail("does not contain " + quoted(contains.value()) + ": " + quoted(text));
        }
        if (check instanceof Check.Regex regex) return regex(regex, text);
        if (check instanceof Check.OneOf oneOf) {
            return oneOf.values().contains(text.strip()) ? pass("is " + quoted(text.strip()))
                    : fail("expected one of " + oneOf.values() + ", got " + quoted(text));
        }
        if (check instanceof Check.NumberCheck number) return number(number, text);
        if (check instanceof Check.JsonSchema schema) return jsonSchema(schema, text);
        if (check instanceof Check.Semantic semantic) return semantic(semantic, text, similarity);
        return toolCall((Check.ToolCall) check, answer);
    }

    private static ItemResult regex(Check.Regex regex, String text) {
        String input = text.length() > MAX_REGEX_INPUT ? text.substring(0, MAX_REGEX_INPUT) : text;
        try {
            Matcher matcher = regex.compiled().matcher(new Budgeted(input, MAX_REGEX_STEPS));
            return matcher.find() ? pass("matches /" + ItemReader.echoed(regex.pattern()) + "/ at " + quoted(matcher.group()))
                    : fail("does not match /" + ItemReader.echoed(regex.pattern()) + "/: " + quoted(text));
        } catch (Budgeted.Exhausted e) {
            return fail("the regex gave up after " + MAX_REGEX_STEPS + " steps (catastrophic backtracking?) on " + quoted(text));
        }
    }

    private static ItemResult number(Check.NumberCheck check, String text) {
        Matcher matcher = NUMBER.matcher(text.length() > MAX_REGEX_INPUT ? text.substring(0, MAX_REGEX_INPUT) : text);
        String expected = plain(check.value()) + (check.tolerance() > 0 ? " ± " + plain(check.tolerance()) : "");
        if (!matcher.find()) return fail("expected the number " + expected + ", found no number in " + quoted(text));
        double found = Double.parseDouble(matcher.group().replace(",", ""));
        return Math.abs(found - check.value()) <= check.tolerance() ? pass("found " + plain(found) + ", expected " + expected)
                : fail("first number is " + plain(found) + ", expected " + expected);
    }

    private static ItemResult jsonSchema(Check.JsonSchema check, String text) {
        Matcher fence = FENCE.matcher(text.length() > MAX_JSON_INPUT ? text.substring(0, MAX_JSON_INPUT) : text);
        String json = (fence.find() ? fence.group(1) : text).strip();
        if (json.length() > MAX_JSON_INPUT) return fail("the answer's JSON is over " + MAX_JSON_INPUT + " characters");
        JsonNode parsed;
        try {
            parsed = GoldenSets.JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return fail("the answer is not JSON (" + ItemReader.echoed(String.valueOf(e.getOriginalMessage())) + "): " + quoted(text));
        }
        if (parsed == null || parsed.isMissingNode()) return fail("the answer holds no JSON: " + quoted(text));
        Set<ValidationMessage> errors = check.compiled().validate(parsed);
        if (errors.isEmpty()) return pass("valid against the schema");
        String first = errors.stream().map(ValidationMessage::getMessage).min(Comparator.naturalOrder()).orElseThrow();
        return fail("invalid against the schema (" + errors.size() + " error(s)): " + first);
    }

    private static ItemResult semantic(Check.Semantic check, String text, Similarity similarity) {
        double score = similarity == Similarity.NONE ? Double.NaN : similarity.between(text, check.reference());
        if (Double.isNaN(score)) return fail("semantic checks need the embedding model");
        String compared = String.format(Locale.ROOT, "similarity %.3f", score);
        return score >= check.minSimilarity()
                ? pass(compared + " >= " + plain(check.minSimilarity()))
                : fail(compared + " < " + plain(check.minSimilarity()) + " to the reference: " + quoted(text));
    }

    private static ItemResult toolCall(Check.ToolCall check, AssembledResponse answer) {
        List<AssembledResponse.ToolCall> calls = answer.toolCalls();
        if (calls.isEmpty()) return fail("expected a call to " + check.name() + ", got no tool call but text " + quoted(answer.text()));
        AssembledResponse.ToolCall call = calls.get(0);
        if (!check.name().equals(call.name())) {
            return fail("expected a call to " + check.name() + ", got a call to " + quoted(String.valueOf(call.name())));
        }
        JsonNode expected = check.arguments();
        if (expected == null || expected.isEmpty()) return pass("calls " + check.name());
        JsonNode arguments;
        try {
            String raw = call.arguments() == null ? "" : call.arguments();
            if (raw.length() > MAX_JSON_INPUT) return fail("the call's arguments are over " + MAX_JSON_INPUT + " characters");
            arguments = GoldenSets.JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            return fail("the call's arguments are not JSON: " + quoted(call.arguments()));
        }
        if (arguments == null || !arguments.isObject()) return fail("the call's arguments are not an object: " + quoted(call.arguments()));
        Iterator<Map.Entry<String, JsonNode>> fields = expected.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            JsonNode actual = arguments.get(field.getKey());
            if (actual == null) return fail("the call to " + check.name() + " has no argument " + field.getKey());
            if (!field.getValue().equals(NUMBERS_BY_VALUE, actual)) {
                return fail("argument " + field.getKey() + " is " + ItemReader.shown(actual) + ", expected " + ItemReader.shown(field.getValue()));
            }
        }
        return pass("calls " + check.name() + " with " + ItemReader.echoed(expected.toString()));
    }

    /** 1 equals 1.0: a model writes numbers as it likes. */
    private static final Comparator<JsonNode> NUMBERS_BY_VALUE = (a, b) -> {
        if (a.equals(b)) return 0;
        if (a.isNumber() && b.isNumber()) return a.decimalValue().compareTo(b.decimalValue()) == 0 ? 0 : 1;
        return 1;
    };

    private static ItemResult pass(String detail) {
        return new ItemResult(true, detail);
    }

    private static ItemResult fail(String detail) {
        return new ItemResult(false, detail);
    }

    private static String quoted(String text) {
        String flat = text == null ? "" : text.strip();
        return "'" + (flat.length() <= MAX_QUOTED ? flat : flat.substring(0, MAX_QUOTED) + "...") + "'";
    }

    private static String plain(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }

    /**
     * The answer as a regex sees it, counting every character read: past the budget the match is
     * abandoned. {@link java.util.regex} has no timeout, and backtracking re-reads characters, so the
     * number of reads bounds the work whatever the pattern.
     */
    private static final class Budgeted implements CharSequence {

        static final class Exhausted extends RuntimeException {
            Exhausted() {
                super(null, null, false, false);
            }
        }

        private final String text;
        private final long[] left;

        Budgeted(String text, long budget) {
            this(text, new long[] {budget});
        }

        private Budgeted(String text, long[] left) {
            this.text = text;
            this.left = left;
        }

        @Override
        public char charAt(int index) {
            if (--left[0] < 0) throw new Exhausted();
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Budgeted(text.substring(start, end), left);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
