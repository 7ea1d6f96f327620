import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Every relative link and every #anchor in the repository's Markdown files must resolve, so a
 * guide that moves or a heading that is renamed breaks CI instead of a reader's click.
 *
 * <p>Run with the JDK alone (no build, no Python): {@code java .ci/CheckDocs.java [repo root]}.
 * {@code --self-test} checks the heading-to-anchor rules against GitHub's own slugs.
 * Anchors follow GitHub: the heading's text, lowercased, with everything but letters, digits,
 * spaces, hyphens and underscores removed, spaces turned into hyphens, and -1, -2 ... appended to
 * repeated slugs.
 */
public class CheckDocs {

    private static final Pattern FENCE = Pattern.compile("^\\s{0,3}(```+|~~~+)");
    private static final Pattern ATX_HEADING = Pattern.compile("^\\s{0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)\\1", Pattern.DOTALL);
    private static final Pattern INLINE_LINK =
            Pattern.compile("!?\\[((?:[^\\[\\]]|\\[[^\\[\\]]*\\])*)\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    private static final Pattern REFERENCE_DEFINITION =
            Pattern.compile("(?m)^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s+\"[^\"]*\")?\\s*$");
    private static final Pattern HTML_ANCHOR = Pattern.compile("<a\\s+(?:name|id)=\"([^\"]+)\"");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    private final Path root;
    private final Map<Path, Set<String>> anchorsByFile = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    CheckDocs(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--self-test")) {
            selfTest();
            return;
        }
        Path root = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
        CheckDocs check = new CheckDocs(root);
        List<Path> files = markdownFiles(root);
        int links = 0;
        for (Path file : files) {
            links += check.checkFile(file);
        }
        if (check.problems.isEmpty()) {
            System.out.printf("check-docs: %d Markdown files, %d relative links and anchors, all resolve%n",
                    files.size(), links);
            return;
        }
        check.problems.forEach(System.err::println);
        System.err.printf("check-docs: %d broken link(s) in %d Markdown files%n", check.problems.size(), files.size());
        System.exit(1);
    }

