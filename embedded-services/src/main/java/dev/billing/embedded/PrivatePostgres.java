package dev.billing.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of a test's own, from the machine's PostgreSQL binaries (initdb, pg_ctl), on
 * a free port of 127.0.0.1, trust authentication, user {@code postgres}: a test may stop and start
 * it ({@link #stop}, {@link #start}) without touching a server others use.
 *
 * <p>initdb and postgres refuse to run as root; as root, they run as the {@code postgres} user
 * ({@code runuser}), which then owns the cluster's folder, so its parent folders must be
 * traversable by that user. The binaries are those of {@code PG_BIN} when set, else the newest
 * under /usr/lib/postgresql.
 */
public final class PrivatePostgres implements AutoCloseable {
    private static final long COMMAND_TIMEOUT_S = 120;
    private static final String RUN_AS = "postgres";

    public final int port;
    private final Path bin;
    private final Path root;
    private final Path data;
    private final List<String> runAs;
    private final Thread stopOnExit;
    private boolean running;

    private PrivatePostgres(Path bin, Path root, int port, List<String> runAs) {
        this.bin = bin;
        this.root = root;
        this.data = root.resolve("data");
        this.port = port;
        this.runAs = runAs;
        this.stopOnExit = new Thread(this::stopQuietly, "stop private postgres " + port);
    }

    /** Creates a cluster in {@code folder} (made if missing, emptied first) and starts it. */
    public static PrivatePostgres start(Path folder) throws IOException, InterruptedException {
        Path bin = binaries();
        deleteRecursively(folder);
        Files.createDirectories(folder);
        List<String> runAs = List.of();
        if ("root".equals(System.getProperty("user.name"))) {
            runAs = List.of("runuser", "-u", RUN_AS, "--");
            giveTo(folder, RUN_AS);
        }
        PrivatePostgres pg = new PrivatePostgres(bin, folder, freePort(), runAs);
        pg.run("initdb", "-D", pg.data.toString(), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync",
                "--no-instructions");
        Runtime.getRuntime().addShutdownHook(pg.stopOnExit);
        pg.start();
        return pg;
    }

    /** A JDBC URL of {@code database} in this cluster. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Starts the server and waits until it accepts connections. */
    public synchronized void start() throws IOException, InterruptedException {
        run("pg_ctl", "-D", data.toString(), "-l", root.resolve("server.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off"
                        + " -c max_connections=50",
                "start");
        running = true;
    }

    /** Stops the server the way an operator's fast shutdown does: sessions are ended, connections refused. */
    public synchronized void stop() throws IOException, InterruptedException {
        run("pg_ctl", "-D", data.toString(), "-m", "fast", "-w", "-t", "60", "stop");
        running = false;
    }

    /** The server's log, for a test's failure message. */
    public String log() throws IOException {
        Path log = root.resolve("server.log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws IOException {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(stopOnExit);
        } catch (IllegalStateException exiting) {
            // the hook is running or has run
        }
        deleteRecursively(root);
    }

    private synchronized void stopQuietly() {
        if (running) {
            try {
                stop();
            } catch (IOException e) {
                System.err.println("could not stop the private PostgreSQL on port " + port + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run(String program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(runAs);
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // pg_ctl start leaves the server holding no pipe of ours (-l), so the output ends with pg_ctl
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not finish in " + COMMAND_TIMEOUT_S + " s: " + output);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (exit " + p.exitValue() + "): " + output
                    + (program.equals("pg_ctl") ? "\nserver log:\n" + log() : ""));
        }
    }

    private static Path binaries() throws IOException {
        String env = System.getenv("PG_BIN");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            throw new IOException("no PostgreSQL binaries: " + base + " is missing and PG_BIN is not set");
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(PrivatePostgres::majorVersion))
                    .orElseThrow(() -> new IOException("no initdb and pg_ctl under " + base + "/*/bin; set PG_BIN"));
        }
    }

    private static int majorVersion(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void giveTo(Path folder, String user) throws IOException {
        UserPrincipalLookupService users = folder.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(folder, PosixFileAttributeView.class);
        view.setOwner(users.lookupPrincipalByName(user));
        GroupPrincipal group = users.lookupPrincipalByGroupName(user);
        view.setGroup(group);
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
