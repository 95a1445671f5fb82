package dev.turnout.hostile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A client on a bare socket, so a test decides exactly when it hangs up. */
final class RawClient implements AutoCloseable {

    private final Socket socket;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();

    private RawClient(Socket socket) {
        this.socket = socket;
    }

    /** Connects and sends one POST with {@code json} as its body. */
    static RawClient post(int port, String path, String json) {
        try {
            Socket socket = new Socket("127.0.0.1", port);
            socket.setSoTimeout(5_000);
            byte[] body = json.getBytes(StandardCharsets.UTF_8);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n"
                    + "content-length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(body);
            socket.getOutputStream().flush();
            return new RawClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads until what was received contains {@code text}; fails after the socket's 5 s timeout. */
    String readUntil(String text) {
        try {
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[4096];
            while (!received.toString(StandardCharsets.UTF_8).contains(text)) {
                int n = in.read(buffer);
                if (n < 0) throw new AssertionError("connection closed before " + text + " in " + received);
                received.write(buffer, 0, n);
            }
            return received.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
