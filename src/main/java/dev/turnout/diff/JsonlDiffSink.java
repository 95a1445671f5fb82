package dev.turnout.diff;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One JSON line per pair, buffered and flushed at the end of each batch (on the differ's thread,
 * so no event loop waits on the disk). When the file passes {@code maxBytes} it becomes
 * {@code file.1} (older ones shift up, the oldest of {@code keep} is deleted) and a new file starts.
 */
public final class JsonlDiffSink implements DiffSink {

    private static final Logger LOG = Logger.getLogger(JsonlDiffSink.class.getName());

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private BufferedWriter out;
    private long written;

    public JsonlDiffSink(Path file, long maxBytes, int keep) {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
    }

    @Override
    public void accept(DiffRecord record) {
        String line = record.toJson().toString() + "\n";
        try {
            if (out == null) open();
            out.write(line);
            written += line.getBytes(StandardCharsets.UTF_8).length;
            if (written >= maxBytes) rotate();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write the diff log " + file + ": " + e.getMessage());
            out = null;
        }
    }

    @Override
    public void flush() {
        try {
            if (out != null) out.flush();
        } catch (IOException e) {
            LOG.log(Level.WARNING, "cannot write the diff log " + file + ": " + e.getMessage());
            out = null;
        }
    }

    private void open() throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        written = Files.size(file);
    }

    private void rotate() throws IOException {
        out.close();
        out = null;
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
    }

    private Path rotated(int index) {
        return file.resolveSibling(file.getFileName() + "." + index);
    }

    @Override
    public void close() {
        try {
            if (out != null) out.close();
        } catch (IOException e) {
            LOG.log(Level.FINE, "closing the diff log", e);
        }
    }
}
