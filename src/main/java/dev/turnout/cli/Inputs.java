package dev.turnout.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.turnout.route.RouteCodec;
import java.io.IOException;
import java.nio.file.Path;

/** A file a command sends; one it cannot read is the operator's mistake (exit 1), never a crash. */
final class Inputs {

    private Inputs() {}

    static String text(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (IOException e) {
            throw AdminFailure.refused("cannot read " + file + ": " + e);
        }
    }

    /** A file holding one mapping, YAML or JSON (YAML reads both); {@code what} names it when it is something else. */
    static ObjectNode tree(Path file, String what) {
        try {
            JsonNode node = RouteCodec.YAML.readTree(text(file));
            if (node == null || !node.isObject()) throw AdminFailure.refused(file + ": not " + what);
            return (ObjectNode) node;
        } catch (JsonProcessingException e) {
            throw AdminFailure.refused(file + ": not valid YAML or JSON: " + e.getOriginalMessage());
        }
    }
}
