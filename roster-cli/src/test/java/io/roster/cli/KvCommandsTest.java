package io.roster.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code roster kv get|put|delete|export|import} against a real dev agent: Consul's outputs, texts and exit codes. */
class KvCommandsTest {
    @RegisterExtension
    static final DevAgent AGENT = new DevAgent();

    @TempDir
    Path dir;

    private static KvPair pair(String key) {
        return AGENT.client().kv().get(key, QueryOptions.DEFAULT).value().orElseThrow();
    }

    @Test
    void putThenGetPrintsTheValueAsStored() {
        Cli.Result put = Cli.run("kv", "put", "redis/config/connections", "5");
        assertThat(put.code()).as(put.toString()).isZero();
        assertThat(put.out()).isEqualTo("Success! Data written to: redis/config/connections\n");
        assertThat(put.err()).isEmpty();

        Cli.Result get = Cli.run("kv", "get", "redis/config/connections");
        assertThat(get.code()).isZero();
        assertThat(get.out()).isEqualTo("5\n");

        // A leading slash is stripped, as Consul does; an empty key prints an empty line.
        assertThat(Cli.run("kv", "get", "/redis/config/connections").out()).isEqualTo("5\n");
        assertThat(Cli.run("kv", "put", "webapp/beta/active").code()).isZero();
        assertThat(Cli.run("kv", "get", "webapp/beta/active").out()).isEqualTo("\n");
    }

    @Test
    void detailedPrintsConsulsAlignedBlock() {
        Cli.run("kv", "put", "-flags=42", "redis/config/users/admin", "zaphod");
        KvPair p = pair("redis/config/users/admin");
        Cli.Result r = Cli.run("kv", "get", "-detailed", "redis/config/users/admin");
        assertThat(r.code()).isZero();
        assertThat(r.out()).isEqualTo(String.join("\n",
                "CreateIndex      " + p.createIndex(),
                "Flags            42",
                "Key              redis/config/users/admin",
                "LockIndex        0",
                "ModifyIndex      " + p.modifyIndex(),
                "Session          -",
                "Value            zaphod") + "\n");

        assertThat(Cli.run("kv", "get", "-base64", "redis/config/users/admin").out()).isEqualTo("emFwaG9k\n");
    }

    @Test
    void recurseKeysAndSeparator() {
        Cli.run("kv", "put", "tree/a", "1");
        Cli.run("kv", "put", "tree/b/c", "2");
        Cli.run("kv", "put", "tree/b/d", "3");
        assertThat(Cli.run("kv", "get", "-recurse", "tree/").out()).isEqualTo("tree/a:1\ntree/b/c:2\ntree/b/d:3\n");
        assertThat(Cli.run("kv", "get", "-recurse", "-base64", "tree/b").out()).isEqualTo("tree/b/c:Mg==\ntree/b/d:Mw==\n");
        assertThat(Cli.run("kv", "get", "-keys", "tree/").out()).isEqualTo("tree/a\ntree/b/\n");
        assertThat(Cli.run("kv", "get", "-keys", "-separator=", "tree/").out()).isEqualTo("tree/a\ntree/b/c\ntree/b/d\n");
        assertThat(Cli.run("kv", "get", "-keys", "-recurse", "tree/b/").out()).isEqualTo("tree/b/c\ntree/b/d\n");

        String detailed = Cli.run("kv", "get", "-recurse", "-detailed", "tree/b/").out();
        assertThat(detailed.split("\n\n")).hasSize(2);
        assertThat(detailed).contains("Key              tree/b/c\n").endsWith("Value            3\n");
    }

