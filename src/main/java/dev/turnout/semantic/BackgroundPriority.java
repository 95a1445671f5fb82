package dev.turnout.semantic;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lowers the calling thread's CPU priority to the least (nice 19), so that embedding answers only
 * ever takes CPU the event loops leave idle: a worker busy with a 256-token answer for 50 ms must not
 * sit on a core a client's request is waiting for. Under Linux's scheduler a nice-19 thread weighs
 * 15 against a normal thread's 1 024: on a saturated machine the workers get about 1.5% of a core,
 * their queue fills, and pairs are skipped and counted ({@code pool_full}) instead of the data plane
 * slowing down. Java's own {@code Thread.setPriority} does nothing on Linux without extra JVM flags,
 * hence {@code setpriority(2)} on the thread's id, through JNA. Elsewhere, or if it fails, the thread
 * keeps its priority and the caller says so once.
 */
final class BackgroundPriority {

    static final int LOWEST = 19;
    private static final int PRIO_PROCESS = 0; // with a thread id, Linux applies it to that one thread

    private interface LibC extends Library {
        int setpriority(int which, int who, int priority);
    }

    private static final class Holder {
        static final LibC LIBC = Native.load("c", LibC.class);
    }

    private BackgroundPriority() {}

    /** True if the calling thread now runs at nice {@value #LOWEST}. */
    static boolean lowerCurrentThread() {
        if (!Platform.isLinux()) return false;
        try {
            // /proc/thread-self links to <pid>/task/<tid>: the calling thread's kernel id, which Java 17 does not expose.
            Path self = Files.readSymbolicLink(Path.of("/proc/thread-self"));
            int tid = Integer.parseInt(self.getFileName().toString());
            return Holder.LIBC.setpriority(PRIO_PROCESS, tid, LOWEST) == 0;
        } catch (Exception | LinkageError e) {
            return false;
        }
    }

    /** The calling thread's nice value as the kernel reports it (field 19 of its stat line), or null off Linux. */
    static Integer currentNice() {
        try {
            String stat = Files.readString(Path.of("/proc/thread-self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[16]); // fields after "(comm)": state is field 3, nice field 19
        } catch (Exception e) {
            return null;
        }
    }
}
