package io.roster.state;

import static io.roster.state.Cmds.cas;
import static io.roster.state.Cmds.checkIndex;
import static io.roster.state.Cmds.delete;
import static io.roster.state.Cmds.deregisterNode;
import static io.roster.state.Cmds.deregisterService;
import static io.roster.state.Cmds.deleteTree;
import static io.roster.state.Cmds.destroy;
import static io.roster.state.Cmds.lock;
import static io.roster.state.Cmds.node;
import static io.roster.state.Cmds.nodeCheck;
import static io.roster.state.Cmds.register;
import static io.roster.state.Cmds.service;
import static io.roster.state.Cmds.set;
import static io.roster.state.Cmds.txn;
import static io.roster.state.Cmds.unlock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.HealthCheck;
import io.roster.api.KvPair;
import io.roster.api.NodeService;
import io.roster.api.ServiceDefinition;
import io.roster.api.SessionEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The snapshot schema, pinned by golden files. A change to these bytes is a change to the on-disk
 * format: bump {@link Snapshot#VERSION} and add a golden file rather than editing one. To regenerate
 * the current version's file after a deliberate change, run with {@code -Droster.golden.update=true}
 * and review the diff. Older versions' files are never regenerated: they prove that what older
 * servers wrote is still read.
 */
class SnapshotGoldenTest {
    /** Written by version-1 servers (KV, tombstones, sessions); read-only evidence now. */
    private static final String GOLDEN_V1 = "golden/snapshot-v1.jsonl";
    /** Written by version-2 servers (the catalog added); read-only evidence now. */
    private static final String GOLDEN_V2 = "golden/snapshot-v2.jsonl";
    /** Written by version-3 servers (prepared queries and coordinates added); read-only evidence now. */
    private static final String GOLDEN_V3 = "golden/snapshot-v3.jsonl";
    /** The current format, with KV history (version 4 is the ACL tables', on another branch). */
    private static final String GOLDEN_V5 = "golden/snapshot-v5.jsonl";
    /** Version 5 as written before its history rows could carry a {@code Time}. */
    private static final String GOLDEN_V5_UNTIMED = "golden/snapshot-v5-untimed.jsonl";
    private static final Path GOLDEN_V5_SOURCE = Path.of("src/test/resources", GOLDEN_V5);
    /** Version 4: the ACL tables, no KV history. */
    private static final String GOLDEN_V4 = "golden/snapshot-v4.jsonl";
    private static final Path GOLDEN_V4_SOURCE = Path.of("src/test/resources", GOLDEN_V4);
    static final String POLICY_KV = "3f1c0a2e-0000-4000-8000-0000000000a1";
    static final String POLICY_GONE = "3f1c0a2e-0000-4000-8000-0000000000a2";
    static final String ROLE_APP = "3f1c0a2e-0000-4000-8000-0000000000b1";
    static final String TOKEN_APP = "3f1c0a2e-0000-4000-8000-0000000000c1";
    static final String TOKEN_APP_SECRET = "3f1c0a2e-0000-4000-8000-00000000sec1";
    static final String TOKEN_BOOT = "3f1c0a2e-0000-4000-8000-0000000000c2";
    static final String TOKEN_GONE = "3f1c0a2e-0000-4000-8000-0000000000c3";
    static final String QUERY_A = "5a1e0c3d-0000-4000-8000-00000000000a";
    static final String QUERY_TEMPLATE = "5a1e0c3d-0000-4000-8000-00000000000b";
    static final String QUERY_BOUND = "5a1e0c3d-0000-4000-8000-00000000000c";
    static final String QUERY_GONE = "5a1e0c3d-0000-4000-8000-00000000000d";

    static final String LEADER = "6b9ac2ad-1b3f-4c0a-9f6e-1a2b3c4d5e01";
    static final String EPHEMERAL = "0c5e1d7a-77aa-4bde-8f00-1a2b3c4d5e02";
    static final String DOOMED = "f1e2d3c4-b5a6-4978-8695-1a2b3c4d5e03";
    /** A session on node3 that depends on node3's serfHealth; it dies when that check turns critical. */
    static final String WATCHER = "a9b8c7d6-e5f4-4a3b-8c2d-1a2b3c4d5e04";

    /** The commands of the version-1 golden file: every KV and session row kind and field. */
    static Store v1Store() {
        Store s = new Store();
        v1Commands(s);
        return s;
    }

    /** Applies the version-1 command list; returns the last index used. */
    private static long v1Commands(Store s) {
        long i = 100;
        s.apply(i += 3, new Command.SessionCreate(LEADER, "leader-lock", "node1", 15_000_000_000L,
                SessionEntry.RELEASE, "30s", List.of("serfHealth"), null));
        s.apply(i += 3, new Command.SessionCreate(EPHEMERAL, "ephemeral", "node2", 0L,
                SessionEntry.DELETE, "", List.of(), List.of(new SessionEntry.ServiceCheck("web", "default"))));
        s.apply(i += 3, new Command.SessionCreate(DOOMED, "doomed", "node1", 1_000_000_000L,
                SessionEntry.RELEASE, "10s", List.of("serfHealth", "disk"), null));
        s.apply(i += 3, set("config/app/name", "roster"));
        s.apply(i += 3, set("config/app/port", "8500", 42));
        s.apply(i += 3, new Command.Kv(KvVerb.SET, "config/binary", new byte[] {0, 1, 2, (byte) 0xff, (byte) 0xfe},
                9_007_199_254_740_993L, 0, null));
        s.apply(i += 3, set("empty", null));
        s.apply(i += 3, set("unicode/ключ/✓", "värde"));
        s.apply(i += 3, set("weird/\"quoted\"\n\ttab", "line1\nline2"));
        s.apply(i += 3, lock("service/leader", "node1", LEADER));
        s.apply(i += 3, lock("service/ephemeral", "x", EPHEMERAL));
        s.apply(i += 3, set("tmp/a", "1"));
        s.apply(i += 3, set("tmp/b/c", "2"));
        long goneAt = i += 3;
        s.apply(goneAt, set("gone", "bye"));
        long deletedAt = i += 3;
        s.apply(deletedAt, delete("gone"));
        s.apply(i += 3, deleteTree("tmp/"));
        s.apply(i += 3, lock("service/doomed", "d", DOOMED));
        s.apply(i += 3, destroy(DOOMED));
        s.apply(i += 3, cas("config/app/port", "8501", 115));
        s.apply(i += 3, lock("mutex", "first", LEADER));
        s.apply(i += 3, unlock("mutex", "first", LEADER));
        s.apply(i += 3, lock("mutex", "second", EPHEMERAL));
        s.apply(i += 3, txn(set("txn/a", "a"), set("txn/b", "b"), delete("txn/b")));
        s.apply(i += 3, txn(set("txn/rolled-back", "x"), checkIndex("txn/a", 1)));
        s.apply(i += 3, new Command.TombstoneReap(deletedAt));
        return i;
    }

    private static Map<String, String> ordered(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int k = 0; k < kv.length; k += 2) {
            m.put(kv[k], kv[k + 1]);
        }
        return m;
    }

    /**
     * The version-1 commands, then the catalog: every catalog row kind and field (node tagged
     * addresses and meta, service kinds of data, a check definition, a check with the default status),
     * a session invalidated by a critical check, a deleted service name and a deleted node whose
     * indexes are kept, a tag change copied into a check, and an identical re-registration.
     */
    static Store goldenStore() {
        return goldenStore(new Store());
    }

    static Store goldenStore(Store s) {
        long i = v1Commands(s);
        io.roster.api.Node node1 = new io.roster.api.Node("11111111-2222-4333-8444-555555555501", "node1", "10.0.0.1",
                "dc1", ordered("wan", "203.0.113.1", "lan", "10.0.0.1"), ordered("zone", "a", "rack", "r1", "os", "linux"), 0, 0);
        NodeService web1 = new NodeService("", "web-1", "web", List.of("v1", "primary"), "10.0.0.11",
                Map.of("lan", new ServiceDefinition.ServiceAddress("10.0.0.11", 8080)), ordered("version", "1.2", "team", "edge"),
                8080, new ServiceDefinition.Weights(3, 1), true, "dc1", 0, 0);
        HealthCheck web1Check = new HealthCheck("node1", "service:web-1", "web HTTP", HealthCheck.PASSING, "notes",
                "HTTP GET: 200 OK", "web-1", "", null, "http", "10s", "2s", 0,
                Map.of("HTTP", "http://10.0.0.11:8080/health", "Method", "GET", "Header", Map.of("X-B", List.of("2"), "X-A", List.of("1"))), 0, 0);
        s.apply(i += 3, register(node1, web1, nodeCheck("node1", "serfHealth", HealthCheck.PASSING), web1Check));
        s.apply(i += 3, register(node("node2", "10.0.0.2"), service("web-2", "web", "v2"),
                nodeCheck("node2", "serfHealth", HealthCheck.PASSING),
                Cmds.check("node2", "service:web-2", HealthCheck.WARNING, "web-2")));
        s.apply(i += 3, register(node1, service("db-1", "db", "primary"),
                new HealthCheck("", "service:db-1", "db alive", "", "", "", "db-1", "", null, "tcp", "5s", "1s", 5432, null, 0, 0)));
        s.apply(i += 3, register(node("node3", "10.0.0.3"), service("old-1", "old"),
                nodeCheck("node3", "serfHealth", HealthCheck.PASSING)));
        s.apply(i += 3, Cmds.sessionOn(WATCHER, "node3", SessionEntry.RELEASE, "serfHealth"));
        s.apply(i += 3, lock("service/watcher", "w", WATCHER));
        s.apply(i += 3, register(node("node3", "10.0.0.3"), nodeCheck("node3", "serfHealth", HealthCheck.CRITICAL)));
        s.apply(i += 3, deregisterService("node3", "old-1"));
        s.apply(i += 3, register(node("node4", "10.0.0.4"), service("tmp-1", "tmp")));
        s.apply(i += 3, deregisterNode("node4"));
        s.apply(i += 3, register(node1, new NodeService("", "web-1", "web", List.of("v1", "primary", "canary"), "10.0.0.11",
                Map.of("lan", new ServiceDefinition.ServiceAddress("10.0.0.11", 8080)), ordered("team", "edge", "version", "1.2"),
                8080, new ServiceDefinition.Weights(3, 1), true, null, 0, 0)));
        s.apply(i += 3, register(node("node2", "10.0.0.2"), service("web-2", "web", "v2"),
                nodeCheck("node2", "serfHealth", HealthCheck.PASSING)));
        return s;
    }

    /**
     * The version-2 state, then prepared queries (every field; a template; one bound to a session
     * that dies, so it goes too; one deleted) and coordinates (two nodes, one segment each, one
     * update replaced, one for an unknown node skipped).
     */
    static Store goldenStoreV3() {
        return goldenStoreV3(new Store());
    }

    static Store goldenStoreV3(Store empty) {
        Store s = goldenStore(empty);
        long i = s.lastIndex();
        io.roster.api.PreparedQuery.ServiceQuery svc = new io.roster.api.PreparedQuery.ServiceQuery("web", "_agent",
                "Service.Meta.team == edge", new io.roster.api.PreparedQuery.Failover(2, List.of("dc2", "dc3"),
                List.of(Map.of("Datacenter", "dc2"))), List.of("serfHealth"), true, List.of("v1", "!canary"),
                ordered("zone", "a", "rack", "r1"), ordered("version", "1.2", "team", "edge"));
        s.apply(i += 3, new Command.PreparedQuerySet(new io.roster.api.PreparedQuery(QUERY_A, "web-v1", "", "tok",
                svc, new io.roster.api.PreparedQuery.Dns("10s"), null, 0, 0)));
        s.apply(i += 3, new Command.PreparedQuerySet(new io.roster.api.PreparedQuery(QUERY_TEMPLATE, "geo-", "", "",
                new io.roster.api.PreparedQuery.ServiceQuery("${match(1)}", null, null, null, null, false,
                        List.of("${match(2)}"), null, null), null,
                new io.roster.api.PreparedQuery.Template("name_prefix_match", "^geo-(.*?)-(.*)$", true), 0, 0)));
        s.apply(i += 3, Cmds.releaseSession("qsession"));
        s.apply(i += 3, new Command.PreparedQuerySet(new io.roster.api.PreparedQuery(QUERY_BOUND, "", "qsession", "",
                new io.roster.api.PreparedQuery.ServiceQuery("db", null, null, null, null, false, null, null, null),
                null, null, 0, 0)));
        s.apply(i += 3, destroy("qsession"));
        s.apply(i += 3, new Command.PreparedQuerySet(new io.roster.api.PreparedQuery(QUERY_GONE, "gone", "", "",
                new io.roster.api.PreparedQuery.ServiceQuery("db", null, null, null, null, false, null, null, null),
                null, null, 0, 0)));
        s.apply(i += 3, new Command.PreparedQueryDelete(QUERY_GONE));
        s.apply(i += 3, new Command.PreparedQuerySet(new io.roster.api.PreparedQuery(QUERY_A, "web-v1", "", "tok",
                svc, new io.roster.api.PreparedQuery.Dns("30s"), null, 0, 0)));
        io.roster.api.Coordinate c1 = new io.roster.api.Coordinate(List.of(0.001, -0.002, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0),
                0.25, -0.0001, 0.00001);
        io.roster.api.Coordinate c2 = new io.roster.api.Coordinate(List.of(0.003, 0.001, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5e-3),
                1.5, 0.0, 0.0002);
        s.apply(i += 3, new Command.CoordinateBatch(List.of(new io.roster.api.Coordinate.Entry("node1", "", c2),
                new io.roster.api.Coordinate.Entry("node2", "", c2), new io.roster.api.Coordinate.Entry("nowhere", "", c1))));
        s.apply(i += 3, new Command.CoordinateBatch(List.of(new io.roster.api.Coordinate.Entry("node1", "", c1))));
        return s;
    }

    /**
     * The version-3 commands and the ACL commands of version 4 on a store that keeps 3 versions per key (so the commands' history is
     * recorded, a reaped key's dropped), then a key written past the limit, a deleted key whose
     * history stays, a lock and its release, and a rolled-back transaction that leaves no version.
     */
    static Store goldenStoreV5() {
        Store empty = new Store();
        empty.kvHistoryVersions(3);
        Store s = withAcl(goldenStoreV3(empty));
        long i = s.lastIndex();
        for (int n = 1; n <= 5; n++) {
            s.apply(i += 3, set("config/app/mode", "v" + n, n));
        }
        // Stamped by the server that took them (the optional Time of KV commands): 2026-12-02T06:00:00Z and a second later.
        s.apply(i += 3, set("feature/flag", "{\"on\":true}").at(1_796_191_200_000L));
        s.apply(i += 3, delete("feature/flag").at(1_796_191_201_000L));
        s.apply(i += 3, txn(set("config/app/mode", "never"), checkIndex("nothing", 7)));
        return s;
    }

    /**
     * The version-3 state, then the ACL tables: the built-in policy, a bootstrap token, a policy
     * renamed once, a role, a token with every field (identities, expiry), a token and a policy
     * deleted.
     */
    static Store goldenStoreV4() {
        return withAcl(goldenStoreV3());
    }

    /** The ACL commands of {@link #goldenStoreV4()}, applied after what {@code s} holds. */
    private static Store withAcl(Store s) {
        long i = s.lastIndex();
        s.apply(i += 3, new Command.AclPolicySet(new io.roster.api.AclPolicy(io.roster.api.AclPolicy.GLOBAL_MANAGEMENT_ID,
                "global-management", "Builtin Policy that grants unlimited access", "acl = \"write\"", null, "h0", 0, 0), false));
        s.apply(i += 3, new Command.AclBootstrap(new io.roster.api.AclToken(TOKEN_BOOT, "boot-secret", "Bootstrap Token (Global Management)",
                List.of(new io.roster.api.AclLink(io.roster.api.AclPolicy.GLOBAL_MANAGEMENT_ID, "global-management")), null, null,
                null, false, null, null, null, "2026-01-01T00:00:00Z", "h1", 0, 0), 0));
        s.apply(i += 3, new Command.AclPolicySet(new io.roster.api.AclPolicy(POLICY_KV, "app-kv", "", "key_prefix \"app/\" { policy = \"write\" }",
                List.of("dc1"), "h2", 0, 0), false));
        s.apply(i += 3, new Command.AclPolicySet(new io.roster.api.AclPolicy(POLICY_KV, "app-kv-renamed", "the app's keys",
                "key_prefix \"app/\" { policy = \"write\" }", null, "h3", 0, 0), true));
        s.apply(i += 3, new Command.AclPolicySet(new io.roster.api.AclPolicy(POLICY_GONE, "gone", "", "", null, "h4", 0, 0), false));
        s.apply(i += 3, new Command.AclRoleSet(new io.roster.api.AclRole(ROLE_APP, "app", "", List.of(new io.roster.api.AclLink(POLICY_KV, "")),
                List.of(new io.roster.api.AclServiceIdentity("web", List.of("dc1"))), List.of(new io.roster.api.AclNodeIdentity("node1", "dc1")),
                "h5", 0, 0), false));
        s.apply(i += 3, new Command.AclTokenSet(new io.roster.api.AclToken(TOKEN_APP, TOKEN_APP_SECRET, "app token",
                List.of(new io.roster.api.AclLink(POLICY_KV, "")), List.of(new io.roster.api.AclLink(ROLE_APP, "")),
                List.of(new io.roster.api.AclServiceIdentity("api", null)), List.of(new io.roster.api.AclNodeIdentity("node2", "dc1")),
                true, null, "2026-01-02T00:00:00Z", "24h0m0s", "2026-01-01T00:00:00Z", "h6", 0, 0), false));
        s.apply(i += 3, new Command.AclTokenSet(new io.roster.api.AclToken(TOKEN_GONE, "gone-secret", "", null, null, null, null,
                false, null, null, null, "2026-01-01T00:00:00Z", "h7", 0, 0), false));
        s.apply(i += 3, new Command.AclTokenDelete(List.of(TOKEN_GONE)));
        s.apply(i += 3, new Command.AclPolicyDelete(POLICY_GONE));
        return s;
    }

    private static byte[] golden(String name) throws IOException {
        try (InputStream in = SnapshotGoldenTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("golden file %s (create it with -Droster.golden.update=true)", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ version 5 (current)

    @Test
    void snapshotMatchesTheGoldenFileByteForByte() throws IOException {
        byte[] actual = Snapshots.bytes(goldenStoreV5());
        if (Boolean.getBoolean("roster.golden.update")) {
            Files.createDirectories(GOLDEN_V5_SOURCE.getParent());
            Files.write(GOLDEN_V5_SOURCE, actual);
        }
        assertThat(text(actual)).isEqualTo(text(golden(GOLDEN_V5)));
        assertThat(actual).isEqualTo(golden(GOLDEN_V5));
    }

    /**
     * Version 5 as it was written before history rows carried a time (the field was added to v5
     * before it shipped): it still reads, its versions have no time, and it equals the current
     * file but for the Time fields.
     */
    @Test
    void aVersionFiveFileWithoutTimesStillReads() throws IOException {
        Store restored = new Store();
        Snapshots.restore(restored, golden(GOLDEN_V5_UNTIMED));
        assertThat(restored.kvHistory(WatchSet.NONE, "feature/flag").value())
                .extracting(io.roster.api.KvVersion::time).containsExactly(null, null);
        assertThat(text(golden(GOLDEN_V5_UNTIMED))).doesNotContain("\"Time\"")
                .isEqualTo(text(golden(GOLDEN_V5)).replaceAll(",\"Time\":\"[^\"]*\"", ""));
        Store current = new Store();
        Snapshots.restore(current, golden(GOLDEN_V5));
        assertThat(current.kvHistory(WatchSet.NONE, "feature/flag").value()).extracting(io.roster.api.KvVersion::time)
                .containsExactly("2026-12-02T06:00:01Z", "2026-12-02T06:00:00Z");
    }

    @Test
    void goldenFileHasKvHistoryRows() throws IOException {
        String g = text(golden(GOLDEN_V5));
        assertThat(g).contains("{\"KvVersion\":{\"Key\":\"config/app/mode\"", "\"Deleted\":true");
        assertThat(g.lines().filter(l -> l.startsWith("{\"KvVersion\":{\"Key\":\"config/app/mode\"")))
                .as("trimmed to the limit, oldest gone").hasSize(3)
                .noneMatch(l -> l.contains("\"Flags\":1,") || l.contains("\"Flags\":2,"));
        assertThat(g).as("the rolled-back txn left no version; the reaped key's history went")
                .doesNotContain("\"Value\":\"bmV2ZXI=\"", "{\"KvVersion\":{\"Key\":\"gone\"");
        Store restored = new Store();
        Snapshots.restore(restored, golden(GOLDEN_V5));
        Store original = goldenStoreV5();
        for (Store st : List.of(original, restored)) {
            assertThat(st.kvHistory(WatchSet.NONE, "feature/flag").value())
                    .extracting(io.roster.api.KvVersion::deleted).containsExactly(true, false);
            assertThat(st.kvHistory(WatchSet.NONE, "config/app/mode").value())
                    .extracting(io.roster.api.KvVersion::valueAsString).containsExactly("v5", "v4", "v3");
        }
        assertThat(restored.kvHistory(WatchSet.NONE, "config/app/mode").index())
                .isEqualTo(original.kvGet(WatchSet.NONE, "config/app/mode").index());
    }

    @Test
    void versionThreeGoldenRestoresToTheVersionThreeStateWithoutHistory() throws IOException {
        Store restored = new Store();
        Snapshots.restore(restored, golden(GOLDEN_V3));
        assertThat(Snapshots.bytes(restored)).isEqualTo(Snapshots.bytes(goldenStoreV3()));
        assertThat(Snapshots.text(restored)).isEqualTo(text(golden(GOLDEN_V3)).replaceFirst("\"Version\":3,", "\"Version\":5,"));
        assertThat(restored.kvHistory(WatchSet.NONE, "config/app/port").value()).isEmpty();
    }

    @Test
    void versionFourIsReadAsAVersionWithoutHistoryRows() throws IOException {
        String v3 = text(golden(GOLDEN_V3));
        Store restored = new Store();
        Snapshots.restore(restored, v3.replaceFirst("\"Version\":3,", "\"Version\":4,").getBytes(StandardCharsets.UTF_8));
        assertThat(Snapshots.bytes(restored)).isEqualTo(Snapshots.bytes(goldenStoreV3()));
        String v5 = text(golden(GOLDEN_V5));
        String asFour = v5.replaceFirst("\"Version\":5,", "\"Version\":4,");
        assertThatThrownBy(() -> Snapshots.restore(new Store(), asFour.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IOException.class).hasMessageContaining("not a row of version 4");
    }

    // ------------------------------------------------------------------ version 4

    @Test
    void versionFourGoldenIsTheVersionFourStateWrittenBackAsTheCurrentVersion() throws IOException {
        Store restored = new Store();
        Snapshots.restore(restored, golden(GOLDEN_V4));
        assertThat(Snapshots.text(restored)).isEqualTo(asCurrent(golden(GOLDEN_V4)));
        assertThat(Snapshots.text(goldenStoreV4())).isEqualTo(asCurrent(golden(GOLDEN_V4)));
    }

    /** A golden file's text as this version writes the same state: only the header's version differs. */
    private static String asCurrent(byte[] goldenFile) {
        return text(goldenFile).replaceFirst("\"Version\":\\d+,", "\"Version\":" + Snapshot.VERSION + ",");
    }

    @Test
    void goldenV4HasTheAclRowsAndTheRestoredTablesAnswerLikeTheOriginal() throws IOException {
        String g = text(golden(GOLDEN_V4));
        assertThat(g).contains("{\"Acl\":{\"Meta\":", "{\"Acl\":{\"Policy\":{\"ID\":\"" + POLICY_KV,
                "{\"Acl\":{\"Role\":{\"ID\":\"" + ROLE_APP, "{\"Acl\":{\"Token\":{\"AccessorID\":\"" + TOKEN_APP);
        assertThat(g).as("deleted rows are gone").doesNotContain(TOKEN_GONE, POLICY_GONE);
        Store original = goldenStoreV4();
        Store restored = new Store();
        Snapshots.restore(restored, golden(GOLDEN_V4));
        assertThat(Snapshots.text(restored)).isEqualTo(asCurrent(golden(GOLDEN_V4)));
        for (Store s : List.of(original, restored)) {
            AclReads a = s.acl();
            assertThat(a.tokenBySecret(WatchSet.NONE, TOKEN_APP_SECRET).value().accessorId()).isEqualTo(TOKEN_APP);
            assertThat(a.token(WatchSet.NONE, TOKEN_APP).value().policies()).extracting(io.roster.api.AclLink::name)
                    .containsExactly("app-kv-renamed");
            assertThat(a.policyByName(WatchSet.NONE, "app-kv-renamed").value().id()).isEqualTo(POLICY_KV);
            assertThat(a.policyByName(WatchSet.NONE, "app-kv").value()).isNull();
            assertThat(a.roleByName(WatchSet.NONE, "app").value().policies()).extracting(io.roster.api.AclLink::name)
                    .containsExactly("app-kv-renamed");
            assertThat(a.tokens(WatchSet.NONE, POLICY_KV, null, null).value()).extracting(io.roster.api.AclToken::accessorId)
                    .containsExactly(TOKEN_APP);
            assertThat(a.bootstrapIndex()).isEqualTo(original.acl().bootstrapIndex()).isPositive();
            // The indexes of names and secrets are rebuilt: taken names and secrets stay taken.
            long i = s.lastIndex();
            assertThat(s.apply(i + 1, new Command.AclPolicySet(new io.roster.api.AclPolicy(POLICY_GONE, "app-kv-renamed", "", "",
                    null, "", 0, 0), false))).isEqualTo(new ApplyError("Invalid Policy: A Policy with Name \"app-kv-renamed\" already exists"));
            assertThat(s.apply(i + 2, new Command.AclTokenSet(new io.roster.api.AclToken(TOKEN_GONE, TOKEN_APP_SECRET, "", null,
                    null, null, null, false, null, null, null, "", "", 0, 0), false)))
                    .isEqualTo(new ApplyError("Invalid Token: SecretID is already in use"));
            assertThat(s.apply(i + 3, new Command.AclBootstrap(new io.roster.api.AclToken(TOKEN_GONE, "x", "", null,
                    null, null, null, false, null, null, null, "", "", 0, 0), 0)))
                    .isEqualTo(new ApplyError("ACL bootstrap no longer allowed (reset index: " + a.bootstrapIndex() + ")"));
        }
        assertThat(restored.acl().policies(WatchSet.NONE).index()).isEqualTo(original.acl().policies(WatchSet.NONE).index());
    }

    @Test
    void versionThreeGoldenRestoresWithAnEmptyAclTableAndIsWrittenBackAsTheCurrentVersion() throws IOException {
        byte[] v3 = golden(GOLDEN_V3);
        Store restored = new Store();
        Snapshots.restore(restored, v3);
        List<String> oldLines = text(v3).lines().toList();
        List<String> newLines = Snapshots.text(restored).lines().toList();
        assertThat(oldLines.getFirst()).startsWith("{\"Format\":\"roster-snapshot\",\"Version\":3,");
        assertThat(newLines.getFirst()).isEqualTo(oldLines.getFirst().replace("\"Version\":3,", "\"Version\":" + Snapshot.VERSION + ","));
        assertThat(newLines.subList(1, newLines.size())).isEqualTo(oldLines.subList(1, oldLines.size()));
        assertThat(restored.acl().tokens(WatchSet.NONE, null, null, null).value()).isEmpty();
        assertThat(restored.acl().bootstrapIndex()).isZero();
    }

    @Test
    void anAclRowInAVersionThreeSnapshotIsRefused() throws IOException {
        String v3 = text(golden(GOLDEN_V3));
        String v4 = text(golden(GOLDEN_V4));
        String aclRow = v4.lines().filter(l -> l.startsWith("{\"Acl\":")).findFirst().orElseThrow();
        List<String> lines = new ArrayList<>(v3.lines().toList());
        int end = lines.size() - 1;
        long rows = Long.parseLong(lines.get(end).replaceAll("\\D", ""));
        lines.add(end, aclRow);
        lines.set(end + 1, "{\"End\":{\"Rows\":" + (rows + 1) + "}}");
        Store s = new Store();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Snapshots.restore(s, (String.join("\n", lines) + "\n")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("not a row of version 3");
    }

    @Test
    void goldenFileHasEveryRowKindAndTheCurrentVersion() throws IOException {
        String g = text(golden(GOLDEN_V5));
        assertThat(g.lines().findFirst().orElseThrow()).startsWith("{\"Format\":\"roster-snapshot\",\"Version\":" + Snapshot.VERSION + ",");
        assertThat(g).contains("{\"KV\":", "{\"Tombstone\":", "{\"Session\":", "{\"Node\":", "{\"Service\":", "{\"Check\":",
                "{\"ServiceIndex\":{\"Name\":\"old\"", "{\"NodeIndex\":{\"Name\":\"node4\"", "{\"End\":",
                "{\"Query\":{\"ID\":\"" + QUERY_A, "{\"Query\":{\"ID\":\"" + QUERY_TEMPLATE, "{\"Coordinate\":{\"Node\":\"node1\"",
                "{\"Coordinate\":{\"Node\":\"node2\"", "\"QueriesIndex\":", "\"CoordinatesIndex\":");
        assertThat(g).as("deleted, session-bound and unknown-node rows are gone")
                .doesNotContain(QUERY_GONE, QUERY_BOUND, "nowhere");
        assertThat(g).as("map entries in key order").contains("\"Meta\":{\"os\":\"linux\",\"rack\":\"r1\",\"zone\":\"a\"}",
                "\"TaggedAddresses\":{\"lan\":\"10.0.0.1\",\"wan\":\"203.0.113.1\"}");
    }

    @Test
    void snapshotIsStableAcrossRuns() {
        assertThat(Snapshots.bytes(goldenStore())).isEqualTo(Snapshots.bytes(goldenStore()));
    }

    @Test
    void goldenFileRestoresToTheSameBytes() throws IOException {
        Store restored = new Store();
        Snapshots.restore(restored, golden(GOLDEN_V5));
        assertThat(Snapshots.bytes(restored)).isEqualTo(golden(GOLDEN_V5));
        assertThat(restored.stateHash()).isEqualTo(goldenStoreV5().stateHash());
    }

    @Test
    void restoredQueriesAndCoordinatesAnswerLikeTheOriginal() throws IOException {
        Store original = goldenStoreV3();
        Store restored = new Store();
        Snapshots.restore(restored, golden(GOLDEN_V3));
        for (Store s : List.of(original, restored)) {
            assertThat(s.preparedQueries(WatchSet.NONE).value()).extracting(io.roster.api.PreparedQuery::id)
                    .containsExactly(QUERY_A, QUERY_TEMPLATE);
            assertThat(s.resolvePreparedQuery(WatchSet.NONE, "WEB-V1").value().dns().ttl()).isEqualTo("30s");
            assertThat(s.resolvePreparedQuery(WatchSet.NONE, "geo-web-v1").value().id()).isEqualTo(QUERY_TEMPLATE);
            assertThat(s.coordinates(WatchSet.NONE).value()).extracting(io.roster.api.Coordinate.Entry::node)
                    .containsExactly("node1", "node2");
            assertThat(s.coordinatesOf(WatchSet.NONE, "node1").value().getFirst().coord().error()).isEqualTo(0.25);
        }
        assertThat(restored.preparedQueries(WatchSet.NONE).index()).isEqualTo(original.preparedQueries(WatchSet.NONE).index());
        assertThat(restored.coordinates(WatchSet.NONE).index()).isEqualTo(original.coordinates(WatchSet.NONE).index());
        // The name index is rebuilt: the name is still taken by its query after a restore.
        for (Store s : List.of(original, restored)) {
            long i = s.lastIndex();
            Object r = s.apply(i + 1, new Command.PreparedQuerySet(new io.roster.api.PreparedQuery(QUERY_GONE, "Web-V1", "", "",
                    new io.roster.api.PreparedQuery.ServiceQuery("db", null, null, null, null, false, null, null, null),
                    null, null, 0, 0)));
            assertThat(r).isEqualTo(new ApplyError("name 'Web-V1' aliases an existing query name"));
            s.apply(i + 2, deregisterNode("node2"));
        }
        assertThat(restored.coordinatesOf(WatchSet.NONE, "node2").value()).isEmpty();
        assertThat(Snapshots.bytes(restored)).isEqualTo(Snapshots.bytes(original));
    }

    @Test
    void restoredCatalogAnswersEveryReadLikeTheOriginal() throws IOException {
        Store original = goldenStore();
        Store restored = new Store();
        Snapshots.restore(restored, golden(GOLDEN_V2));

        for (Store s : List.of(original, restored)) {
            assertThat(s.session(WatchSet.NONE, WATCHER).value()).as("invalidated by node3's critical serfHealth").isNull();
            assertThat(s.kvGet(WatchSet.NONE, "service/watcher").value().session()).isNull();
            assertThat(s.nodes(WatchSet.NONE).value()).extracting(io.roster.api.Node::node)
                    .containsExactly("node1", "node2", "node3");
            assertThat(s.serviceNames(WatchSet.NONE).value()).containsOnlyKeys("db", "web");
            assertThat(s.serviceNames(WatchSet.NONE).value().get("web")).containsExactly("canary", "primary", "v1", "v2");
            assertThat(s.serviceChecks(WatchSet.NONE, "web").value()).filteredOn(c -> c.serviceId().equals("web-1"))
                    .singleElement().satisfies(c -> assertThat(c.serviceTags()).containsExactly("v1", "primary", "canary"));
            assertThat(s.checksInState(WatchSet.NONE, HealthCheck.CRITICAL).value())
                    .extracting(HealthCheck::checkId).containsExactly("service:db-1", "serfHealth");
        }
        assertThat(asText(restored.serviceHealth(WatchSet.NONE, "web"))).isEqualTo(asText(original.serviceHealth(WatchSet.NONE, "web")));
        assertThat(asText(restored.catalogService(WatchSet.NONE, "db"))).isEqualTo(asText(original.catalogService(WatchSet.NONE, "db")));
        assertThat(asText(restored.node(WatchSet.NONE, "node1"))).isEqualTo(asText(original.node(WatchSet.NONE, "node1")));
        assertThat(asText(restored.nodeChecks(WatchSet.NONE, "node3"))).isEqualTo(asText(original.nodeChecks(WatchSet.NONE, "node3")));
        for (String name : List.of("web", "db", "old", "tmp", "never")) {
            assertThat(restored.catalogService(WatchSet.NONE, name).index()).as(name)
                    .isEqualTo(original.catalogService(WatchSet.NONE, name).index());
        }
        for (String name : List.of("node1", "node3", "node4", "never")) {
            assertThat(restored.node(WatchSet.NONE, name).index()).as(name).isEqualTo(original.node(WatchSet.NONE, name).index());
        }
        assertThat(restored.nodes(WatchSet.NONE).index()).isEqualTo(original.nodes(WatchSet.NONE).index());
        assertThat(restored.serviceNames(WatchSet.NONE).index()).isEqualTo(original.serviceNames(WatchSet.NONE).index());
        assertThat(restored.checksInState(WatchSet.NONE, "any").index()).isEqualTo(original.checksInState(WatchSet.NONE, "any").index());

        // The same next commands give the same state, and the same sessions die, on both.
        for (Store s : List.of(original, restored)) {
            List<String> invalidated = new ArrayList<>();
            s.onInvalidation((session, keys) -> invalidated.add(session.id() + keys));
            long i = s.lastIndex();
            s.apply(i + 1, register(node("node3", "10.0.0.3"), nodeCheck("node3", "serfHealth", HealthCheck.PASSING)));
            s.apply(i + 2, register(node("node1", "10.0.0.9"), nodeCheck("node1", "serfHealth", HealthCheck.CRITICAL)));
            s.apply(i + 3, register(node("node5", "10.0.0.5"), service("web-5", "web")));
            assertThat(invalidated).containsExactly(LEADER + "[service/leader]");
            assertThat(s.catalogService(WatchSet.NONE, "web").value()).extracting(io.roster.api.CatalogService::serviceId)
                    .containsExactly("web-1", "web-2", "web-5");
        }
        assertThat(Snapshots.bytes(restored)).isEqualTo(Snapshots.bytes(original));
    }

    /** A read as comparable text: its value with map entries in key order, and its index. */
    private static String asText(Store.Read<?> r) {
        try {
            return io.roster.api.Json.mapper().writer().with(com.fasterxml.jackson.databind.SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
                    .writeValueAsString(r.value()) + "@" + r.index();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------ version 1 (read compatibility)

    @Test
    void versionOneGoldenRestoresAndIsWrittenBackAsTheCurrentVersionWithAnEmptyCatalog() throws IOException {
        byte[] v1 = golden(GOLDEN_V1);
        Store restored = new Store();
        Snapshots.restore(restored, v1);

        String again = Snapshots.text(restored);
        assertThat(again).isEqualTo(Snapshots.text(v1Store()));
        assertThat(restored.stateHash()).isEqualTo(v1Store().stateHash());
        List<String> oldLines = text(v1).lines().toList();
        List<String> newLines = again.lines().toList();
        assertThat(oldLines.getFirst()).startsWith("{\"Format\":\"roster-snapshot\",\"Version\":1,");
        assertThat(newLines.getFirst()).isEqualTo(oldLines.getFirst().replace("\"Version\":1,", "\"Version\":" + Snapshot.VERSION + ",")
                .replace("}", ",\"NodesIndex\":0,\"ServicesIndex\":0,\"ChecksIndex\":0,\"QueriesIndex\":0,\"CoordinatesIndex\":0}"));
        assertThat(newLines.subList(1, newLines.size())).as("every row as version 1 wrote it, and nothing else")
                .isEqualTo(oldLines.subList(1, oldLines.size()));

        assertThat(restored.nodes(WatchSet.NONE).value()).isEmpty();
        assertThat(restored.nodes(WatchSet.NONE).index()).isEqualTo(1);
        assertThat(restored.serviceNames(WatchSet.NONE).value()).isEmpty();
        assertThat(restored.catalogService(WatchSet.NONE, "web").index()).isEqualTo(1);
        assertThat(restored.checksInState(WatchSet.NONE, "any").value()).isEmpty();
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {1, 2})
    void restoredStoreBehavesLikeTheOriginal(int version) throws IOException {
        Store original = version == 1 ? v1Store() : goldenStore();
        Store restored = new Store();
        Snapshots.restore(restored, golden(version == 1 ? GOLDEN_V1 : GOLDEN_V2));

        assertThat(restored.lastIndex()).isEqualTo(original.lastIndex());
        assertThat(restored.keysHeldBy(LEADER)).containsExactly("service/leader");
        assertThat(restored.keysHeldBy(DOOMED)).isEmpty();
        assertThat(restored.keysHeldBy(EPHEMERAL)).containsExactly("mutex", "service/ephemeral");
        assertThat(restored.session(WatchSet.NONE, DOOMED).value()).isNull();
        assertThat(restored.kvGet(WatchSet.NONE, "config/binary").value().value())
                .containsExactly(0, 1, 2, 0xff, 0xfe);
        assertThat(restored.kvGet(WatchSet.NONE, "weird/\"quoted\"\n\ttab").value().valueAsString())
                .isEqualTo("line1\nline2");
        for (String prefix : List.of("", "tmp/", "txn/", "gone", "config/", "nothing/")) {
            assertThat(restored.kvList(WatchSet.NONE, prefix).index()).as(prefix)
                    .isEqualTo(original.kvList(WatchSet.NONE, prefix).index());
        }
        assertThat(restored.sessions(WatchSet.NONE).index()).isEqualTo(original.sessions(WatchSet.NONE).index());

        // The same next commands give the same state on both.
        for (Store s : List.of(original, restored)) {
            LocalReplicator r = new LocalReplicator(s, "127.0.0.1:8300");
            assertThat(r.submit(destroy(EPHEMERAL)).join()).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(r.submit(lock("mutex", "third", LEADER)).join()).isEqualTo(ApplyResult.Bool.TRUE);
        }
        // EPHEMERAL has behaviour delete: both its keys went, so the mutex starts over.
        assertThat(restored.kvGet(WatchSet.NONE, "service/ephemeral").value()).isNull();
        KvPair mutex = restored.kvGet(WatchSet.NONE, "mutex").value();
        assertThat(mutex.lockIndex()).isEqualTo(1);
        assertThat(mutex.createIndex()).isEqualTo(original.lastIndex());
        assertThat(mutex.session()).isEqualTo(LEADER);
        assertThat(Snapshots.bytes(restored)).isEqualTo(Snapshots.bytes(original));
    }

    @Test
    void restoreReplacesEverythingIncludingWhichKeysASessionHolds() throws IOException {
        // Before: session s holds x. Snapshot: s exists and holds nothing; x is a free key.
        Store dirty = new Store();
        dirty.apply(1, Cmds.deleteSession("s"));
        dirty.apply(2, lock("x", "held", "s"));
        dirty.apply(3, set("only-before", "v"));
        Store source = new Store();
        source.apply(1, Cmds.deleteSession("s"));
        source.apply(2, set("x", "free"));

        Snapshots.restore(dirty, Snapshots.bytes(source));

        assertThat(dirty.keysHeldBy("s")).isEmpty();
        assertThat(Snapshots.bytes(dirty)).isEqualTo(Snapshots.bytes(source));
        dirty.apply(4, destroy("s"));
        source.apply(4, destroy("s"));
        assertThat(dirty.kvGet(WatchSet.NONE, "x").value()).as("s never held x in the restored state").isNotNull();
        assertThat(dirty.stateHash()).isEqualTo(source.stateHash());
    }

    /** A store with state of every kind that no golden file has, to restore over. */
    private static Store dirtyStore() {
        Store dirty = new Store();
        dirty.apply(1, Cmds.releaseSession(LEADER));
        dirty.apply(2, lock("stale/key", "held-before-restore", LEADER));
        dirty.apply(3, Cmds.releaseSession(DOOMED));
        dirty.apply(4, lock("service/doomed", "held-before-restore", DOOMED));
        dirty.apply(5, register(node("stale-node", "10.9.9.9"), service("stale-1", "stale", "x"),
                nodeCheck("stale-node", "serfHealth", HealthCheck.CRITICAL)));
        dirty.apply(6, register(node("node1", "10.9.9.9"), service("web-9", "web", "stale-tag")));
        dirty.apply(999, set("extra", "x"));
        return dirty;
    }

    @ParameterizedTest(name = "version {0}")
    @ValueSource(ints = {1, 2})
    void restoreIntoANonEmptyStoreGivesTheGoldenState(int version) throws IOException {
        Store dirty = dirtyStore();
        byte[] golden = golden(version == 1 ? GOLDEN_V1 : GOLDEN_V2);
        Snapshots.restore(dirty, golden);
        Store clean = new Store();
        Snapshots.restore(clean, golden);
        assertThat(Snapshots.bytes(dirty)).isEqualTo(Snapshots.bytes(clean));
        if (version == 2) {
            assertThat(Snapshots.bytes(dirty)).isEqualTo(Snapshots.bytes(goldenStore()));
        }
        assertThat(dirty.keysHeldBy(LEADER)).containsExactly("service/leader");
        assertThat(dirty.keysHeldBy(DOOMED)).isEmpty();
        // The service-name index is rebuilt, not merged: nothing of the stale catalog is found.
        assertThat(dirty.catalogService(WatchSet.NONE, "stale").value()).isEmpty();
        assertThat(dirty.catalogService(WatchSet.NONE, "web").value()).extracting(io.roster.api.CatalogService::serviceId)
                .containsExactlyElementsOf(version == 1 ? List.of() : List.of("web-1", "web-2"));
        assertThat(dirty.node(WatchSet.NONE, "stale-node").value()).isNull();
        assertThat(asText(dirty.serviceNames(WatchSet.NONE))).isEqualTo(asText(clean.serviceNames(WatchSet.NONE)));
    }

    // ------------------------------------------------------------------ refusals

    private static String withoutLine(String s, int lineNo) {
        List<String> lines = new ArrayList<>(s.lines().toList());
        lines.remove(lineNo);
        return String.join("\n", lines) + "\n";
    }

    private static String replaceLine(String s, int lineNo, String line) {
        List<String> lines = new ArrayList<>(s.lines().toList());
        lines.set(lineNo, line);
        return String.join("\n", lines) + "\n";
    }

    private static int firstLineStartingWith(String s, String start) {
        List<String> lines = s.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(start)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with " + start);
    }

    static Stream<Arguments> broken() {
        List<Arguments> common = List.of(
                Arguments.of("empty file", (UnaryOperator<String>) s -> "", "empty snapshot"),
                Arguments.of("no end marker", (UnaryOperator<String>) s -> withoutLine(s, (int) s.lines().count() - 1),
                        "truncated snapshot: no end marker"),
                Arguments.of("cut mid-row", (UnaryOperator<String>) s -> s.substring(0, s.length() / 2),
                        "snapshot"),
                Arguments.of("header only", (UnaryOperator<String>) s -> s.lines().findFirst().orElseThrow() + "\n",
                        "truncated snapshot: no end marker after 0 rows"),
                Arguments.of("a row missing", (UnaryOperator<String>) s -> withoutLine(s, 3), "rows, found"),
                Arguments.of("corrupt row", (UnaryOperator<String>) s -> replaceLine(s, 2, "{\"KV\":{\"Key\":"),
                        "corrupt snapshot row 2"),
                Arguments.of("unknown version", (UnaryOperator<String>) s -> s.replaceFirst("\"Version\":\\d+,", "\"Version\":" + (Snapshot.VERSION + 1) + ","),
                        "unsupported snapshot version " + (Snapshot.VERSION + 1)),
                Arguments.of("no version", (UnaryOperator<String>) s -> s.replaceFirst("\"Version\":\\d+,", ""),
                        "unsupported snapshot version 0"),
                Arguments.of("other format", (UnaryOperator<String>) s -> s.replaceFirst("roster-snapshot", "consul-snapshot"),
                        "not a Roster snapshot (format consul-snapshot)"),
                Arguments.of("garbage header", (UnaryOperator<String>) s -> replaceLine(s, 0, "hello, world"),
                        "not a Roster snapshot (bad header)"),
                Arguments.of("binary garbage", (UnaryOperator<String>) s -> "\u0000\u0001PK\u0003\u0004\n" + s,
                        "not a Roster snapshot"),
                Arguments.of("a row of an unknown kind", (UnaryOperator<String>) s -> replaceLine(s, 1, "{\"Bogus\":{\"Key\":\"x\"}}"),
                        "corrupt snapshot row 1: not a row of version"));
        List<Arguments> catalog = List.of(
                Arguments.of("a check row missing", (UnaryOperator<String>) s -> withoutLine(s, firstLineStartingWith(s, "{\"Check\":")),
                        "rows, found"),
                Arguments.of("corrupt node row", (UnaryOperator<String>) s -> {
                    int n = firstLineStartingWith(s, "{\"Node\":");
                    return replaceLine(s, n, "{\"Node\":{\"Node\":");
                }, "corrupt snapshot row"),
                Arguments.of("corrupt service row", (UnaryOperator<String>) s ->
                        replaceLine(s, firstLineStartingWith(s, "{\"Service\":"), "{\"Service\":[1,2]}"), "corrupt snapshot row"),
                Arguments.of("a service row without its node", (UnaryOperator<String>) s -> {
                    int n = firstLineStartingWith(s, "{\"Service\":");
                    return replaceLine(s, n, s.lines().toList().get(n).replaceFirst(",\"ServiceNode\":\"node1\"", ""));
                }, "corrupt snapshot row 21: not a row of version 2"),
                Arguments.of("a service on an unknown node", (UnaryOperator<String>) s ->
                        s.replace("\"ServiceNode\":\"node2\"", "\"ServiceNode\":\"node9\""),
                        "corrupt snapshot: service web-2 on unknown node node9"),
                Arguments.of("a check of an unknown service", (UnaryOperator<String>) s ->
                        s.replace("\"ServiceID\":\"db-1\"", "\"ServiceID\":\"db-9\""),
                        "corrupt snapshot: check service:db-1 of unknown service db-9"),
                Arguments.of("a check on an unknown node", (UnaryOperator<String>) s ->
                        s.replace("{\"Check\":{\"Node\":\"node3\"", "{\"Check\":{\"Node\":\"node7\""),
                        "corrupt snapshot: check serfHealth on unknown node node7"));
        Stream.Builder<Arguments> out = Stream.builder();
        for (Arguments a : common) {
            out.add(Arguments.of(GOLDEN_V1 + ": " + a.get()[0], GOLDEN_V1, a.get()[1], a.get()[2]));
            out.add(Arguments.of(GOLDEN_V2 + ": " + a.get()[0], GOLDEN_V2, a.get()[1], a.get()[2]));
            out.add(Arguments.of(GOLDEN_V3 + ": " + a.get()[0], GOLDEN_V3, a.get()[1], a.get()[2]));
            out.add(Arguments.of(GOLDEN_V5 + ": " + a.get()[0], GOLDEN_V5, a.get()[1], a.get()[2]));
            out.add(Arguments.of(GOLDEN_V4 + ": " + a.get()[0], GOLDEN_V4, a.get()[1], a.get()[2]));
        }
        for (Arguments a : catalog) {
            out.add(Arguments.of(GOLDEN_V2 + ": " + a.get()[0], GOLDEN_V2, a.get()[1], a.get()[2]));
        }
        return out.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void brokenSnapshotIsRefusedAndLeavesTheStoreUntouched(String name, String goldenName, UnaryOperator<String> breakIt,
                                                           String message) throws IOException {
        Store store = new Store();
        store.apply(1, Cmds.releaseSession("keep"));
        store.apply(2, lock("keep/me", "v", "keep"));
        store.apply(3, set("and/me", "w"));
        store.apply(4, delete("and/me"));
        store.apply(5, register(node("keep-node", "10.1.1.1"), service("keep-1", "keep"),
                nodeCheck("keep-node", "serfHealth", HealthCheck.PASSING)));
        byte[] before = Snapshots.bytes(store);
        AtomicInteger woken = new AtomicInteger();
        Watches.Waiter w = store.watches().newWaiter(woken::incrementAndGet);
        store.kvList(w, "");
        store.sessions(w);
        store.serviceHealth(w, "keep");
        store.nodes(w);

        byte[] golden = golden(goldenName);
        byte[] bad = breakIt.apply(text(golden)).getBytes(StandardCharsets.UTF_8);
        assertThat(bad).isNotEqualTo(golden);

        assertThatThrownBy(() -> Snapshots.restore(store, bad))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(message);
        assertThat(Snapshots.bytes(store)).isEqualTo(before);
        assertThat(store.keysHeldBy("keep")).containsExactly("keep/me");
        assertThat(store.catalogService(WatchSet.NONE, "keep").value()).hasSize(1);
        assertThat(woken).hasValue(0);
        assertThat(w.cancel()).isTrue();
    }
}
