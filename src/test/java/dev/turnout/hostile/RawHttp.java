package dev.turnout.hostile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.turnout.testing.Http;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * HTTP/1.1 written byte for byte on a socket, so a test sends exactly the Host, Origin and
 * Content-Type an attacker's browser or script would (JDK clients refuse to set Host).
 */
final class RawHttp {

    record Answer(int status, String head, String body) {
        JsonNode json() {
            try {
                return Http.JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + head + "\n\n" + body, e);
            }
        }
    }

    private final int port;
    private final Map<String, String> headers = new LinkedHashMap<>();

    private RawHttp(int port) {
        this.port = port;
        headers.put("Host", "127.0.0.1:" + port);
    }

    /** A request to the loopback port, with {@code Host: 127.0.0.1:<port>} unless replaced. */
    static RawHttp to(int port) {
        return new RawHttp(port);
    }

    RawHttp header(String name, String value) {
        headers.keySet().removeIf(existing -> existing.equalsIgnoreCase(name));
        headers.put(name, value);
        return this;
    }

    Answer send(String method, String path, String body) {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("Content-Length: ").append(content.length).append("\r\nConnection: close\r\n\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            String answer = readAll(socket.getInputStream());
            int split = answer.indexOf("\r\n\r\n");
            String answerHead = split < 0 ? answer : answer.substring(0, split);
            String answerBody = split < 0 ? "" : answer.substring(split + 4);
            return new Answer(Integer.parseInt(answerHead.substring(9, 12)), answerHead, answerBody);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        in.transferTo(all);
        return all.toString(StandardCharsets.UTF_8);
    }
}
