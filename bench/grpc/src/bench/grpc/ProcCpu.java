package bench.grpc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time of whole processes (every thread) from {@code /proc/PID/stat}, in clock ticks. */
final class ProcCpu {
    private ProcCpu() {
    }

    /** utime + stime of {@code pid}, or -1 when it cannot be read (the process is gone). */
    static long ticks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the command name may hold spaces and parentheses: the fields start after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]);  // fields 14 and 15 of proc(5)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static long[] ticks(long[] pids) {
        long[] t = new long[pids.length];
        for (int i = 0; i < pids.length; i++) {
            t[i] = ticks(pids[i]);
        }
        return t;
    }
}
