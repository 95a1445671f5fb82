package dev.turnout.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} process for tests: the one on PATH if there is one, else the Linux
 * binary shipped inside {@code com.github.codemonstur:embedded-redis} (Redis 6.2). Loopback only,
 * a free port, no snapshots, no append-only file.
 *
 * <p>{@link #stop()} and {@link #start()} keep the port, to test Redis going away and coming back
 * <em>empty</em> (a restart without persistence); {@link #stopKeepingData()} saves a snapshot on
 * the way down (SHUTDOWN SAVE) that the next {@link #start()} loads, as a Redis with persistence.
 *
 * <p>{@link #pause()} and {@link #resume()} send SIGSTOP and SIGCONT: a Redis that hangs with its
 * connections open, the failure timeouts and queue caps exist for. {@link #startNew(String...)}
 * passes extra options ({@code --cluster-enabled yes}, {@code --replicaof}); {@link #sentinel}
 * runs {@code redis-server --sentinel} watching one master.
 *
 * <p>Use it directly ({@link #startNew()}, {@link #close()}) or as an extension:
 * {@code @RegisterExtension static final RedisServer REDIS = RedisServer.extension();}, which
 * starts it before the class's tests, stops it after them, and starts it again before a test if
 * an earlier one left it stopped.
 */
public final class RedisServer implements AutoCloseable, BeforeAllCallback, BeforeEachCallback, AfterAllCallback {

    private static Path binary;

    private final Path directory;
    private final List<String> options;
    private String sentinelOf; // the sentinel's config lines; null for a server
    private int port;
    private Process process;

    private RedisServer() {
        this(List.of());
    }

    private RedisServer(List<String> options) {
        this.options = List.copyOf(options);
        try {
            this.directory = Files.createTempDirectory("turnout-redis");
            directory.toFile().deleteOnExit();
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a directory for redis-server: " + e.getMessage(), e);
        }
    }

    /** A running server on a free port, with extra command-line options. */
    public static RedisServer startNew(String... extraOptions) {
        RedisServer server = new RedisServer(List.of(extraOptions));
        server.startOnFreePort();
        return server;
    }

    /**
     * A cluster node ({@code cluster-enabled yes}, its nodes.conf in its own directory) on a port
     * whose cluster bus port (port + 10000) is free too; it holds no slots until it is given some.
     */
    public static RedisServer startClusterNode() {
        RedisServer server = new RedisServer(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                "--cluster-node-timeout", "2000"));
        server.startOnFreePort();
        return server;
    }

    /** A sentinel watching {@code masterName} at {@code masterPort}, quorum 1, declaring it down after {@code downAfterMs}. */
    public static RedisServer sentinel(String masterName, int masterPort, long downAfterMs) {
        RedisServer server = new RedisServer(List.of("--sentinel"));
        server.sentinelOf = String.join("\n", "sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " 1",
                "sentinel down-after-milliseconds " + masterName + " " + downAfterMs,
                "sentinel failover-timeout " + masterName + " 2000", "");
        server.startOnFreePort();
        return server;
    }


    private void startOnFreePort() {
        // The free port can be taken by another process before redis-server binds it: try another.
        for (int attempt = 1; ; attempt++) {
            port = options.contains("--cluster-enabled") ? freePortWithBus() : freePort();
            try {
                start();
                return;
            } catch (IllegalStateException e) {
                if (attempt == 3) throw e;
            }
        }
    }

    /** Not started yet: the extension starts it before the tests of the class that registers it. */
    public static RedisServer extension() {
        return new RedisServer();
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Starts the server on its port; loads the snapshot {@link #stopKeepingData()} left, if any. */
    public synchronized void start() {
        if (isRunning()) return;
        try {
            List<String> command = new java.util.ArrayList<>(List.of(binary().toString()));
            if (sentinelOf != null) {
                // A sentinel reads (and rewrites) a config file, and takes only sentinel options.
                Path config = directory.resolve("sentinel.conf");
                Files.writeString(config, String.join("\n", "port " + port, "bind 127.0.0.1", "protected-mode no",
                        "dir " + directory, sentinelOf));
                command.addAll(List.of(config.toString(), "--sentinel"));
            } else {
                command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                        "--appendonly", "no", "--protected-mode", "no", "--dir", directory.toString(), "--dbfilename", "dump.rdb"));
                command.addAll(options);
            }
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary + ": " + e.getMessage(), e);
        }
        awaitListening();
    }

    /** Stops the server; it comes back empty, as a Redis without persistence does after a restart. */
    public synchronized void stop() {
        if (process == null) return;
        process.destroy(); // SIGTERM: with no save points configured, Redis exits without a snapshot
        awaitExit();
        deleteSnapshot();
    }

    /** Stops the server after writing a snapshot, which the next {@link #start()} loads. */
    public synchronized void stopKeepingData() {
        if (process == null) return;
        try (Socket socket = new Socket("127.0.0.1", port); OutputStream out = socket.getOutputStream()) {
            out.write("*2\r\n$8\r\nSHUTDOWN\r\n$4\r\nSAVE\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            socket.getInputStream().read(); // returns when Redis has saved and closed the connection
        } catch (IOException e) {
            throw new IllegalStateException("cannot send SHUTDOWN SAVE to redis-server: " + e.getMessage(), e);
        }
        awaitExit();
        if (!Files.exists(directory.resolve("dump.rdb"))) throw new IllegalStateException("redis-server saved no snapshot");
    }

    /** SIGSTOP: the server hangs, its connections stay open, nothing is answered. */
    public synchronized void pause() {
        signal("-STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public synchronized void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        if (process == null) throw new IllegalStateException("redis-server is not running");
        try {
            // The shell's own kill: a minimal machine may have no kill binary (procps), never no sh.
            int exit = new ProcessBuilder("sh", "-c", "kill " + signal + " " + process.pid()).start().waitFor();
            if (exit != 0) throw new IllegalStateException("kill " + signal + " " + process.pid() + " exited with " + exit);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: gone at once, as a crashed host; nothing is saved. */
    public synchronized void kill() {
        if (process == null) return;
        process.destroyForcibly();
        awaitExit();
        deleteSnapshot();
    }

    @Override
    public void close() {
        if (process != null) resume(); // a paused server ignores SIGTERM until it runs again
        stop();
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        if (port == 0) startOnFreePort();
        else start();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    private void awaitExit() {
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private void deleteSnapshot() {
        try {
            Files.deleteIfExists(directory.resolve("dump.rdb"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitListening() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                process = null;
                throw new IllegalStateException("redis-server exited at start (port " + port + " taken?)");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                // A process start, not a test's synchronisation: there is no event to wait on.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
        throw new IllegalStateException("redis-server did not listen on port " + port + " within 10 s");
    }

    private static synchronized Path binary() {
        if (binary != null) return binary;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return binary = candidate;
        }
        String resource = embeddedBinary();
        try (InputStream in = RedisServer.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no redis-server on PATH and no " + resource + " in embedded-redis;"
                        + " install redis-server or add com.github.codemonstur:embedded-redis to the test classpath");
            }
            Path file = Files.createTempFile("turnout-redis-server", "");
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
            file.toFile().deleteOnExit();
            return binary = file;
        } catch (IOException e) {
            throw new IllegalStateException("cannot extract the embedded redis-server: " + e.getMessage(), e);
        }
    }

    private static String embeddedBinary() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        boolean arm = arch.contains("aarch64") || arch.contains("arm");
        if (os.contains("mac")) return arm ? "/redis-server-6.2.6-v5-darwin-arm64" : "/redis-server-6.2.6-v5-darwin-amd64";
        return arm ? "/redis-server-6.2.7-linux-arm64" : "/redis-server-6.2.6-v5-linux-amd64";
    }

    /** A free port below 55536 whose cluster bus port (+10000) is free as well. */
    private static int freePortWithBus() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int candidate = freePort();
            if (candidate + 10000 > 65535) continue;
            try (ServerSocket bus = new ServerSocket(candidate + 10000)) {
                return candidate;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IllegalStateException("no free port pair (port, port + 10000) for a cluster node");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
