package dev.turnout.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The processes under test: simulators, gateways, nginx, Portkey, redis-server. All stopped at exit. */
final class Processes implements AutoCloseable {

    private final Path jar;
    private final Path work;
    private final Machine machine;
    private final List<Process> started = new ArrayList<>();

    Processes(Path jar, Path work, Machine machine) {
        this.jar = jar;
        this.work = work;
        this.machine = machine;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A simulator with as many event loops as the simulators' cores (one server per loop, one port). */
    Process sim(String name, int port, int tokens, long tokenMs) {
        return start(Machine.Role.SIMULATOR, List.of("java", "-Xmx256m", "-jar", jar.toString(), "sim", "--name", name,
                "--port", Integer.toString(port), "--tokens", Integer.toString(tokens), "--token-ms", Long.toString(tokenMs),
                "--event-loops", Integer.toString(machine.coresOf(Machine.Role.SIMULATOR))), Map.of(), "sim-" + name, port);
    }

    /** The gateway under test is a {@link Machine.Role#PROXY}; the extra ones of the rollback run are not. */
    Process gateway(String name, String routesYaml, int port, int adminPort, Map<String, String> env) {
        return gateway(Machine.Role.OTHER, name, routesYaml, port, adminPort, env);
    }

    /** A gateway from a routes file, with the given TURNOUT_* environment, one event loop per core of its role. */
    Process gateway(Machine.Role role, String name, String routesYaml, int port, int adminPort, Map<String, String> env) {
        Path routes = work.resolve(name + "-routes.yaml");
        write(routes, routesYaml);
        Map<String, String> all = new java.util.HashMap<>(env);
        all.put("TURNOUT_ROUTES", routes.toString());
        all.put("TURNOUT_PORT", Integer.toString(port));
        all.put("TURNOUT_ADMIN_PORT", Integer.toString(adminPort));
        all.put("TURNOUT_HOST", "127.0.0.1");
        all.put("TURNOUT_DIFF_LOG", work.resolve(name + "-diffs.jsonl").toString());
        all.put("TURNOUT_INSTANCE_ID", name);
        all.putIfAbsent("TURNOUT_EVENT_LOOPS", Integer.toString(machine.coresOf(role)));
        // A proxy's live set is small: a 128 MiB heap keeps the resident size honest (the design target: ≤ 256 MiB).
        return start(role, List.of("java", "-Xmx128m", "-Xlog:gc:file=" + work.resolve(name + "-gc.log"), "-jar", jar.toString(), "serve"),
                all, name, port);
    }

    /** nginx as a plain reverse proxy with upstream keep-alive, the fair baseline; null when absent. */
    Process nginx(int port, int upstreamPort) {
        Path binary = Path.of("/usr/sbin/nginx");
        if (!Files.isExecutable(binary)) return null;
        Path dir = work.resolve("nginx");
        write(dir.resolve("logs/.keep"), "");
        write(dir.resolve("nginx.conf"), String.join("\n",
                "worker_processes " + machine.coresOf(Machine.Role.PROXY) + ";",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("logs/error.log") + " warn;",
                "daemon off;",
                "events { worker_connections 20000; }",
                "http {",
                "  access_log off;",
                "  client_body_temp_path " + dir.resolve("tmp") + ";",
                "  proxy_temp_path " + dir.resolve("tmp") + ";",
                "  upstream sim { server 127.0.0.1:" + upstreamPort + "; keepalive 256; }",
                "  server {",
                "    listen 127.0.0.1:" + port + ";",
                "    location / {",
                "      proxy_pass http://sim;",
                "      proxy_http_version 1.1;",
                "      proxy_set_header Connection \"\";",
                "      proxy_buffering off;",
                "    }",
                "  }",
                "}", ""));
        return start(Machine.Role.PROXY, List.of(binary.toString(), "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString()),
                Map.of(), "nginx", port);
    }

    /** Portkey's open-source gateway from npm (port 8787), or null when it is not installed. */
    Process portkey(Path nodeModules) {
        Path server = nodeModules.resolve("@portkey-ai/gateway/build/start-server.js");
        if (!Files.exists(server)) return null;
        return start(Machine.Role.PROXY, List.of("node", server.toString()), Map.of(), "portkey", 8787);
    }

    Process redis(int port) {
        Path binary = work.resolve("redis-server");
        try (InputStream in = Processes.class.getResourceAsStream("/redis-server-6.2.6-v5-linux-amd64")) {
            Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return start(Machine.Role.OTHER, List.of(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no"), Map.of(), "redis", port);
    }

    private Process start(Machine.Role role, List<String> command, Map<String, String> env, String name, int port) {
        try {
            ProcessBuilder builder = new ProcessBuilder(machine.command(role, command)).redirectErrorStream(true)
                    .redirectOutput(work.resolve(name + ".log").toFile());
            builder.environment().putAll(env);
            Process process = builder.start();
            started.add(process);
            awaitPort(process, name, port);
            return process;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e.getMessage(), e);
        }
    }

    private void awaitPort(Process process, String name, int port) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited; see " + work.resolve(name + ".log"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            }
        }
        throw new IllegalStateException(name + " did not listen on " + port);
    }

    /** Fails the run, loudly, when a process it measures has died (an OutOfMemoryError, a crash). */
    void requireAlive(Process process, String name, String during) {
        if (process != null && !process.isAlive()) {
            throw new IllegalStateException(name + " died during " + during + " (exit " + process.exitValue() + "); see "
                    + work.resolve(name + ".log"));
        }
    }

    static void stop(Process process) {
        if (process == null) return;
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Resident set size of a process, in MiB, from /proc. */
    static double rssMiB(Process process) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    /** Heap in use after a full GC, via jcmd (part of every JDK). */
    static long heapUsedAfterGc(Process process) {
        run("jcmd", Long.toString(process.pid()), "GC.run");
        String info = run("jcmd", Long.toString(process.pid()), "GC.heap_info");
        // e.g. " garbage-first heap   total 262144K, used 23456K [..."
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("used (\\d+)K").matcher(info);
        return used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
    }

    private static String run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes());
            process.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) stop(started.get(i));
    }
}