    /** The files git tracks or would track (new files included, ignored ones not); every .md outside .git and target/ without git. */
    static List<Path> markdownFiles(Path root) throws IOException, InterruptedException {
        if (Files.exists(root.resolve(".git"))) {
            try {
                Process git = new ProcessBuilder("git", "-C", root.toString(), "ls-files", "-z",
                        "--cached", "--others", "--exclude-standard", "--", "*.md")
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                String out = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (git.waitFor() == 0) {
                    return Stream.of(out.split("\0")).filter(s -> !s.isEmpty()).map(root::resolve)
                            .filter(Files::isRegularFile).sorted().distinct().collect(Collectors.toList());
                }
            } catch (IOException noGit) {
                // fall through to walking the tree
            }
        }
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".md"))
                    .filter(p -> root.relativize(p).toString().split("[/\\\\]").length > 0)
                    .filter(p -> {
                        for (Path part : root.relativize(p)) {
                            String s = part.toString();
                            if (s.equals(".git") || s.equals("target") || s.equals("node_modules")) {
                                return false;
                            }
                        }
                        return true;
                    })
                    .sorted().collect(Collectors.toList());
        }
    }

    /** Checks one file's links; returns how many relative links and anchors it has. */
    int checkFile(Path file) throws IOException {
        String text = withoutCode(Files.readString(file, StandardCharsets.UTF_8));
        int count = 0;
        List<int[]> spans = new ArrayList<>();
        Matcher inline = INLINE_LINK.matcher(text);
        while (inline.find()) {
            spans.add(new int[] {inline.start(), inline.start(2)});
        }
        for (int[] span : spans) {
            Matcher m = INLINE_LINK.matcher(text);
            m.find(span[0]);
            count += checkTarget(file, text, span[0], m.group(2));
            // a link inside an image link's text ([![alt](img)](target)) is matched on its own below
            Matcher inner = INLINE_LINK.matcher(m.group(1));
            while (inner.find()) {
                count += checkTarget(file, text, span[0], inner.group(2));
            }
        }
        Matcher reference = REFERENCE_DEFINITION.matcher(text);
        while (reference.find()) {
            count += checkTarget(file, text, reference.start(), reference.group(1));
        }
        return count;
    }

    private int checkTarget(Path file, String text, int offset, String target) throws IOException {
        if (target.isEmpty() || SCHEME.matcher(target).find() || target.startsWith("//")) {
            return 0;
        }
        int hash = target.indexOf('#');
        String pathPart = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : decode(target.substring(hash + 1));
        int q = pathPart.indexOf('?');
        if (q >= 0) {
            pathPart = pathPart.substring(0, q);
        }
        pathPart = decode(pathPart);
        Path resolved;
        if (pathPart.isEmpty()) {
            resolved = file;
        } else if (pathPart.startsWith("/")) {
            resolved = root.resolve(pathPart.substring(1)).normalize();
        } else {
            resolved = file.getParent().resolve(pathPart).normalize();
        }
        String where = root.relativize(file) + ":" + lineOf(text, offset);
        if (!resolved.startsWith(root)) {
            problems.add(where + ": " + target + " leaves the repository");
            return 1;
        }
        if (!Files.exists(resolved)) {
            problems.add(where + ": " + target + " -> " + root.relativize(resolved) + " does not exist");
            return 1;
        }
        if (anchor != null && !anchor.isEmpty()) {
            if (!resolved.toString().endsWith(".md")) {
                return 1; // anchors into code (#L10) or pages GitHub renders otherwise are not checked
            }
            Set<String> anchors = anchorsOf(resolved);
            if (!anchors.contains(anchor)) {
                problems.add(where + ": " + target + ": no heading in " + root.relativize(resolved)
                        + " has the anchor #" + anchor + nearest(anchor, anchors));
            }
        }
        return 1;
    }

    private Set<String> anchorsOf(Path file) throws IOException {
        Set<String> cached = anchorsByFile.get(file);
        if (cached == null) {
            cached = anchors(Files.readString(file, StandardCharsets.UTF_8));
            anchorsByFile.put(file, cached);
        }
        return cached;
    }

    /** The anchors GitHub gives a Markdown text's headings (and its explicit HTML anchors). */
    static Set<String> anchors(String markdown) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : withoutFences(markdown).split("\n", -1)) {
            Matcher html = HTML_ANCHOR.matcher(line);
            while (html.find()) {
                anchors.add(html.group(1));
            }
            Matcher h = ATX_HEADING.matcher(line);
            if (h.matches()) {
                String slug = slug(h.group(2));
                int n = seen.merge(slug, 1, Integer::sum) - 1;
                anchors.add(n == 0 ? slug : slug + "-" + n);
            }
        }
        return anchors;
    }

    /** GitHub's slug of a heading's Markdown text. */
    static String slug(String heading) {
        String text = heading;
        text = text.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // links and images: their text
        text = text.replaceAll("<[^>]+>", ""); // inline HTML tags
        text = text.replace("`", "");
        StringBuilder out = new StringBuilder();
        text.toLowerCase(java.util.Locale.ROOT).codePoints().forEach(c -> {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                out.appendCodePoint(c);
            } else if (c == ' ') {
                out.append('-');
            }
        });
        return out.toString();
    }

    /** The text with fenced blocks blanked, their fence lines too (newlines kept, so line numbers stay right). */
    static String withoutFences(String markdown) {
        StringBuilder out = new StringBuilder();
        boolean inFence = false;
        String fence = null;
        for (String line : markdown.split("\n", -1)) {
            Matcher f = FENCE.matcher(line);
            if (f.find()) {
                String marker = f.group(1);
                if (!inFence) {
                    inFence = true;
                    fence = marker;
                } else if (marker.charAt(0) == fence.charAt(0) && marker.length() >= fence.length()
                        && line.trim().equals(marker)) {
                    inFence = false;
                }
                out.append('\n');
                continue;
            }
            out.append(inFence ? "" : line).append('\n');
        }
        return out.toString();
    }

    /** The text with fenced blocks and code spans blanked (newlines kept, so line numbers stay right). */
    static String withoutCode(String markdown) {
        String out = withoutFences(markdown);
        Matcher span = CODE_SPAN.matcher(out);
        StringBuilder result = new StringBuilder();
        while (span.find()) {
            String blank = span.group().replaceAll("[^\n]", " ");
            span.appendReplacement(result, Matcher.quoteReplacement(blank));
        }
        span.appendTail(result);
        return result.toString();
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static String nearest(String anchor, Set<String> anchors) {
        String prefix = anchor.length() > 6 ? anchor.substring(0, 6) : anchor;
        List<String> close = anchors.stream().filter(a -> a.startsWith(prefix)).limit(3).collect(Collectors.toList());
        return close.isEmpty() ? "" : " (did you mean #" + String.join(", #", close) + "?)";
    }

    /** Slugs as GitHub renders them for headings of this repository's kind. */
    private static void selfTest() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("The dead-letter topic: `bin/billing dlq`", "the-dead-letter-topic-binbilling-dlq");
        cases.put("Upgrading a release-0.1 deployment: the conversion of its ledger state",
                "upgrading-a-release-01-deployment-the-conversion-of-its-ledger-state");
        cases.put("Exactly once, and cutoffs without waiting for a checkpoint",
                "exactly-once-and-cutoffs-without-waiting-for-a-checkpoint");
        cases.put("Admission: serve only what the balance covers, and never serve unbilled",
                "admission-serve-only-what-the-balance-covers-and-never-serve-unbilled");
        cases.put("I am a **billing analyst** (SQL)", "i-am-a-billing-analyst-sql");
        cases.put("Run `mvn verify` — the tests", "run-mvn-verify--the-tests");
        cases.put("A [linked](docs/x.md) heading", "a-linked-heading");
        cases.put("snake_case stays", "snake_case-stays");
        List<String> failures = new ArrayList<>();
        cases.forEach((heading, expected) -> {
            String actual = slug(heading);
            if (!actual.equals(expected)) {
                failures.add("slug(\"" + heading + "\") = " + actual + ", GitHub: " + expected);
            }
        });
        Set<String> dup = anchors("# Notes\n## Notes\n```\n# not a heading\n```\n### Notes\n");
        if (!dup.equals(new LinkedHashSet<>(List.of("notes", "notes-1", "notes-2")))) {
            failures.add("repeated headings: " + dup + ", GitHub: [notes, notes-1, notes-2]");
        }
        String code = withoutCode("a `[x](missing.md)` b\n```\n[y](missing.md)\n```\n[z](here.md)\n");
        Matcher m = INLINE_LINK.matcher(code);
        List<String> found = new ArrayList<>();
        while (m.find()) {
            found.add(m.group(2));
        }
        if (!found.equals(List.of("here.md"))) {
            failures.add("links outside code: " + found + ", expected [here.md]");
        }
        Matcher wrapped = INLINE_LINK.matcher("see [the upgrade\nguide](docs/operating.md#the-upgrade-guide).");
        if (!wrapped.find() || !wrapped.group(2).equals("docs/operating.md#the-upgrade-guide")) {
            failures.add("a link whose text wraps a line is not found");
        }
        if (!failures.isEmpty()) {
            failures.forEach(System.err::println);
            System.exit(1);
        }
        System.out.println("check-docs self-test: " + (cases.size() + 3) + " cases pass");
    }
}
