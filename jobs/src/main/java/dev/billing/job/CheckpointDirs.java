package dev.billing.job;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/**
 * {@code --checkpoint-dir} as users type it. Flink wants a URI, and a bare path it resolves
 * against the default file system of the cluster, or fails on when relative; people type
 * {@code /var/lib/billing/checkpoints} or {@code ./checkpoints}. So a path becomes the absolute
 * {@code file:} URI of that directory, once, when the option is read; a URI stays as it is.
 */
public final class CheckpointDirs {
    /** A URI scheme as RFC 3986 spells it; two letters at least, so {@code C:\dir} is a path. */
    private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]+:");

    private CheckpointDirs() {}

    /** Reads the option: a plain path becomes an absolute file URI. */
    public static final class Converter implements ITypeConverter<String> {
        @Override
        public String convert(String value) {
            return normalise(value);
        }
    }

    public static String normalise(String dir) {
        String value = dir.strip();
        if (value.isEmpty()) {
            throw new IllegalArgumentException("--checkpoint-dir is empty: give a directory or a URI");
        }
        if (SCHEME.matcher(value).find()) {
            URI uri = URI.create(value);
            if ("file".equalsIgnoreCase(uri.getScheme()) && (uri.getPath() == null || !uri.getPath().startsWith("/"))) {
                throw new IllegalArgumentException("--checkpoint-dir " + dir + " is not an absolute file URI; give a path"
                        + " (relative ones are fine) or file:///absolute/path");
            }
            return value;
        }
        if (value.equals("~") || value.startsWith("~/")) {
            // the shell did not expand it (an @options file, quotes): mean what the user meant
            value = System.getProperty("user.home") + value.substring(1);
        }
        String uri = Path.of(value).toAbsolutePath().normalize().toUri().toString();
        // toUri ends an existing directory with a slash: the same directory, the same text
        return uri.endsWith("/") && uri.length() > "file:///".length() ? uri.substring(0, uri.length() - 1) : uri;
    }

    /**
     * Where {@code bin/billing job} keeps checkpoints unless told otherwise: the user's state
     * directory of the XDG base directory spec ({@code $XDG_STATE_HOME}, else
     * {@code ~/.local/state}), which is meant for exactly this (data that must survive restarts
     * and reboots but is not worth backing up with documents). Unlike {@code /tmp} it survives a
     * reboot; unlike a directory relative to where the command runs, it is found again when the
     * next start runs from elsewhere.
     */
    public static String localDefault(String xdgStateHome, String userHome) {
        Path base = xdgStateHome != null && !xdgStateHome.isBlank() && Path.of(xdgStateHome).isAbsolute()
                ? Path.of(xdgStateHome) : Path.of(userHome, ".local", "state");
        return normalise(base.resolve("billing").resolve("checkpoints").toString());
    }
}
