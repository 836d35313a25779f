package io.roster.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** HCL as Consul reads it: values, blocks, and errors that name the line. */
class HclTest {
    private static final Path FILE = Path.of("agent.hcl");

    private static Map<String, Object> parse(String text) {
        return Hcl.parse(FILE, text);
    }

    @Test
    void scalarsComeBackTyped() {
        Map<String, Object> m = parse("""
                s = "text"
                n = 8500
                neg = -1
                f = 1.5
                whole = 2.0
                big = 9007199254740993
                hex = 0x1F
                yes = true
                no = false
                list = ["a", "b",]
                empty = []
                """);
        assertThat(m).containsEntry("s", "text").containsEntry("n", 8500L).containsEntry("neg", -1L)
                .containsEntry("f", 1.5).containsEntry("whole", 2.0).containsEntry("big", 9007199254740993L)
                .containsEntry("hex", 31L).containsEntry("yes", true).containsEntry("no", false)
                .containsEntry("list", List.of("a", "b")).containsEntry("empty", List.of());
    }

    @Test
    void oneBlockIsAnObjectAndSeveralAreAList() {
        Map<String, Object> m = parse("""
                service {
                  name = "web"
                  check {
                    tcp = "localhost:80"
                  }
                }
                check { name = "a" }
                check { name = "b" }
                ports = { http = 1, dns = 2 }
                """);
        assertThat(m.get("service")).isEqualTo(Map.of("name", "web", "check", Map.of("tcp", "localhost:80")));
        assertThat(m.get("check")).isEqualTo(List.of(Map.of("name", "a"), Map.of("name", "b")));
        assertThat(m.get("ports")).isEqualTo(Map.of("http", 1L, "dns", 2L));
    }

    @Test
    void labelledBlocksNest() {
        assertThat(parse("service \"web\" {\n  port = 80\n}\n").get("service")).isEqualTo(Map.of("web", Map.of("port", 80L)));
    }

