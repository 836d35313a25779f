package io.roster.it;

import java.nio.file.Path;

/**
 * Real-world input files kept in this repository ({@code src/test/resources/fixtures/}): byte-for-byte
 * copies of the files Pigsty renders and of the Prometheus scrape configuration (see the README
 * there), so the tests need nothing outside the repository.
 */
public final class Fixtures {
    /** The fixtures directory of roster-it's sources. */
    public static final Path DIR = Path.of(System.getProperty("user.dir")).toAbsolutePath().resolve("src/test/resources/fixtures");

    private Fixtures() {
    }

    /** A fixture by its path under the fixtures directory, e.g. {@code pigsty/consul.json}. */
    public static Path path(String name) {
        return DIR.resolve(name);
    }
}