    @Test
    void historyListsTheVersionsNewestFirstWithDeletes() {
        Cli.run("kv", "put", "hist/app", "one");
        long first = pair("hist/app").modifyIndex();
        Cli.run("kv", "put", "-flags=7", "hist/app", "two\nlines");
        long second = pair("hist/app").modifyIndex();
        Cli.run("kv", "delete", "hist/app");
        Cli.Result r = Cli.run("kv", "history", "hist/app");
        assertThat(r.code()).as(r.toString()).isZero();
        java.util.List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(4);
        assertThat(lines.get(0)).startsWith("Index").contains("Time", "Size", "Flags", "Session", "Value");
        for (String line : lines.subList(1, 4)) {
            assertThat(line).as("each version's time, UTC").containsPattern(" \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z ");
        }
        assertThat(lines.get(1)).contains("(deleted)");
        assertThat(lines.get(2)).startsWith(second + " ").contains(" 9 ", " 7 ", "two\\nlines");
        assertThat(lines.get(3)).startsWith(first + " ").contains(" 3 ", "one");
        assertThat(Cli.run("kv", "history", "-base64", "hist/app").out()).contains("b25l");

        Cli.Result none = Cli.run("kv", "history", "hist/never");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).isEqualTo("Error! No history for key: hist/never\n");
        assertThat(Cli.run("kv", "history").code()).isEqualTo(2);
    }

    @Test
    void aMissingKeyIsAnErrorOnOneLine() {
        Cli.Result r = Cli.run("kv", "get", "no/such/key");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).isEqualTo("Error! No key exists at: no/such/key\n");
    }

    @Test
    void usageMistakesExitTwoWithConsulsMessages() {
        assertThat(Cli.run("kv", "get")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("Error! Missing KEY argument\n");
        });
        // Flags end at the first argument, as with Go's flag package: "-detailed" is a second key here.
        assertThat(Cli.run("kv", "get", "a", "-detailed")).satisfies(r -> {
            assertThat(r.code()).isEqualTo(2);
            assertThat(r.err()).isEqualTo("Too many arguments (expected 1, got 2)\n");
        });
        assertThat(Cli.run("kv", "put").err()).isEqualTo("Error! Missing KEY argument\n");
        assertThat(Cli.run("kv", "put", "a", "b", "c").err()).isEqualTo("Error! Too many arguments (expected 1 or 2, got 3)\n");
        assertThat(Cli.run("kv", "put", "-acquire", "a").err()).isEqualTo("Error! Missing -session (required with -acquire and -release)\n");
        assertThat(Cli.run("kv", "put", "-flags=abc", "a").err()).isEqualTo("invalid value \"abc\" for flag -flags: parse error\n");
        Cli.Result unknown = Cli.run("kv", "get", "-nope", "a");
        assertThat(unknown.code()).isEqualTo(2);
        assertThat(unknown.err().strip().lines()).hasSize(1);
        assertThat(unknown.err()).contains("-nope");
    }

    @Test
    void dataLooksLikeAFlagAfterTheKey() {
        assertThat(Cli.run("kv", "put", "counter", "-1").code()).isZero();
        assertThat(Cli.run("kv", "get", "counter").out()).isEqualTo("-1\n");
    }

    @Test
    void putReadsAFileOrStdinAndKeepsBytes() throws IOException {
        byte[] binary = {0, (byte) 0xff, (byte) 0xfe, 'a', '\n', 0x7f};
        Path f = dir.resolve("blob.bin");
        Files.write(f, binary);
        assertThat(Cli.run("kv", "put", "bin/file", "@" + f).code()).isZero();
        assertThat(pair("bin/file").value()).isEqualTo(binary);
        byte[] expected = new byte[binary.length + 1];
        System.arraycopy(binary, 0, expected, 0, binary.length);
        expected[binary.length] = '\n';
        assertThat(Cli.run("kv", "get", "bin/file").outBytes()).isEqualTo(expected);

        assertThat(Cli.runWithStdin("from stdin".getBytes(StandardCharsets.UTF_8), "kv", "put", "bin/stdin", "-").code()).isZero();
        assertThat(pair("bin/stdin").valueAsString()).isEqualTo("from stdin");

        assertThat(Cli.runWithStdin("aGVsbG8=\n".getBytes(StandardCharsets.UTF_8), "kv", "put", "-base64", "bin/b64", "-").code()).isZero();
        assertThat(pair("bin/b64").valueAsString()).isEqualTo("hello");

        Cli.Result missing = Cli.run("kv", "put", "bin/x", "@" + dir.resolve("nope"));
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("Error! Failed to read file: open " + dir.resolve("nope") + ": no such file or directory\n");
        assertThat(Cli.run("kv", "put", "-base64", "bin/x", "!!").err()).startsWith("Error! Cannot base 64 decode data: ");
    }

    @Test
    void checkAndSet() {
        Cli.run("kv", "put", "cas/key", "one");
        long index = pair("cas/key").modifyIndex();
        Cli.Result stale = Cli.run("kv", "put", "-cas", "-modify-index=" + (index + 1000), "cas/key", "two");
        assertThat(stale.code()).isEqualTo(1);
        assertThat(stale.err()).isEqualTo("Error! Did not write to cas/key: CAS failed\n");
        Cli.Result exists = Cli.run("kv", "put", "-cas", "-modify-index=0", "cas/key", "two");
        assertThat(exists.err()).isEqualTo("Error! Did not write to cas/key: CAS performed with index=0 and key already exists.\n");
        Cli.Result ok = Cli.run("kv", "put", "-cas", "-modify-index=" + index, "cas/key", "two");
        assertThat(ok.out()).isEqualTo("Success! Data written to: cas/key\n");
        assertThat(pair("cas/key").valueAsString()).isEqualTo("two");
    }

    @Test
    void acquireAndReleaseWithASession() {
        String session = AGENT.client().session().create(Map.of("Name", "cli-test", "TTL", "30s"));
        Cli.Result acquire = Cli.run("kv", "put", "-acquire", "-session=" + session, "locks/leader", "me");
        assertThat(acquire.out()).isEqualTo("Success! Lock acquired on: locks/leader\n");
        assertThat(pair("locks/leader").session()).isEqualTo(session);
        assertThat(Cli.run("kv", "get", "-detailed", "locks/leader").out()).contains("Session          " + session + "\n")
                .contains("LockIndex        1\n");

        String other = AGENT.client().session().create(Map.of("Name", "other", "TTL", "30s"));
        Cli.Result taken = Cli.run("kv", "put", "-acquire", "-session=" + other, "locks/leader", "them");
        assertThat(taken.code()).isEqualTo(1);
        assertThat(taken.err()).isEqualTo("Error! Did not acquire lock\n");

        assertThat(Cli.run("kv", "put", "-release", "-session=" + session, "locks/leader").out())
                .isEqualTo("Success! Lock released on: locks/leader\n");
        assertThat(pair("locks/leader").session()).isNull();
        AGENT.client().session().destroy(session);
        AGENT.client().session().destroy(other);
    }

    @Test
    void deleteOneCasOrPrefix() {
        Cli.run("kv", "put", "del/a", "1");
        Cli.run("kv", "put", "del/b/c", "2");
        Cli.run("kv", "put", "del/b/d", "3");
        assertThat(Cli.run("kv", "delete", "del/a").out()).isEqualTo("Success! Deleted key: del/a\n");
        assertThat(Cli.run("kv", "delete", "del/a").code()).as("deleting a missing key succeeds").isZero();

        long index = pair("del/b/c").modifyIndex();
        Cli.Result stale = Cli.run("kv", "delete", "-cas", "-modify-index=" + (index + 1000), "del/b/c");
        assertThat(stale.code()).isEqualTo(1);
        assertThat(stale.err()).isEqualTo("Error! Did not delete key del/b/c: CAS failed\n");
        assertThat(Cli.run("kv", "delete", "-cas", "-modify-index=" + index, "del/b/c").out()).isEqualTo("Success! Deleted key: del/b/c\n");

        assertThat(Cli.run("kv", "delete", "-recurse", "del/").out()).isEqualTo("Success! Deleted keys with prefix: del/\n");
        assertThat(AGENT.client().kv().list("del/", QueryOptions.DEFAULT).value()).isEmpty();

        assertThat(Cli.run("kv", "delete").err()).isEqualTo("Error! Missing KEY argument\n");
        assertThat(Cli.run("kv", "delete", "-cas", "x").err())
                .isEqualTo("Cannot delete a key that does not exist. Provide a -modify-index greater than than 0.\n");
        assertThat(Cli.run("kv", "delete", "-modify-index=3", "x").err()).isEqualTo("Cannot specify -modify-index without -cas!\n");
        assertThat(Cli.run("kv", "delete", "-cas", "-modify-index=3", "-recurse", "x").err()).isEqualTo("Cannot specify both -cas and -recurse!\n");
    }

    @Test
    void exportThenImportUnderAPrefix() throws IOException {
        Cli.run("kv", "put", "exp/a", "one");
        Cli.run("kv", "put", "-flags=7", "exp/dir/", "");
        Cli.run("kv", "put", "exp/dir/<b>", "two");
        Cli.Result exported = Cli.run("kv", "export", "exp/");
        assertThat(exported.code()).isZero();
        assertThat(exported.out()).isEqualTo("""
                [
                \t{
                \t\t"key": "exp/a",
                \t\t"flags": 0,
                \t\t"value": "b25l"
                \t},
                \t{
                \t\t"key": "exp/dir/",
                \t\t"flags": 7,
                \t\t"value": ""
                \t},
                \t{
                \t\t"key": "exp/dir/\\u003cb\\u003e",
                \t\t"flags": 0,
                \t\t"value": "dHdv"
                \t}
                ]
                """);
        Path file = dir.resolve("export.json");
        Files.writeString(file, exported.out());

        Cli.Result imported = Cli.run("kv", "import", "-prefix=copy", "@" + file);
        assertThat(imported.code()).as(imported.toString()).isZero();
        assertThat(imported.out()).isEqualTo("Imported: copy/exp/a\nImported: copy/exp/dir/\nImported: copy/exp/dir/<b>\n");
        assertThat(pair("copy/exp/dir/").flags()).isEqualTo(7);
        assertThat(pair("copy/exp/dir/<b>").valueAsString()).isEqualTo("two");

        Cli.Result fromStdin = Cli.runWithStdin("[{\"Key\":\"stdin/k\",\"Flags\":1,\"Value\":\"dg==\"}]".getBytes(StandardCharsets.UTF_8),
                "kv", "import", "-");
        assertThat(fromStdin.out()).isEqualTo("Imported: stdin/k\n");
        assertThat(pair("stdin/k").valueAsString()).isEqualTo("v");

        assertThat(Cli.run("kv", "export", "nothing/here/").out()).isEqualTo("[]\n");
        Cli.Result bad = Cli.run("kv", "import", "{not json");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).startsWith("Cannot unmarshal data: ");
        assertThat(Cli.run("kv", "import").err()).isEqualTo("Error! Missing DATA argument\n");
    }

    @Test
    void agentErrorsAreReportedInConsulsWords() {
        Cli.Result otherDc = Cli.run("kv", "put", "-datacenter=dc9", "x", "y");
        assertThat(otherDc.code()).isEqualTo(1);
        assertThat(otherDc.err()).isEqualTo("Error! Failed writing data: Unexpected response code: 500 (No path to datacenter)\n");

        AGENT.env.put("ROSTER_HTTP_ADDR", "127.0.0.1:1");
        Cli.Result refused = Cli.run("kv", "get", "x");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).startsWith("Error querying Consul agent: ").contains("connection refused");
        assertThat(refused.err().strip().lines()).hasSize(1);

        Cli.Result unix = Cli.run("kv", "get", "-http-addr=unix:///tmp/consul.sock", "x");
        assertThat(unix.code()).isEqualTo(1);
        assertThat(unix.err()).isEqualTo("Error connecting to Consul agent: unix sockets are not supported by Roster: unix:///tmp/consul.sock\n");
    }

    @Test
    void tlsFlagsAreAcceptedAndStaleReadsWork() {
        Cli.run("kv", "put", "tls/k", "v");
        Cli.Result r = Cli.run("kv", "get", "-ca-file=/nope/ca.pem", "-client-cert=/nope/c.pem", "-client-key=/nope/k.pem",
                "-stale", "-datacenter=dc1", "-token=secret", "tls/k");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).isEqualTo("v\n");
    }
}