    @Test
    void repeatedKeysAndLabelsBuildTheTreeAsBefore() {
        // the last assignment wins, even over blocks
        assertThat(parse("a = 1\na = 2\n")).isEqualTo(Map.of("a", 2L));
        assertThat(parse("ports { http = 1 }\nports = { dns = 2 }\n")).isEqualTo(Map.of("ports", Map.of("dns", 2L)));
        assertThat(parse("k \"l\" { x = 1 }\nk = 5\n")).isEqualTo(Map.of("k", 5L));
        // a block after an object value, or after blocks, makes (or extends) a list
        assertThat(parse("a = {b = 1}\na = {b = 2}\na {c = 3}\n"))
                .isEqualTo(Map.of("a", List.of(Map.of("b", 2L), Map.of("c", 3L))));
        assertThat(parse("s { n = \"a\" }\ns { n = \"b\" }\ns { n = \"c\" }\n")).isEqualTo(Map.of("s",
                List.of(Map.of("n", "a"), Map.of("n", "b"), Map.of("n", "c"))));
        assertThat(parse("a { }\na { }\n")).isEqualTo(Map.of("a", List.of(Map.of(), Map.of())));
        // labelled blocks of one key share its object; the same label again replaces the first
        assertThat(parse("service \"a\" { port = 1 }\nservice \"b\" { port = 2 }\n")).isEqualTo(Map.of("service",
                Map.of("a", Map.of("port", 1L), "b", Map.of("port", 2L))));
        assertThat(parse("service \"a\" { port = 1 }\nservice \"a\" { port = 2 }\n"))
                .isEqualTo(Map.of("service", Map.of("a", Map.of("port", 2L))));
        assertThat(parse("service { name = \"c\" }\nservice \"a\" { port = 1 }\n"))
                .isEqualTo(Map.of("service", Map.of("name", "c", "a", Map.of("port", 1L))));
        assertThat(parse("service \"a\" { port = 1 }\nservice { name = \"c\" }\n"))
                .isEqualTo(Map.of("service", List.of(Map.of("a", Map.of("port", 1L)), Map.of("name", "c"))));
        assertThat(parse("x \"l1\" \"l2\" { v = 1 }\n")).isEqualTo(Map.of("x", Map.of("l1", Map.of("l2", Map.of("v", 1L)))));
        assertThat(parse("x \"l1\" \"l2\" { v = 1 }\nx \"l1\" \"l3\" { v = 2 }\n"))
                .isEqualTo(Map.of("x", Map.of("l1", Map.of("l3", Map.of("v", 2L)))));
        assertThat(parse("x \"l1\" { w = 2 }\nx \"l1\" \"l2\" { v = 1 }\n"))
                .isEqualTo(Map.of("x", Map.of("l1", Map.of("l2", Map.of("v", 1L)))));
        // values: lists of objects and of lists, commas between items, dotted and quoted keys
        assertThat(parse("checks = [{ id = \"a\" }, { id = \"b\" }]\nl = [[1, 2], [\"x\"]]\n")).isEqualTo(Map.of(
                "checks", List.of(Map.of("id", "a"), Map.of("id", "b")), "l", List.of(List.of(1L, 2L), List.of("x"))));
        assertThat(parse("svc { port = 1, name = \"x\" }\na = 1,\nb = 2\n"))
                .isEqualTo(Map.of("svc", Map.of("port", 1L, "name", "x"), "a", 1L, "b", 2L));
        assertThat(parse("a.b = 1\n\"a b\" = 2\n\"k\" = 3\n")).isEqualTo(Map.of("a.b", 1L, "a b", 2L, "k", 3L));
        assertThat(parse("a = -0x10\nb = 1.0e3\nc = 99999999999999999999\nd = -9223372036854775808\ne = \"\\101\"\n"))
                .isEqualTo(Map.of("a", -16L, "b", 1000.0, "c", new java.math.BigInteger("99999999999999999999"),
                        "d", Long.MIN_VALUE, "e", "A"));
        // a quoted key names a block as a bare one does (hcl4j dropped the name, or the whole block)
        assertThat(parse("\"k\" { x = 1 }\ny = 2\n")).isEqualTo(Map.of("k", Map.of("x", 1L), "y", 2L));
        assertThat(parse("\"k\" \"l\" { x = 1 }\n")).isEqualTo(Map.of("k", Map.of("l", Map.of("x", 1L))));
        assertThat(parse("")).isEmpty();
        assertThat(parse("# only a comment\n")).isEmpty();
    }

    @Test
    void quotedKeysAndStringsAreKeptExactlyAsConsulReadsThem() {
        Map<String, Object> m = parse("""
                meta {
                  "some-key" = "v"
                  some_key = "w"
                }
                a = "echo ${HOME} and 100%{x}"
                b = "tab\\tquote\\"back\\\\slash"
                c = "caf\\u00e9 \\U0001F600"
                d = "é ✓"
                """);
        assertThat(m.get("meta")).isEqualTo(Map.of("some-key", "v", "some_key", "w"));
        assertThat(m).containsEntry("a", "echo ${HOME} and 100%{x}")
                .containsEntry("b", "tab\tquote\"back\\slash")
                .containsEntry("c", "caf\u00e9 \uD83D\uDE00")
                .containsEntry("d", "é ✓");
    }

    @Test
    void heredocsAndComments() {
        Map<String, Object> m = parse("""
                // line comment
                # hash comment
                /* block
                   comment */
                script = <<EOT
                #!/bin/sh
                echo "${1}"
                EOT
                indented = <<-EOT
                    one
                      two
                    EOT
                after = 1
                """);
        assertThat(m).containsEntry("script", "#!/bin/sh\necho \"${1}\"\n")
                .containsEntry("indented", "one\n  two\n")
                .containsEntry("after", 1L);
    }

