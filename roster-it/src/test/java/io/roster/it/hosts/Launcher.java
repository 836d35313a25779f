package io.roster.it.hosts;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that runs Roster inside a host: the JDK that {@code bin/roster} picks
 * ({@code bin/lib/common.sh}'s {@code find_jdk}) on {@code roster-cli/target/roster-cli.jar} and
 * {@code roster-cli/target/lib/*}, the same classpath and JVM options as {@code bin/roster}.
 *
 * <p>The first use runs {@code bin/roster version} once in the root namespace, which builds the
 * worktree if its sources are newer than the jar (as every other real-process test does through
 * {@code bin/roster}); processes inside hosts then start {@code java} directly, so nothing in a
 * host ever runs Maven or needs the network.
 */
public final class Launcher {
    /** The repository's root (roster-it's parent). */
    public static final Path HOME = Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
    private static List<String> command;

    private Launcher() {
    }

    /** {@code java <opts> -cp <roster-cli> io.roster.cli.Main}; append the CLI's arguments. */
    public static synchronized List<String> javaCommand() {
        if (command == null) {
            Sh.Result built = Sh.run(Duration.ofMinutes(15), List.of(HOME.resolve("bin/roster").toString(), "version"));
            if (!built.ok()) {
                throw new IllegalStateException("bin/roster version (build) failed: " + built.describe());
            }
            String javaHome = Sh.must(Duration.ofMinutes(1), List.of("bash", "-c",
                    ". \"$1/bin/lib/common.sh\" && find_jdk >/dev/null && printf %s \"$JAVA_HOME\"", "find-jdk", HOME.toString())).strip();
            Path jar = HOME.resolve("roster-cli/target/roster-cli.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("no " + jar + " after bin/roster version");
            }
            List<String> c = new ArrayList<>();
            c.add(Path.of(javaHome, "bin", "java").toString());
            String opts = System.getenv("ROSTER_JAVA_OPTS");
            c.addAll(List.of((opts == null || opts.isBlank() ? "-XX:+UseSerialGC -XX:TieredStopAtLevel=1" : opts).strip().split("\\s+")));
            c.add("-cp");
            c.add(jar + ":" + HOME.resolve("roster-cli/target/lib") + "/*");
            c.add("io.roster.cli.Main");
            command = List.copyOf(c);
        }
        return command;
    }
}
