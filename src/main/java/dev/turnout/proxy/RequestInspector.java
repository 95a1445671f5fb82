package dev.turnout.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.io.IOException;

/**
 * Reads the top-level fields the gateway routes on with Jackson's streaming parser: one pass, no
 * tree, nested values skipped. The pass still runs to the end of the document, so malformed JSON
 * is rejected here rather than by the upstream.
 */
public final class RequestInspector {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    private RequestInspector() {}

    /** Inspects a request body; throws {@link InvalidBodyException} with an OpenAI-style message. */
    public static InspectedRequest inspect(byte[] body, int length) {
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
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
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
                        responseFormat = responseFormatType(parser, value);
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

    private static String responseFormatType(JsonParser parser, JsonToken value) throws IOException {
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

        InvalidBodyException(String param, String message) {
            super(message, null, false, false);
            this.param = param;
        }

        public String param() {
            return param;
        }
    }
}
