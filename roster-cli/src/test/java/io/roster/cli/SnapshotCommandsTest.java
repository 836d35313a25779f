package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.QueryOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code roster snapshot save|inspect|restore}: a round trip from one dev agent into a fresh one. */
class SnapshotCommandsTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();
    /** A second, fresh agent to restore into; commands name it with -http-addr. */
    @RegisterExtension
    static final DevAgent OTHER = new DevAgent();

    @TempDir
    Path dir;

    private static String addr(DevAgent a) {
        return "-http-addr=" + a.address();
    }

    @Test
    void saveInspectRestoreRoundTrip() throws IOException {
        AGENT.client().kv().put("app/db", "postgres://db:5432".getBytes(StandardCharsets.UTF_8));
        AGENT.client().kv().put("app/cache", "redis".getBytes(StandardCharsets.UTF_8));
        AGENT.client().kv().put("app/flags", new byte[0]);
        AGENT.put("/v1/agent/service/register", "{\"Name\": \"web\", \"Port\": 80}");
        Path file = dir.resolve("backup.snap");

        Cli.Result save = Cli.run("snapshot", "save", addr(AGENT), file.toString());
        assertThat(save.code()).as(save.toString()).isZero();
        Matcher m = Pattern.compile("Saved and verified snapshot to index (\\d+)\n").matcher(save.out());
        assertThat(m.matches()).as(save.out()).isTrue();
        long index = Long.parseLong(m.group(1));
        assertThat(index).isPositive();
        assertThat(file).exists();
        assertThat(dir.resolve("backup.snap.unverified")).doesNotExist();
        assertThat(Files.readAllLines(file).getFirst()).startsWith("{\"Format\":\"roster-snapshot\",\"Version\":");

        Cli.Result inspect = Cli.run("snapshot", "inspect", file.toString());
        assertThat(inspect.code()).as(inspect.toString()).isZero();
        long size = Files.size(file);
        assertThat(inspect.out()).startsWith(" Format       roster-snapshot\n Size         " + size + "\n Index        "
                + index + "\n Version      5\n\n Type");
        assertThat(inspect.out()).containsPattern("(?m)^ KV +3 +\\d+B$").containsPattern("(?m)^ Node +1 +\\d")
                .containsPattern("(?m)^ Service +[12] +\\d").containsPattern("(?m)^ ---- +---- +----$")
                .containsPattern("(?m)^ Total +\\d+(\\.\\d)?K?B\n\\z");

        Cli.Result restore = Cli.run("snapshot", "restore", addr(OTHER), file.toString());
        assertThat(restore.code()).as(restore.toString()).isZero();
        assertThat(restore.out()).isEqualTo("Restored snapshot\n");
        assertThat(OTHER.client().kv().get("app/db", QueryOptions.DEFAULT).value()).get()
                .satisfies(p -> assertThat(new String(p.value(), StandardCharsets.UTF_8)).isEqualTo("postgres://db:5432"));
        assertThat(OTHER.client().kv().keys("app/", null, QueryOptions.DEFAULT).value())
                .containsExactly("app/cache", "app/db", "app/flags");
        assertThat(OTHER.client().catalog().services(null, QueryOptions.DEFAULT).value()).containsKey("web");
        AGENT.client().agent().serviceDeregister("web");
    }

    @Test
    void usageMistakesExitTwo() {
        for (String verb : List.of("save", "restore", "inspect")) {
            Cli.Result none = Cli.run("snapshot", verb);
            assertThat(none.code()).as(verb).isEqualTo(2);
            assertThat(none.err()).as(verb).isEqualTo("Missing FILE argument\n");
            Cli.Result many = Cli.run("snapshot", verb, "a", "b");
            assertThat(many.code()).as(verb).isEqualTo(2);
            assertThat(many.err()).as(verb).isEqualTo("Too many arguments (expected 1, got 2)\n");
        }
        assertThat(Cli.run("snapshot").code()).isEqualTo(2);
        assertThat(Cli.run("snapshot", "save", "-nope", "f").code()).isEqualTo(2);
    }

    @Test
    void badFilesAreOneLineErrors() throws IOException {
        Path missing = dir.resolve("missing.snap");
        Cli.Result r = Cli.run("snapshot", "inspect", missing.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error opening snapshot file: ").hasLineCount(1);
        r = Cli.run("snapshot", "restore", addr(AGENT), missing.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error opening snapshot file: ").hasLineCount(1);

        Path other = Files.writeString(dir.resolve("other.snap"), "{\"Format\":\"consul-snapshot\",\"Version\":1,\"Index\":3}\n");
        r = Cli.run("snapshot", "inspect", other.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error inspecting snapshot: not a Roster snapshot (no \"Format\":\"roster-snapshot\" header)\n");

        Path truncated = Files.writeString(dir.resolve("truncated.snap"),
                "{\"Format\":\"roster-snapshot\",\"Version\":2,\"Index\":3}\n{\"KV\":{\"Key\":\"a\"}}\n");
        r = Cli.run("snapshot", "inspect", truncated.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("Error inspecting snapshot: snapshot is truncated (no End line)\n");

        r = Cli.run("snapshot", "restore", addr(AGENT), other.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error restoring snapshot: Unexpected response code: 400 (").hasLineCount(1);
    }

    @Test
    void saveWithNoAgentFails() {
        Cli.Result r = Cli.run("snapshot", "save", "-http-addr=127.0.0.1:1", dir.resolve("x.snap").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("Error saving snapshot: ").contains("connection refused").hasLineCount(1);
        assertThat(dir.resolve("x.snap")).doesNotExist();
    }

    @Test
    void byteSizesAsConsul() {
        assertThat(SnapshotInspectCommand.byteSize(0)).isEqualTo("0");
        assertThat(SnapshotInspectCommand.byteSize(412)).isEqualTo("412B");
        assertThat(SnapshotInspectCommand.byteSize(1024)).isEqualTo("1KB");
        assertThat(SnapshotInspectCommand.byteSize(1741)).isEqualTo("1.7KB");
        assertThat(SnapshotInspectCommand.byteSize(5L * 1024 * 1024)).isEqualTo("5MB");
    }
}
