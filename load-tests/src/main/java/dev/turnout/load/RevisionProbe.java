package dev.turnout.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Asks one gateway's data plane which route revision it serves ({@code GET /v1/models}, header
 * {@code x-turnout-revision}) over one kept-alive socket, with blocking reads on the caller's thread.
 * The JDK's HttpClient hands each request across three threads; on a busy 2-core machine each hand-off
 * waits for a core, and one probe took 7 ms at the median (19 ms p99) while the change it looked for
 * was long applied: the probe, not the propagation, was the figure. This one costs one write and one
 * read, so what is left is the gateways' own delay. A gateway that closes the connection fails the
 * probe (the bench's gateways keep it: their header timeout is far longer than a change takes).
 */
final class RevisionProbe implements AutoCloseable {

    private static final byte[] REQUEST = "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final int port;
    private final byte[] buffer = new byte[16_384];
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    RevisionProbe(int port) {
        this.port = port;
    }

    /** The revision served now. */
    long revision() throws IOException {
        send();
        return receive();
    }

    /**
     * Sends the question. With {@link #receive} apart, several gateways can be asked at once from
     * one thread: all asked, then all read, so their answers are prepared in parallel.
     */
    void send() throws IOException {
        if (socket == null) {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }
        out.write(REQUEST);
        out.flush();
    }

    /** The revision in the answer to the last {@link #send}. */
    long receive() throws IOException {
        int filled = 0;
        int headEnd;
        while ((headEnd = headEnd(filled)) < 0) filled = read(filled);
        String head = new String(buffer, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        long revision = Long.parseLong(header(head, "x-turnout-revision", "0"));
        int bodyStart = headEnd + 4;
        if (head.contains("\ntransfer-encoding: chunked")) {
            while (!endsWith(filled, "0\r\n\r\n")) filled = read(filled);
        } else {
            int total = bodyStart + Integer.parseInt(header(head, "content-length", "0"));
            while (filled < total) filled = read(filled);
        }
        return revision;
    }

    private int read(int filled) throws IOException {
        if (filled == buffer.length) throw new IOException("response larger than " + buffer.length + " bytes");
        int read = in.read(buffer, filled, buffer.length - filled);
        if (read < 0) throw new IOException("connection closed");
        return filled + read;
    }

    private int headEnd(int filled) {
        for (int i = 0; i + 3 < filled; i++) {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') return i;
        }
        return -1;
    }

    private boolean endsWith(int filled, String suffix) {
        if (filled < suffix.length()) return false;
        for (int i = 0; i < suffix.length(); i++) {
            if (buffer[filled - suffix.length() + i] != suffix.charAt(i)) return false;
        }
        return true;
    }

    private static String header(String head, String name, String absent) {
        int at = head.indexOf("\n" + name + ":");
        if (at < 0) return absent;
        int end = head.indexOf('\r', at + 1);
        return head.substring(at + name.length() + 2, end < 0 ? head.length() : end).trim();
    }

    @Override
    public void close() {
        try {
            if (socket != null) socket.close();
        } catch (IOException ignored) {
            // closing a probe's socket: nothing to recover
        }
        socket = null;
    }
}
