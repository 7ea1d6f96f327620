package dev.billing.faults;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A Flink session cluster as separate JVM processes, a JobManager and TaskManagers, started from
 * the Flink jars Maven resolved (what a distribution's lib/ holds) with a config.yaml, the way
 * Flink's own scripts start them. Jobs are submitted as {@code flink run} does it through the
 * REST API: the shaded jar is uploaded and run.
 */
final class FlinkCluster implements AutoCloseable {
    /**
     * A TaskManager process and the resource id it registers with, which the REST API reports for
     * the subtasks it runs.
     */
    record TaskManager(String id, Process process) {
        /** Sends a signal to the process: STOP freezes it (a TaskManager cut off from the cluster), CONT resumes it. */
        void signal(String name) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration STARTUP = Duration.ofMinutes(2);

    private final Path dir;
    private final Path configDir;
    private final String classpath;
    private final List<String> jvmFlags;
    private final int restPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process jobManager;
    private final List<TaskManager> taskManagers = new ArrayList<>();
    private int started;

    FlinkCluster(Path dir) throws IOException {
        this(dir, Map.of());
    }

    /** A cluster whose config.yaml has {@code overrides} (key -> value) on top of the defaults below. */
    FlinkCluster(Path dir, Map<String, String> overrides) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.configDir = Files.createDirectories(dir.resolve("conf"));
        this.classpath = Files.readString(Path.of(System.getProperty("flink.cluster.classpath"))).trim();
        this.jvmFlags = Arrays.asList(System.getProperty("jvm.add.opens", "").trim().split("\\s+"));
        this.restPort = freePort();
        Map<String, String> config = new LinkedHashMap<>();
        config.put("jobmanager.rpc.address", "localhost");
        config.put("jobmanager.rpc.port", Integer.toString(freePort()));
        config.put("jobmanager.bind-host", "localhost");
        config.put("jobmanager.memory.process.size", "900m");
        config.put("rest.address", "localhost");
        config.put("rest.bind-address", "localhost");
        config.put("rest.port", Integer.toString(restPort));
        config.put("taskmanager.host", "localhost");
        config.put("taskmanager.bind-host", "localhost");
        config.put("taskmanager.numberOfTaskSlots", "1");
        config.put("taskmanager.memory.process.size", "1200m");
        config.put("heartbeat.interval", "2000");
        config.put("heartbeat.timeout", "10000");
        config.put("parallelism.default", "2");
        config.put("web.upload.dir", Files.createDirectories(dir.resolve("uploads")).toString());
        config.put("io.tmp.dirs", Files.createDirectories(dir.resolve("tmp")).toString());
        config.putAll(overrides); // YAML allows each key once
        StringBuilder yaml = new StringBuilder();
        config.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
        Files.writeString(configDir.resolve("config.yaml"), yaml);
        Files.writeString(configDir.resolve("log4j.properties"), String.join("\n",
                "rootLogger.level = INFO",
                "rootLogger.appenderRef.file.ref = file",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = ${sys:log.file}",
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
                "logger.kafka.name = org.apache.kafka",
                "logger.kafka.level = WARN",
                ""));
    }

    /** Starts the JobManager and {@code taskManagers} TaskManagers, and waits until all slots are registered. */
    void start(int taskManagerCount) throws Exception {
        jobManager = launch("jobmanager", List.of("-Xmx600m"),
                "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", List.of());
        for (int i = 0; i < taskManagerCount; i++) {
            addTaskManager();
        }
        awaitTaskManagers(taskManagerCount);
    }

    /** Starts one more TaskManager with the memory flags Flink's scripts compute for it. */
    void addTaskManager() throws Exception {
        List<String> resources = taskManagerResources();
        List<String> jvm = Arrays.asList(resources.get(0).trim().split("\\s+"));
        String id = "taskmanager-" + (++started);
        List<String> dynamic = new ArrayList<>(Arrays.asList(resources.get(1).trim().split("\\s+")));
        dynamic.addAll(List.of("-D", "taskmanager.resource-id=" + id));
        taskManagers.add(new TaskManager(id, launch(id, jvm, "org.apache.flink.runtime.taskexecutor.TaskManagerRunner",
                dynamic)));
    }

    /** kill -9 of a TaskManager. */
    void killTaskManager(int index) throws InterruptedException {
        kill(taskManagers.get(index));
    }

    /** kill -9 of a TaskManager. */
    void kill(TaskManager tm) throws InterruptedException {
        taskManagers.remove(tm);
        tm.process().destroyForcibly();
        tm.process().waitFor();
    }

    /** The TaskManager that runs the first subtask of the job's vertex named {@code vertexName}. */
    TaskManager runningSubtaskOf(String jobId, String vertexName) throws Exception {
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            if (vertex.path("name").asText().equals(vertexName)) {
                String id = get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText())
                        .path("subtasks").path(0).path("taskmanager-id").asText();
                return taskManagers.stream().filter(tm -> tm.id().equals(id)).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no TaskManager " + id + " for " + vertexName));
            }
        }
        throw new IllegalStateException("no vertex " + vertexName + " in job " + jobId);
    }

    /**
     * Metrics an operator of one subtask registered itself (gauges included), by their own names:
     * the REST API prefixes them with the operator's name, with its spaces, dots and colons
     * replaced. A name not (yet) reported is missing from the map.
     */
    Map<String, Long> subtaskOperatorMetrics(String jobId, String vertexName, int subtask, String... names)
            throws Exception {
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            if (vertex.path("name").asText().equals(vertexName)) {
                String path = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText() + "/subtasks/" + subtask
                        + "/metrics";
                Map<String, String> ids = new LinkedHashMap<>();
                for (JsonNode metric : get(path)) {
                    String id = metric.path("id").asText();
                    for (String name : names) {
                        if (id.endsWith("." + name)) {
                            ids.put(id, name);
                        }
                    }
                }
                Map<String, Long> out = new LinkedHashMap<>();
                if (!ids.isEmpty()) {
                    for (JsonNode value : get(path + "?get=" + String.join(",", ids.keySet()))) {
                        out.put(ids.get(value.path("id").asText()), value.path("value").asLong());
                    }
                }
                return out;
            }
        }
        throw new IllegalStateException("no vertex " + vertexName + " in job " + jobId);
    }

    /** True when every subtask of the job is RUNNING, none of them on {@code tm}. */
    boolean runsWithout(String jobId, TaskManager tm) throws Exception {
        for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
            for (JsonNode subtask : get("/jobs/" + jobId + "/vertices/" + vertex.path("id").asText()).path("subtasks")) {
                if (!subtask.path("status").asText().equals("RUNNING")
                        || subtask.path("taskmanager-id").asText().equals(tm.id())) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The job's checkpoint statistics, as the REST API gives them. */
    JsonNode checkpoints(String jobId) throws Exception {
        return get("/jobs/" + jobId + "/checkpoints");
    }

    int taskManagerCount() {
        return taskManagers.size();
    }

    void awaitTaskManagers(int count) throws Exception {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (true) {
            try {
                JsonNode overview = get("/overview");
                if (overview.path("taskmanagers").asInt() >= count && overview.path("slots-available").asInt() >= 0) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Flink cluster did not get " + count + " TaskManagers; logs in " + dir);
            }
            Thread.sleep(500);
        }
    }

    /** Uploads the jar, as {@code flink run} does, and returns its id on the cluster. */
    String upload(Path jar) throws Exception {
        String boundary = "----billing" + UUID.randomUUID();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName() + "\"\r\nContent-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(Files.readAllBytes(jar));
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        JsonNode answer = send(request);
        String file = answer.path("filename").asText();
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** Runs the uploaded jar's main class with {@code args}; returns the job id. */
    String run(String jarId, List<String> args, int parallelism, String savepointPath) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("parallelism", parallelism);
        body.putArray("programArgsList").addAll(args.stream().map(JSON.getNodeFactory()::textNode).toList());
        if (savepointPath != null) {
            body.put("savepointPath", savepointPath);
        }
        return post("/jars/" + jarId + "/run", body).path("jobid").asText();
    }

    /** Stops the job with a savepoint into {@code directory}; returns the savepoint path. */
    String stopWithSavepoint(String jobId, Path directory) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("targetDirectory", directory.toUri().toString()).put("drain", false);
        String trigger = post("/jobs/" + jobId + "/stop", body).path("request-id").asText();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode status = get("/jobs/" + jobId + "/savepoints/" + trigger);
            if ("COMPLETED".equals(status.path("status").path("id").asText())) {
                JsonNode op = status.path("operation");
                if (op.has("failure-cause")) {
                    throw new IllegalStateException("stop-with-savepoint failed: " + op.path("failure-cause"));
                }
                return op.path("location").asText();
            }
            Thread.sleep(300);
        }
        throw new IllegalStateException("stop-with-savepoint did not complete");
    }

    /** How many failures the job has recovered from (its exception history). */
    int failuresOf(String jobId) throws Exception {
        return get("/jobs/" + jobId + "/exceptions").path("exceptionHistory").path("entries").size();
    }

    String jobState(String jobId) throws Exception {
        return get("/jobs/" + jobId).path("state").asText();
    }

    void cancel(String jobId) throws Exception {
        http.send(HttpRequest.newBuilder(uri("/jobs/" + jobId + "?mode=cancel"))
                .method("PATCH", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    }

    /** Completed checkpoints of the job so far. */
    long completedCheckpoints(String jobId) throws Exception {
        return get("/jobs/" + jobId + "/checkpoints").path("counts").path("completed").asLong();
    }

    private Process launch(String name, List<String> jvm, String mainClass, List<String> extraArgs) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvm);
        command.addAll(jvmFlags);
        command.add("-Dlog.file=" + dir.resolve(name + ".log"));
        command.add("-Dlog4j.configurationFile=" + configDir.resolve("log4j.properties").toUri());
        command.add("-Djava.io.tmpdir=" + dir.resolve("tmp"));
        command.add("-cp");
        command.add(classpath);
        command.add(mainClass);
        command.add("--configDir");
        command.add(configDir.toString());
        command.addAll(extraArgs);
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".out").toFile()).start();
    }

    /** The JVM flags and the -D options Flink's scripts get from BashJavaUtils for a TaskManager. */
    private List<String> taskManagerResources() throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classpath, "org.apache.flink.runtime.util.bash.BashJavaUtils", "GET_TM_RESOURCE_PARAMS",
                "--configDir", configDir.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        List<String> results = output.lines().filter(l -> l.startsWith("BASH_JAVA_UTILS_EXEC_RESULT:"))
                .map(l -> l.substring("BASH_JAVA_UTILS_EXEC_RESULT:".length())).toList();
        if (results.size() < 2) {
            throw new IllegalStateException("BashJavaUtils gave no TaskManager resources: " + output);
        }
        return results.subList(results.size() - 2, results.size());
    }

    private JsonNode get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    private JsonNode post(String path, JsonNode body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build());
    }

    private JsonNode send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IOException(request.method() + " " + request.uri() + " -> " + response.statusCode() + ": "
                    + response.body());
        }
        return JSON.readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + restPort + path);
    }

    Path logDir() {
        return dir;
    }

    @Override
    public void close() throws InterruptedException {
        for (TaskManager tm : taskManagers) {
            tm.process().destroyForcibly();
        }
        for (TaskManager tm : taskManagers) {
            tm.process().waitFor();
        }
        taskManagers.clear();
        if (jobManager != null) {
            jobManager.destroyForcibly();
            jobManager.waitFor();
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
