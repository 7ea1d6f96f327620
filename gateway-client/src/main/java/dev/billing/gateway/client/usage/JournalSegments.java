package dev.billing.gateway.client.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The journal's files: append-only segments of JSON lines, one line per usage record
 * ({@code {"request_id", "account_id", "cost_usd", "value"}}) and one per delivery
 * ({@code {"delivered": request_id}}). A record's line is forced to the disk before it counts as
 * written; a delivery's is not (one lost in a crash only makes the record go again, and the
 * billing job bills a request id once). Segments are deleted oldest first once every record in
 * them is delivered, so a delivery line is never deleted before its record. A line cut short by a
 * crash is skipped when the segments are read: its record was never reported written.
 */
final class JournalSegments implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JournalSegments.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "usage-";
    private static final String SUFFIX = ".journal";

    /** One record line. */
    record Line(String requestId, String accountId, BigDecimal costUsd, byte[] value) {}

    private final Path dir;
    private final int recordsPerSegment;
    private final Deque<Segment> segments = new ArrayDeque<>();
    /** The segment of each record not delivered yet. */
    private final Map<String, Segment> undelivered = new HashMap<>();
    private long nextSegment;

    private static final class Segment {
        final Path path;
        final FileChannel channel;
        int records;
        int open;

        Segment(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }
    }

    private JournalSegments(Path dir, int recordsPerSegment) {
        this.dir = dir;
        this.recordsPerSegment = recordsPerSegment;
    }

    /**
     * Opens the journal in {@code dir}, creating it when missing, and returns it with the records its
     * segments hold that were never delivered, in the order they were written; they are written
     * again into a fresh segment and the old segments deleted.
     */
    static JournalSegments open(Path dir, int recordsPerSegment, List<Line> undeliveredOut) throws IOException {
        Files.createDirectories(dir);
        JournalSegments journal = new JournalSegments(dir, recordsPerSegment);
        List<Path> old;
        try (Stream<Path> files = Files.list(dir)) {
            old = files.filter(p -> p.getFileName().toString().startsWith(PREFIX)
                    && p.getFileName().toString().endsWith(SUFFIX)).sorted().toList();
        }
        Map<String, Line> pending = new LinkedHashMap<>();
        for (Path p : old) {
            journal.nextSegment = Math.max(journal.nextSegment, number(p) + 1);
            for (String text : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                readLine(p, text, pending);
            }
        }
        journal.roll();
        for (Line line : pending.values()) {
            journal.append(line);
        }
        for (Path p : old) {
            Files.delete(p);
        }
        undeliveredOut.addAll(pending.values());
        return journal;
    }

    private static long number(Path p) {
        String name = p.getFileName().toString();
        return Long.parseLong(name.substring(PREFIX.length(), name.length() - SUFFIX.length()));
    }

    private static void readLine(Path p, String text, Map<String, Line> pending) {
        if (text.isBlank()) {
            return;
        }
        try {
            JsonNode json = JSON.readTree(text);
            if (json.hasNonNull("delivered")) {
                pending.remove(json.get("delivered").asText());
            } else {
                Line line = new Line(json.get("request_id").asText(), json.get("account_id").asText(),
                        new BigDecimal(json.get("cost_usd").asText()),
                        json.get("value").asText().getBytes(StandardCharsets.UTF_8));
                pending.put(line.requestId(), line);
            }
        } catch (IOException | RuntimeException e) {
            // the last line of a segment a crash cut short: its record was never reported written
            LOG.log(Level.WARNING, "skipping an unreadable line in " + p + " (cut short by a crash?): " + e.getMessage());
        }
    }

    /** Writes a record's line and forces it to the disk. */
    void append(Line line) throws IOException {
        Segment current = segments.peekLast();
        if (current.records >= recordsPerSegment) {
            roll();
            current = segments.peekLast();
        }
        ObjectNode json = JSON.createObjectNode();
        json.put("request_id", line.requestId());
        json.put("account_id", line.accountId());
        json.put("cost_usd", line.costUsd().toPlainString());
        json.put("value", new String(line.value(), StandardCharsets.UTF_8));
        write(current, json, true);
        current.records++;
        current.open++;
        undelivered.put(line.requestId(), current);
    }

    /** Notes a record as delivered; deletes the oldest segments once all their records are. */
    void delivered(String requestId) throws IOException {
        Segment segment = undelivered.remove(requestId);
        if (segment == null) {
            return;
        }
        write(segments.peekLast(), JSON.createObjectNode().put("delivered", requestId), false);
        segment.open--;
        while (segments.size() > 1 && segments.peekFirst().open == 0) {
            Segment done = segments.pollFirst();
            done.channel.close();
            Files.delete(done.path);
        }
    }

    int undelivered() {
        return undelivered.size();
    }

    private void write(Segment segment, ObjectNode json, boolean force) throws IOException {
        byte[] bytes = (JSON.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            segment.channel.write(buffer);
        }
        if (force) {
            segment.channel.force(false);
        }
    }

    private void roll() throws IOException {
        Path path = dir.resolve(String.format("%s%012d%s", PREFIX, nextSegment++, SUFFIX));
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        segments.addLast(new Segment(path, channel));
        // the new file's name must survive a crash too
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // some file systems cannot force a directory; the segment's own force still holds its lines
        }
    }

    @Override
    public void close() {
        for (Segment s : segments) {
            try {
                s.channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
