package io.roster.tools;

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

/** The tools' token: flag, config, CONSUL_HTTP_TOKEN_FILE, CONSUL_HTTP_TOKEN, in that order. */
class ToolEnvTest {
    @TempDir
    Path dir;
    private final Map<String, String> env = new HashMap<>();

    @AfterEach
    void restore() {
        ToolEnv.env = System::getenv;
    }

    @Test
    void tokenPrecedence() throws IOException {
        ToolEnv.env = env::get;
        assertThat(ToolEnv.token(null, null)).isNull();
        env.put("CONSUL_HTTP_TOKEN", "from-env");
        assertThat(ToolEnv.token(null, null)).isEqualTo("from-env");
        Path f = dir.resolve("token");
        Files.writeString(f, "from-file\n");
        env.put("CONSUL_HTTP_TOKEN_FILE", f.toString());
        assertThat(ToolEnv.token(null, null)).isEqualTo("from-file");
        assertThat(ToolEnv.token(null, "from-config")).isEqualTo("from-config");
        assertThat(ToolEnv.token("from-flag", "from-config")).isEqualTo("from-flag");
        env.put("CONSUL_HTTP_TOKEN_FILE", dir.resolve("missing").toString());
        assertThatThrownBy(() -> ToolEnv.token(null, null)).hasMessageStartingWith("Error loading token file: ");
    }
}