    @Test
    void jsonInAnHclFileIsReadAsJson() throws Exception {
        Path f = java.nio.file.Files.createTempFile("json-in-hcl", ".hcl");
        try {
            java.nio.file.Files.writeString(f, "{\"node_name\": \"n\"}");
            assertThat(ConfigFile.read(f)).containsEntry("node_name", "n");
        } finally {
            java.nio.file.Files.delete(f);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            unclosed block         | a = 1\\nports {\\n  http = 1\\n                 | line 2: '{' is never closed (a '}' is missing)
            stray closing brace    | a = 1\\n}\\n                                   | line 2: unexpected '}': no block is open
            missing value          | ports {\\n  http =\\n}\\n                      | line 2: missing value after 'http ='
            missing value at end   | a =                                           | line 1: missing value after 'a ='
            unterminated string    | a = "x\\nb = 1\\n                             | line 1: string is never closed (a '\"' is missing)
            bare word value        | \\n\\nlog_level = info\\n                      | line 3: 'info' is not a value: put strings in double quotes
            null value             | a = null                                      | line 1: 'null' is not a value: put strings in double quotes
            two items on a line    | a = 1 b = 2                                   | line 1: expected a new line or ',' before 'b'
            two strings            | a = "x" "y"                                   | line 1: expected a new line or ',' before a string
            unclosed list          | a = [1,\\n2\\n                                 | line 1: '[' is never closed (a ']' is missing)
            list without comma     | a = [1\\n 2]                                  | line 2: expected ',' or ']' in the list, found a number
            function call          | \\na = file("/etc/passwd")                    | line 2: unexpected '(': Consul's HCL has no expressions or functions
            arithmetic             | a = 1 + 2                                     | line 1: unexpected '+': Consul's HCL has no expressions or functions
            unclosed comment       | a = 1\\n/* no end\\n                           | line 2: comment '/*' is never closed
            unclosed heredoc       | a = <<EOT\\nhello\\n                           | line 1: heredoc <<EOT is never closed (no line 'EOT')
            bad escape             | a = "\\q"                                      | line 1: invalid escape '\\q' in string
            bad number             | a = 12ab                                      | line 1: invalid number '12ab' (put strings in double quotes)
            key without value      | \\nnode_name\\n                                | line 3: expected '=' or '{' after 'node_name', found the end of the file
            strange character      | a = 1\\n@b = 2                                | line 2: unexpected character '@'
            value where key wanted | = 1                                           | line 1: expected a key, found '='
            """)
    void malformedHclNamesTheLine(String name, String text, String message) {
        String hcl = text.replace("\\n", "\n");
        assertThatThrownBy(() -> parse(hcl)).isInstanceOf(ConfigException.class)
                .hasMessage(FILE + ": " + message);
    }

    @Test
    void moreMalformedHclNamesTheLine() {
        String[][] cases = {
            {"a = ]", "line 1: expected a value after 'a =', found ']'"},
            {"a \"x\" = 1", "line 1: expected '=' or '{' after 'a', found '='"},
            {"a { b = 1 } c = 2", "line 1: expected a new line or ',' before 'c'"},
            {"a = {", "line 1: '{' is never closed (a '}' is missing)"},
            {"a = \"\\x4\"", "line 1: invalid escape in string: expected 2 hex digits"},
            {"a = \"\\U00110000\"", "line 1: invalid escape in string: U+110000 is not a character"},
            {"a = \"\\18\"", "line 1: invalid escape '\\18\"' in string"},
            {"a = <<\nx\n", "line 1: a heredoc needs a name and then a new line, as in <<EOT"},
            {"a = <<EOT x\ny\nEOT\n", "line 1: a heredoc needs a name and then a new line, as in <<EOT"},
            // hcl4j refused these with "cannot parse HCL" and no line
            {"a = 1\n\na { b = 1 }", "line 3: block 'a' after a value that is not an object"},
            {"a = [1]\na { b = 1 }", "line 2: block 'a' after a value that is not an object"},
            {"a { b = 1 }\na { c = 1 }\na \"x\" { d = 1 }", "line 3: block 'a' after a value that is not an object"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> parse(c[0])).as(c[0]).isInstanceOf(ConfigException.class).hasMessage(FILE + ": " + c[1]);
        }
    }
}
