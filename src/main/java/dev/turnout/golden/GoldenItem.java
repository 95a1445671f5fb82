package dev.turnout.golden;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One golden question and what its answer must satisfy.
 *
 * @param request the OpenAI request body without {@code model} (the probe names the version it
 *                asks): {@code messages} for {@code /chat/completions} or {@code prompt} for the
 *                legacy {@code /completions}, with the item's {@code params} merged in. Held as a
 *                copy and handed out as a copy, so no caller can change an item another one shares.
 */
public record GoldenItem(String id, ObjectNode request, Check check) {

    public GoldenItem {
        requireNonNull(id, "id");
        requireNonNull(request, "request");
        requireNonNull(check, "check");
        if (!GoldenSets.ID.matcher(id).matches()) {
            throw new IllegalArgumentException("id must match " + GoldenSets.ID.pattern() + ", got " + id);
        }
        if (request.has("messages") == request.has("prompt")) {
            throw new IllegalArgumentException("request must hold exactly one of messages and prompt");
        }
        request = request.deepCopy();
    }

    @Override
    public ObjectNode request() {
        return request.deepCopy();
    }

    /** True for {@code /chat/completions} (the request has {@code messages}), false for {@code /completions}. */
    public boolean chat() {
        return request.has("messages");
    }
}
