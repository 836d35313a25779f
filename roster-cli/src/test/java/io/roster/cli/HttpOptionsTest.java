package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where the common flags and environment variables lead, with Consul's precedence. */
class HttpOptionsTest {
    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();

    private HttpOptions parse(String... args) {
        HttpOptions.env = env::get;
        HttpOptions o = new HttpOptions();
        new CommandLine(o).parseArgs(args);
        return o;
    }

    @AfterEach
    void restore() {
        HttpOptions.env = System::getenv;
    }

    @Test
    void addressComesFromFlagThenRosterThenConsulVariableThenDefault() {
        assertThat(parse().address()).isEqualTo("http://127.0.0.1:8500");
        env.put("CONSUL_HTTP_ADDR", "consul:8500");
        assertThat(parse().address()).isEqualTo("http://consul:8500");
        env.put("ROSTER_HTTP_ADDR", "https://roster:8501");
        assertThat(parse().address()).isEqualTo("https://roster:8501");
        assertThat(parse("-http-addr=flag:1").address()).isEqualTo("http://flag:1");
        assertThat(parse("--http-addr", "flag:2").address()).isEqualTo("http://flag:2");
    }

    @Test
    void consulHttpSslSelectsHttps() {
        env.put("CONSUL_HTTP_ADDR", "consul:8501");
        env.put("CONSUL_HTTP_SSL", "true");
        assertThat(parse().address()).isEqualTo("https://consul:8501");
        assertThat(parse("-http-addr=http://plain:80").address()).isEqualTo("http://plain:80");
    }

    @Test
    void aTokenFileWinsOverATokenAsInConsul() throws IOException {
        assertThat(parse().token()).isNull();
        env.put("CONSUL_HTTP_TOKEN", "from-env");
        assertThat(parse().token()).isEqualTo("from-env");
        assertThat(parse("-token=from-flag").token()).isEqualTo("from-flag");
        Path f = dir.resolve("token");
        Files.writeString(f, "  from-file\n");
        env.put("CONSUL_HTTP_TOKEN_FILE", f.toString());
        assertThat(parse("-token=from-flag").token()).isEqualTo("from-file");
        Path blank = dir.resolve("blank");
        Files.writeString(blank, "\n");
        assertThat(parse("-token=from-flag", "-token-file=" + blank).token()).isEqualTo("from-flag");
        assertThatThrownBy(() -> parse("-token-file=" + dir.resolve("missing")).token())
                .isInstanceOf(ClientCommand.SetupException.class).hasMessageStartingWith("Error loading token file: ");
    }

    @Test
    void datacenterAndStaleBecomeQueryOptions() {
        assertThat(parse("-datacenter=dc2", "-stale").queryOptions()).satisfies(q -> {
            assertThat(q.datacenter()).isEqualTo("dc2");
            assertThat(q.stale()).isTrue();
        });
        assertThat(parse("-datacenter=dc2").writeParams()).containsExactly(Map.entry("dc", "dc2"));
        assertThat(parse("-stale=false").queryOptions().stale()).isFalse();
    }
}
