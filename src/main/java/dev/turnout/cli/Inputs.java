package dev.turnout.cli;

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
}
