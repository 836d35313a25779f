package io.roster.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading files: JSON errors name the line; encodings. */
class ConfigFileTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            missing value      | {\\n  "a": 1,\\n  "b":\\n}\\n    | line 4: invalid JSON: Unexpected character ('}' (code 125)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')
            missing comma      | {\\n  "a": 1\\n  "b": 2\\n}\\n   | line 3: invalid JSON: Unexpected character ('"' (code 34)): was expecting comma to separate Object entries
            unclosed           | {\\n  "a": [1, 2\\n              | line 3: invalid JSON: Unexpected end-of-input: expected close marker for Array
            two objects        | {"a": 1}\\n{"b": 2}\\n          | line 2: invalid JSON: more content after the closing '}'
            not an object      | ["a"]                          | line 1: the configuration must be a JSON object ({...}), not a list
            """)
    void malformedJsonNamesTheLine(String name, String text, String message) throws IOException {
        Path f = dir.resolve("bad.json");
        Files.writeString(f, text.replace("\\n", "\n"));
        assertThatThrownBy(() -> ConfigFile.read(f)).isInstanceOf(ConfigException.class).hasMessage(f + ": " + message);
    }

    @Test
    void aByteOrderMarkIsSkippedAndInvalidUtf8IsAnError() throws IOException {
        Path bom = dir.resolve("bom.json");
        Files.write(bom, ("\uFEFF{\"node_name\": \"n\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(ConfigFile.read(bom)).containsEntry("node_name", "n");
        Path latin1 = dir.resolve("latin1.hcl");
        Files.write(latin1, "node_name = \"caf\u00e9\"".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> ConfigFile.read(latin1)).hasMessage(latin1 + ": not valid UTF-8");
    }
}
