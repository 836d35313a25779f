package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.AutoComplete;
import picocli.CommandLine;

/**
 * Every command explains itself ({@code -h}: a usage line, a description, an example) and
 * {@code roster -h} lists them; the committed bash completion script matches the commands.
 */
class HelpAndCompletionTest {
    /** The committed completion script, next to bin/roster (found from the module or the repository directory). */
    static final Path COMPLETION = repositoryRoot().resolve("bin").resolve("roster-completion.bash");

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("bin/roster")) && Files.isDirectory(p.resolve("roster-cli"))) {
                return p;
            }
        }
        throw new IllegalStateException("not inside the Roster repository: " + Path.of("").toAbsolutePath());
    }

    private static List<CommandLine> leaves(CommandLine cl) {
        List<CommandLine> out = new ArrayList<>();
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (sub.getCommandName().equals("help")) {
                continue;
            }
            out.add(sub);
            out.addAll(leaves(sub));
        }
        return out;
    }

    @Test
    void rosterHelpListsEveryCommand() {
        Cli.Result r = Cli.run("-h");
        assertThat(r.code()).isZero();
        for (String c : List.of("agent", "kv", "catalog", "services", "members", "info", "reload", "maint", "lock", "watch", "snapshot", "operator", "rtt", "version")) {
            assertThat(r.out()).containsPattern("(?m)^  " + c + " ");
        }
    }

    @Test
    void everyCommandHasAUsageLineADescriptionAndAnExample() {
        for (CommandLine c : leaves(Main.commandLine())) {
            String name = c.getCommandSpec().qualifiedName();
            String[] args = (name.substring("roster ".length()) + " -h").split(" ");
            Cli.Result r = Cli.run(args);
            assertThat(r.code()).as(name).isZero();
            assertThat(r.out()).as(name).startsWith("Usage: " + name).containsPattern("(?m)^Examples?:$").contains("  roster ");
            assertThat(c.getCommandSpec().usageMessage().description()).as(name).isNotEmpty();
        }
    }

    @Test
    void clientCommandsShareTheHttpOptions() {
        for (CommandLine c : leaves(Main.commandLine())) {
            if (c.getCommand() instanceof ClientCommand) {
                assertThat(c.getCommandSpec().optionsMap()).as(c.getCommandSpec().qualifiedName())
                        .containsKeys("-http-addr", "-token", "-token-file", "-datacenter", "-stale", "-ca-file", "-client-cert", "-client-key");
            }
        }
    }

    /**
     * The committed script is what picocli generates from the commands today. After changing a
     * command, regenerate it: {@code mvn -pl roster-cli test -Dtest=HelpAndCompletionTest -Droster.updateCompletion=true}.
     */
    @Test
    void theCompletionScriptIsUpToDate() throws IOException {
        String script = AutoComplete.bash("roster", Main.commandLine());
        if (Boolean.getBoolean("roster.updateCompletion") || !Files.exists(COMPLETION)) {
            Files.writeString(COMPLETION, script, StandardCharsets.UTF_8);
        }
        // picocli lists a command's method options (-config-file, -config-dir) in reflection order,
        // which differs between JVM runs: compare the words of each line, sorted, not their order.
        assertThat(normalized(Files.readString(COMPLETION, StandardCharsets.UTF_8)))
                .as("bin/roster-completion.bash is stale: regenerate it with "
                        + "mvn -pl roster-cli test -Dtest=HelpAndCompletionTest -Droster.updateCompletion=true")
                .isEqualTo(normalized(script));
        assertThat(script).contains("_picocli_roster_kv_get").contains("-http-addr");
    }

    /**
     * The script's lines, each with its words sorted, in sorted order: what it completes, not in which order.
     * Quotes, '=' and parentheses separate words too, so that {@code arg_opts="'-a' '-b'"} and
     * {@code arg_opts="'-b' '-a'"} compare equal (the closing quote sticks to whichever option comes last).
     */
    private static java.util.List<String> normalized(String script) {
        return script.lines()
                .map(l -> java.util.Arrays.stream(l.trim().split("[\\s|\"=()]+")).sorted().collect(java.util.stream.Collectors.joining(" ")))
                .sorted().toList();
    }
}
