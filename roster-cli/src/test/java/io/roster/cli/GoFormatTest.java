package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Go layouts Roster's output must match byte for byte: columnize, tabwriter, encoding/json, path.Join. */
class GoFormatTest {
    @Test
    void columnizePadsAllButTheLastColumnWithTwoSpaces() {
        assertThat(GoFormat.columnize(List.of(List.of("Node", "Address", "Status"), List.of("a-long-name", "10.0.0.1:8301", "alive"))))
                .isEqualTo("Node         Address        Status\na-long-name  10.0.0.1:8301  alive");
        assertThat(GoFormat.columnize(List.of(List.of(" x ", "y")))).isEqualTo("x  y");
    }

    @Test
    void tabwriterPadsCellsBySixSpacesPastTheWidest() {
        assertThat(GoFormat.tabwriter(List.of(List.of("Key", "a"), List.of("CreateIndex", "5")), 6))
                .isEqualTo("Key              a\nCreateIndex      5\n");
    }

    @Test
    void jsonAsGoWritesIt() throws Exception {
        JsonNode n = Json.mapper().readTree("{\"a\":[1,{\"b\":\"<&>\"}],\"e\":{},\"l\":[],\"n\":null,\"t\":true,\"s\":\"q\\\"\\n\\u0001\"}");
        assertThat(GoFormat.compact(n)).isEqualTo("{\"a\":[1,{\"b\":\"\\u003c\\u0026\\u003e\"}],\"e\":{},\"l\":[],\"n\":null,\"t\":true,\"s\":\"q\\\"\\n\\u0001\"}");
        assertThat(GoFormat.indent(Json.mapper().readTree("{\"a\":[1,2],\"b\":{}}"), "  "))
                .isEqualTo("{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}");
    }

    @Test
    void pathJoinCleansLikeGo() {
        assertThat(GoFormat.pathJoin("", "a/b")).isEqualTo("a/b");
        assertThat(GoFormat.pathJoin("backup/", "/a//b/")).isEqualTo("backup/a/b");
        assertThat(GoFormat.pathJoin("x", "../y/./z")).isEqualTo("y/z");
        assertThat(GoFormat.pathJoin("", "")).isEmpty();
        assertThat(GoFormat.pathClean("/../a")).isEqualTo("/a");
        assertThat(GoFormat.pathClean("a/..")).isEqualTo(".");
    }
}
