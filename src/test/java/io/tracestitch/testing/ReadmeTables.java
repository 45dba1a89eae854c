package io.tracestitch.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The README's key tables, read for the tests that keep them equal to the code. */
public final class ReadmeTables {

    private ReadmeTables() {}

    /**
     * The rows of the first table whose header starts with {@code | key |} after the line
     * {@code heading}, without header and separator; fails when the README has no such heading.
     */
    public static List<String> keyTableRows(String heading) throws IOException {
        List<String> readme = Files.readAllLines(Path.of("README.md"));
        int at = readme.indexOf(heading);
        if (at < 0) {
            throw new AssertionError("README has no line '" + heading + "'");
        }
        return readme.stream().skip(at).dropWhile(line -> !line.startsWith("| key |")).skip(2)
                .takeWhile(line -> line.startsWith("|")).toList();
    }
}
