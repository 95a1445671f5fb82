package dev.turnout.proxy;

/**
 * What the gateway needs from a request body, found in one streaming pass without building a
 * tree: the {@code model} and where its value sits (so it can be replaced by splicing bytes), the
 * {@code user} field, whether the response streams, and the requested response format
 * ({@code response_format.type}, or {@code text.format.type} for the Responses API).
 *
 * @param modelStart offset of the model value's opening quote
 * @param modelEnd   offset just past its closing quote
 */
public record InspectedRequest(String model, int modelStart, int modelEnd, String user, boolean stream,
                               String responseFormat) {

    /** True when the request asked for a JSON answer ({@code json_object} or {@code json_schema}). */
    public boolean wantsJson() {
        return "json_object".equals(responseFormat) || "json_schema".equals(responseFormat);
    }
}
