package dev.turnout.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The machine the run measures: its cores, the CPU each process spends (from {@code /proc}), and,
 * on a machine with at least {@value #PIN_FROM_CORES} cores, which cores each role may use. Pinned
 * with {@code taskset}, the load generator, the proxy under test and the simulators stop taking CPU
 * from each other, which on a small machine is what most of the figures measure.
 */
final class Machine {

    static final int PIN_FROM_CORES = 8;

    enum Role { LOAD, PROXY, SIMULATOR, OTHER }

    private final int cores = Runtime.getRuntime().availableProcessors();
    private final Map<Role, String> pinned = new EnumMap<>(Role.class);
    private final Map<Role, Integer> pinnedCount = new EnumMap<>(Role.class);
    private final long ticksPerSecond = clockTicks();

    Machine() {
        if (cores < PIN_FROM_CORES || !Files.isExecutable(Path.of("/usr/bin/taskset"))) return;
        // A quarter each to the load generator, the proxy and the simulators; the rest to redis and the extra gateways.
        int quarter = cores / 4;
        int from = 0;
        for (Role role : Role.values()) {
            int count = role == Role.OTHER ? cores - from : quarter;
            pinned.put(role, from + "-" + (from + count - 1));
            pinnedCount.put(role, count);
            from += count;
        }
    }

    boolean pinning() {
        return !pinned.isEmpty();
    }

    /** Cores a role may use: its share when pinned, else the whole machine. */
    int coresOf(Role role) {
        return pinnedCount.getOrDefault(role, cores);
    }

    /** The command, under {@code taskset} when pinning. */
    List<String> command(Role role, List<String> command) {
        if (!pinning()) return command;
        List<String> pinnedCommand = new ArrayList<>(List.of("/usr/bin/taskset", "-c", pinned.get(role)));
        pinnedCommand.addAll(command);
        return pinnedCommand;
    }

    /** Pins this JVM (the load generator), every thread of it. */
    void pinSelf() throws IOException, InterruptedException {
        if (!pinning()) return;
        new ProcessBuilder("/usr/bin/taskset", "-a", "-p", "-c", pinned.get(Role.LOAD), Long.toString(ProcessHandle.current().pid()))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    /** CPU milliseconds (user + system) a process and its children alive now (nginx workers) have spent. */
    long cpuMillis(Process process) {
        if (process == null) return 0;
        long ticks = Stream.concat(Stream.of(process.toHandle()), process.descendants()).mapToLong(h -> ticks(h.pid())).sum();
        return ticks * 1000 / ticksPerSecond;
    }

    private static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // The command name may hold spaces: fields are counted after its closing parenthesis.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime: fields 14 and 15
        } catch (IOException | RuntimeException gone) {
            return 0;
        }
    }

    private static long clockTicks() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes()).trim();
            getconf.waitFor();
            return Long.parseLong(out);
        } catch (Exception e) {
            return 100; // Linux' USER_HZ nearly everywhere
        }
    }

    ObjectNode json() {
        ObjectNode machine = Bench.JSON.createObjectNode().put("cores", cores).put("pinned", pinning());
        if (pinning()) {
            ObjectNode roles = machine.putObject("cpusets");
            pinned.forEach((role, set) -> roles.put(role.name().toLowerCase(), set));
        }
        return machine;
    }
}
