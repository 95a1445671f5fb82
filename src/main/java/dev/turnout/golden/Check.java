package dev.turnout.golden;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a golden item's answer must satisfy. Every check is a value: two sets that say the same
 * thing are equal, which is what lets {@link GoldenSets#toJsonl} round-trip. {@link GoldenSets}
 * builds them from untrusted documents and checks every bound; the constructors only refuse nulls.
 */
public sealed interface Check {

    /** The name in a document's {@code check.kind}. */
    String kind();

    /** The answer's text, stripped of surrounding white space, equals {@code value} (also stripped). */
    record Exact(String value) implements Check {
        public Exact {
            requireNonNull(value, "value");
        }

        @Override
        public String kind() {
            return "exact";
        }
    }

    /**
     * The answer's text holds {@code value}, case-sensitive. One substring per check: several that
     * must all appear are a regex such as {@code (?s)(?=.*refund)(?=.*14 days)}.
     */
    record Contains(String value) implements Check {
        public Contains {
            requireNonNull(value, "value");
        }

        @Override
        public String kind() {
            return "contains";
        }
    }

    /**
     * {@code pattern} is found somewhere in the answer's text ({@link java.util.regex.Matcher#find}).
     * Compiled once, here; equality is the pattern's text, as a document states it.
     */
    record Regex(String pattern, Pattern compiled) implements Check {
        public Regex {
            requireNonNull(pattern, "pattern");
            requireNonNull(compiled, "compiled");
            if (!compiled.pattern().equals(pattern)) throw new IllegalArgumentException("compiled is not " + pattern);
        }

        /** @throws java.util.regex.PatternSyntaxException when the pattern does not compile */
        public Regex(String pattern) {
            this(pattern, Pattern.compile(pattern));
        }

        @Override
        public String kind() {
            return "regex";
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Regex regex && regex.pattern.equals(pattern);
        }

        @Override
        public int hashCode() {
            return pattern.hashCode();
        }
    }

    /** The answer's stripped text equals one of {@code values} exactly (a label from a fixed list). */
    record OneOf(List<String> values) implements Check {
        public OneOf {
            values = List.copyOf(values);
        }

        @Override
        public String kind() {
            return "oneOf";
        }
    }

    /** The first number in the answer's text is within {@code tolerance} of {@code value}. */
    record NumberCheck(double value, double tolerance) implements Check {
        @Override
        public String kind() {
            return "number";
        }
    }

    /**
     * The answer parses as JSON (the text itself, or the inside of its first {@code ```json} or
     * {@code ```} fence) and is valid against {@code schema}. Compiled once, here; equality is the
     * schema as written.
     */
    record JsonSchema(JsonNode schema, com.networknt.schema.JsonSchema compiled) implements Check {
        public JsonSchema {
            requireNonNull(schema, "schema");
            requireNonNull(compiled, "compiled");
            schema = schema.deepCopy();
        }

        /** @throws RuntimeException from the validator when the schema cannot be compiled */
        public JsonSchema(JsonNode schema) {
            this(schema, Schemas.compile(schema));
        }

        @Override
        public JsonNode schema() {
            return schema.deepCopy();
        }

        @Override
        public String kind() {
            return "jsonSchema";
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof JsonSchema that && that.schema.equals(schema);
        }

        @Override
        public int hashCode() {
            return schema.hashCode();
        }
    }

    /** The answer's text means what {@code reference} means: their similarity is at least {@code minSimilarity}. */
    record Semantic(String reference, double minSimilarity) implements Check {
        public Semantic {
            requireNonNull(reference, "reference");
        }

        @Override
        public String kind() {
            return "semantic";
        }
    }

    /**
     * The answer's first tool call is to {@code name}, and its arguments (a JSON object) hold every
     * key of {@code arguments} with an equal value (numbers compared by value: 1 equals 1.0); keys
     * the check does not name may hold anything. Null or empty {@code arguments}: only the name counts.
     */
    record ToolCall(String name, JsonNode arguments) implements Check {
        public ToolCall {
            requireNonNull(name, "name");
            arguments = arguments == null || arguments.isNull() ? null : arguments.deepCopy();
        }

        @Override
        public JsonNode arguments() {
            return arguments == null ? null : arguments.deepCopy();
        }

        @Override
        public String kind() {
            return "toolCall";
        }
    }
}
