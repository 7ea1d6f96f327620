package dev.billing.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Stream;

/** The checked-in corpus of malformed and hostile messages in src/test/resources/bad-input. */
public final class BadInputCorpus {
    /** One corpus message: which input it goes to, the dead-letter reason it must get, its bytes. */
    public record Entry(String input, String reason, String name, byte[] value) {
        @Override
        public String toString() {
            return input + ": " + name;
        }
    }

    private BadInputCorpus() {}

    public static List<Entry> entries() {
        Path dir = Paths.get("src", "test", "resources", "bad-input");
        if (!Files.isDirectory(dir)) {
            dir = Paths.get("..", "jobs", "src", "test", "resources", "bad-input");
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().split("--").length == 3).sorted().map(f -> {
                String[] parts = f.getFileName().toString().split("--");
                try {
                    return new Entry(parts[0], parts[1], parts[2], Files.readAllBytes(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
