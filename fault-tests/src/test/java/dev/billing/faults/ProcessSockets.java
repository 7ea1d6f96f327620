package dev.billing.faults;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The TCP connections a process holds, read from Linux's /proc: which local ports its established
 * sockets to a server port use. A PostgreSQL backend knows its client's port
 * ({@code pg_stat_activity.client_port}), so this tells which backends serve one TaskManager, even
 * while that process is frozen.
 */
final class ProcessSockets {
    private ProcessSockets() {}

    static Set<Integer> establishedLocalPorts(long pid, int remotePort) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                } catch (IOException closedMeanwhile) {
                    // the descriptor went away while listing: not a connection any more
                }
            }
        }
        Set<Integer> ports = new HashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path file = Path.of("/proc", Long.toString(pid), "net", table);
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines = Files.readAllLines(file);
            for (String line : lines.subList(1, lines.size())) {
                // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                String[] f = line.trim().split("\\s+");
                if (f.length > 9 && f[3].equals("01") && inodes.contains(f[9]) // 01: ESTABLISHED
                        && port(f[2]) == remotePort) {
                    ports.add(port(f[1]));
                }
            }
        }
        return ports;
    }

    /** The port of an address as /proc writes it: hex address, colon, hex port. */
    private static int port(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1), 16);
    }
}
