package dev.turnout.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads the top-level fields the gateway routes on with Jackson's streaming parser: one pass, no
 * tree, nested values skipped. The pass still runs to the end of the document, so malformed JSON
 * is rejected here rather than by the upstream.
 * <p>
 * A top-level key may appear once: with two {@code model} keys the gateway would route on one
 * while the upstream reads the other. Only top-level names are tracked (a small set per request);
 * Jackson's {@code STRICT_DUPLICATE_DETECTION} would track every nested object too (whole chat
 * histories, tool schemas) for keys the gateway never reads and passes through untouched.
 */
public final class RequestInspector {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private RequestInspector() {}

    /** Inspects a request body; throws {@link InvalidBodyException} with an OpenAI-style message. */
    public static InspectedRequest inspect(byte[] body, int length) {
        JsonEncoding.requireUtf8(body, length);
        String model = null;
        int modelStart = -1;
        int modelEnd = -1;
        String user = null;
        boolean stream = false;
        String responseFormat = null;
        try (JsonParser parser = JSON.createParser(body, 0, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidBodyException(null, "The request body must be a JSON object.");
            }
            TopLevelKeys seen = new TopLevelKeys();
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                if (!seen.add(field)) throw duplicate(field);
                JsonToken value = parser.nextToken();
                switch (field) {
                    case "model":
                        if (value != JsonToken.VALUE_STRING) {
                            throw new InvalidBodyException("model", "'model' must be a string naming a model.");
                        }
                        modelStart = (int) parser.currentTokenLocation().getByteOffset();
                        model = parser.getText();
                        // After getText() the parser has consumed the closing quote.
                        modelEnd = (int) parser.currentLocation().getByteOffset();
                        break;
                    case "user":
                        if (value == JsonToken.VALUE_STRING) user = parser.getText();
                        break;
                    case "stream":
                        stream = value == JsonToken.VALUE_TRUE;
                        break;
                    case "response_format":
                        responseFormat = objectType(parser, value);
                        break;
                    case "text":
                        // The Responses API asks for JSON with text.format; chat with response_format.
                        responseFormat = textFormatType(parser, value);
                        break;
                    default:
                        parser.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                throw new InvalidBodyException(null, "The request body must be a single JSON object.");
            }
        } catch (JsonParseException e) {
            throw new InvalidBodyException(null, "We could not parse the JSON body of your request: "
                    + e.getOriginalMessage() + " (at byte " + e.getLocation().getByteOffset() + ")");
        } catch (IOException e) {
            throw new InvalidBodyException(null, "We could not read the JSON body of your request: " + e.getMessage());
        }
        if (model == null) {
            throw new InvalidBodyException("model", "You must provide a model parameter.");
        }
        return new InspectedRequest(model, modelStart, modelEnd, user, stream, responseFormat);
    }

    private static InvalidBodyException duplicate(String field) {
        String shown = field.length() > 100 ? field.substring(0, 100) + "..." : field;
        return new InvalidBodyException(shown, "duplicate_key", "The request body has the key '" + shown + "' more than once; "
                + "each top-level key may appear only once.");
    }

    /** {@code format.type} of the Responses API's {@code text} object, or null. */
    private static String textFormatType(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return null;
        }
        String type = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken inner = parser.nextToken();
            if (field.equals("format")) type = objectType(parser, inner);
            else parser.skipChildren();
        }
        return type;
    }

    /** The {@code type} of an object value such as {@code response_format}, or null. */
    private static String objectType(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            parser.skipChildren();
            return null;
        }
        String type = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken inner = parser.nextToken();
            if (field.equals("type") && inner == JsonToken.VALUE_STRING) type = parser.getText();
            else parser.skipChildren();
        }
        return type;
    }

    /**
     * The top-level keys seen so far. Requests carry a handful, so they are compared in a small
     * array (no hash set per request); past {@value #SCANNED} a set takes over, so a body with
     * thousands of keys is not checked in quadratic time.
     */
    private static final class TopLevelKeys {
        private static final int SCANNED = 16;
        private final String[] first = new String[SCANNED];
        private int count;
        private Set<String> rest;

        /** False when {@code key} was seen before. */
        boolean add(String key) {
            if (rest != null) return rest.add(key);
            for (int i = 0; i < count; i++) {
                if (first[i].equals(key)) return false;
            }
            if (count < SCANNED) {
                first[count++] = key;
                return true;
            }
            rest = new HashSet<>(Arrays.asList(first));
            return rest.add(key);
        }
    }

    /** The JSON string literal (with quotes) for a model name, to splice into a body. */
    public static byte[] jsonString(String value) {
        byte[] escaped = JsonStringEncoder.getInstance().quoteAsUTF8(value);
        byte[] quoted = new byte[escaped.length + 2];
        quoted[0] = '"';
        System.arraycopy(escaped, 0, quoted, 1, escaped.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

    /** A body the gateway refuses with 400; {@code param} names the field at fault, if one is. */
    public static final class InvalidBodyException extends RuntimeException {
        private final String param;
        private final String code;

        InvalidBodyException(String param, String message) {
            this(param, null, message);
        }

        InvalidBodyException(String param, String code, String message) {
            super(message, null, false, false);
            this.param = param;
            this.code = code;
        }

        public String param() {
            return param;
        }

        /** OpenAI's {@code code} for the error, or null (as OpenAI sends for malformed JSON). */
        public String code() {
            return code;
        }
    }
}
