package dev.turnout.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Heap per idle client connection: the gateway's heap after a full GC, before and after opening
 * N keep-alive connections that each made one request and then stay idle.
 */
final class IdleConnections {

    private IdleConnections() {}

    static long measure(Process gateway, int port, int connections) throws IOException {
        long before = Processes.heapUsedAfterGc(gateway);
        List<Socket> sockets = new ArrayList<>(connections);
        byte[] request = ("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] buffer = new byte[4096];
        try {
            for (int i = 0; i < connections; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                sockets.add(socket);
                OutputStream out = socket.getOutputStream();
                out.write(request);
                out.flush();
                InputStream in = socket.getInputStream();
                // One small response: read until its JSON body has closed.
                String seen = "";
                while (!seen.endsWith("]}")) {
                    int read = in.read(buffer);
                    if (read < 0) throw new IOException("connection " + i + " closed early");
                    seen = (seen + new String(buffer, 0, read, StandardCharsets.US_ASCII)).trim();
                }
            }
            long after = Processes.heapUsedAfterGc(gateway);
            return (after - before) / connections;
        } finally {
            for (Socket socket : sockets) socket.close();
        }
    }
}
