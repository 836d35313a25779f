package io.roster.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.HealthCheck;
import io.roster.api.Json;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.ServiceDefinition;
import io.roster.api.SessionEntry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Apply is a pure function of (state, index, command): the same log gives the same state on every
 * server, whether the commands come straight from the leader or through the log's byte encoding.
 */
class DeterminismTest {

    /** One log entry. */
    record Entry(long index, Command command) {
    }

    /**
     * A seeded random log mixing every verb, sessions coming and going, transactions that commit and
     * that roll back, tombstone reaps, and the catalog: nodes, services and checks registered and
     * deregistered, checks flipping to critical under sessions that depend on them. It is generated
     * against a reference store so that CAS and check indexes, lock holders, session IDs, service and
     * check IDs are right often enough to exercise the success paths.
     */
    static final class Workload {
        private static final List<String> KEYS = List.of("a", "a/b", "a/b/c", "a/d", "b/x", "b/y/z", "c", "c/",
                "lock/1", "lock/2", "lock/3", "ü/1");
        private static final List<String> PREFIXES = List.of("a/", "a/b", "b/", "lock/", "c", "nothing/", "");
        /** Sessions live on node0..node2; node3 only ever has catalog rows. */
        private static final List<String> NODES = List.of("node0", "node1", "node2", "node3");
        private static final Map<String, String> SERVICE_NAMES = Map.of("web-1", "web", "web-2", "web", "db-1", "db",
                "cache-1", "cache");
        private static final List<String> SERVICE_IDS = List.of("web-1", "web-2", "db-1", "cache-1");
        private static final List<String> NODE_CHECKS = List.of("serfHealth", "disk");
        /** Service check IDs; sessions name them in ServiceChecks. */
        private static final List<String> SERVICE_CHECKS = List.of("svc-0", "svc-1", "svc-2");
        private static final List<String> TAGS = List.of("v1", "v2", "primary");

        final Store reference = new Store();
        final List<Entry> log = new ArrayList<>();
        /** How often each kind of outcome happened, to prove the workload reached every branch. */
        final TreeMap<String, Integer> outcomes = new TreeMap<>();
        private final Random rnd;
        /** The ACL commands' own stream, so that adding them left the other tables' workload as it was. */
        private final Random aclRnd;
        private long index;
        private int sessionSeq;

        /** The row kinds seen in snapshots taken along the way (the last state alone may lack some). */
        final Set<String> rowKinds = new java.util.TreeSet<>();
        /** Whether a snapshot along the way had a key held by a session. */
        boolean heldKeySeen;
        /** What the command being applied is, for the invalidation listener to record. */
        private String applying;

        Workload(long seed, int size) {
            rnd = new Random(seed);
            aclRnd = new Random(seed ^ 0xAC1L);
            reference.onInvalidation((session, keys) -> {
                outcomes.merge("invalidated-by:" + applying, 1, Integer::sum);
                if (!keys.isEmpty()) {
                    outcomes.merge("invalidated-holding-keys", 1, Integer::sum);
                }
            });
            for (int i = 0; i < size; i++) {
                index += 1 + (rnd.nextInt(8) == 0 ? rnd.nextInt(5) : 0);
                Command c = next();
                int flips = flipsToCritical(c);
                applying = kind(c);
                ApplyResult result = reference.apply(index, c);
                log.add(new Entry(index, c));
                if (c instanceof Command.Batch b) {
                    outcomes.merge("BATCH:" + b.commands().size(), 1, Integer::sum);
                    for (int k = 0; k < b.commands().size(); k++) {
                        outcomes.merge(classify(b.commands().get(k), ((ApplyResult.Batch) result).results().get(k)), 1, Integer::sum);
                    }
                } else {
                    outcomes.merge(classify(c, result), 1, Integer::sum);
                }
                if (flips > 0 && !(result instanceof ApplyError)) {
                    outcomes.merge("check:to-critical", flips, Integer::sum);
                }
                if (i % 250 == 249) {
                    String text = Snapshots.text(reference);
                    text.lines().forEach(l -> rowKinds.add(l.substring(0, l.indexOf(':') + 1)));
                    heldKeySeen |= text.contains("\"Session\":\"s-");
                }
            }
        }

        /** How many checks of a registration turn critical from passing or warning (before it is applied). */
        private int flipsToCritical(Command c) {
            if (!(c instanceof Command.CatalogRegister r) || r.node() == null) {
                return 0;
            }
            int n = 0;
            for (HealthCheck hc : r.checks()) {
                HealthCheck old = reference.nodeChecks(WatchSet.NONE, r.node().node()).value().stream()
                        .filter(x -> x.checkId().equals(hc.checkId())).findFirst().orElse(null);
                if (old != null && !old.status().equals(HealthCheck.CRITICAL) && hc.status().equals(HealthCheck.CRITICAL)) {
                    n++;
                }
            }
            return n;
        }

        private static String kind(Command c) {
            return switch (c) {
                case Command.Kv kv -> kv.verb().wire();
                case Command.CatalogDeregister d -> d.type().name() + (d.serviceId() != null && !d.serviceId().isEmpty()
                        ? "/service" : d.checkId() != null && !d.checkId().isEmpty() ? "/check" : "/node");
                default -> c.type().name();
            };
        }

        private static String classify(Command c, ApplyResult result) {
            String type = kind(c);
            String outcome = switch (result) {
                case ApplyError e -> "error";
                case TxnOutcome t -> t.committed() ? "committed" : "rolled-back";
                case ApplyResult.Bool(boolean b) -> Boolean.toString(b);
                case ApplyResult.Count(int n) -> n > 0 ? "reaped" : "nothing-reaped";
                case ApplyResult.SessionId s -> "ok";
                case ApplyResult.QueryId q -> "ok";
                case ApplyResult.Token t -> "ok";
                case ApplyResult.Policy p -> "ok";
                case ApplyResult.Role r -> "ok";
                case ApplyResult.Batch b -> "batch";
                case ApplyResult.None n -> "none";
            };
            return type + ":" + outcome;
        }

        private <T> T pick(List<T> items) {
            return items.get(rnd.nextInt(items.size()));
        }

        private String key() {
            return pick(KEYS);
        }

        private List<String> liveSessions() {
            return reference.sessions(WatchSet.NONE).value().stream().map(SessionEntry::id).toList();
        }

        /** Mostly a live session, sometimes a destroyed or never-created one. */
        private String session() {
            List<String> live = liveSessions();
            if (live.isEmpty() || rnd.nextInt(10) == 0) {
                return "s-" + rnd.nextInt(sessionSeq + 2);
            }
            return pick(live);
        }

        private String holderOr(String key) {
            var e = reference.kvGet(WatchSet.NONE, key).value();
            return e != null && e.session() != null && rnd.nextInt(4) != 0 ? e.session() : session();
        }

        /** The key's current ModifyIndex most of the time, else 0 or a stale guess. */
        private long indexOf(String key) {
            var e = reference.kvGet(WatchSet.NONE, key).value();
            int r = rnd.nextInt(10);
            if (e != null && r < 6) {
                return e.modifyIndex();
            }
            return r < 8 ? 0 : 1 + rnd.nextInt((int) index);
        }

        private byte[] value() {
            return switch (rnd.nextInt(6)) {
                case 0 -> null;
                case 1 -> new byte[0];
                case 2 -> {
                    byte[] b = new byte[1 + rnd.nextInt(16)];
                    rnd.nextBytes(b);
                    yield b;
                }
                default -> ("v" + rnd.nextInt(1000)).getBytes(StandardCharsets.UTF_8);
            };
        }

        private long flags() {
            return rnd.nextInt(4) == 0 ? rnd.nextLong() >>> 1 : rnd.nextInt(3);
        }

        private Command.Kv kvWrite() {
            String key = key();
            int r = rnd.nextInt(100);
            if (r < 35) {
                return new Command.Kv(KvVerb.SET, key, value(), flags(), 0, null);
            } else if (r < 47) {
                return new Command.Kv(KvVerb.CAS, key, value(), flags(), indexOf(key), null);
            } else if (r < 65) {
                return new Command.Kv(KvVerb.LOCK, key, value(), flags(), 0, rnd.nextInt(30) == 0 ? "" : session());
            } else if (r < 77) {
                return new Command.Kv(KvVerb.UNLOCK, key, value(), flags(), 0, holderOr(key));
            } else if (r < 87) {
                return new Command.Kv(KvVerb.DELETE, key, null, 0, 0, null);
            } else if (r < 95) {
                return new Command.Kv(KvVerb.DELETE_CAS, key, null, 0, indexOf(key), null);
            } else {
                String prefix = pick(PREFIXES);
                return new Command.Kv(KvVerb.DELETE_TREE, prefix.isEmpty() && rnd.nextInt(4) != 0 ? "a/" : prefix,
                        null, 0, 0, null);
            }
        }

        private Command.Kv txnOp() {
            String key = key();
            return switch (rnd.nextInt(10)) {
                case 0 -> new Command.Kv(KvVerb.GET, key, null, 0, 0, null);
                case 1 -> new Command.Kv(KvVerb.GET_TREE, pick(PREFIXES), null, 0, 0, null);
                case 2 -> new Command.Kv(KvVerb.CHECK_INDEX, key, null, 0, indexOf(key), null);
                case 3 -> new Command.Kv(KvVerb.CHECK_SESSION, key, null, 0, 0, holderOr(key));
                case 4 -> new Command.Kv(KvVerb.CHECK_NOT_EXISTS, key, null, 0, 0, null);
                default -> kvWrite();
            };
        }

        private Command next() {
            if (rnd.nextInt(400) == 0) {
                // Rarely: restore the current state as a snapshot, or a corrupt one (refused, nothing changes).
                byte[] snap = Snapshots.bytes(reference);
                return new Command.Restore(rnd.nextBoolean() ? snap : java.util.Arrays.copyOf(snap, snap.length / 2));
            }
            if (rnd.nextInt(15) == 0) {
                // What the Raft replicator sends under load: several commands in one entry, at one index.
                List<Command> batch = new ArrayList<>();
                int n = 1 + rnd.nextInt(6);
                for (int i = 0; i < n; i++) {
                    batch.add(single());
                }
                return new Command.Batch(batch);
            }
            return single();
        }

        private Command single() {
            if (rnd.nextInt(20) == 0) {
                return queryOrCoordinates();
            }
            if (aclRnd.nextInt(25) == 0) {
                return acl();
            }
            int r = rnd.nextInt(100);
            if (r < 45) {
                return kvWrite();
            } else if (r < 55) {
                int n = rnd.nextInt(10);
                String id = n == 0 && sessionSeq > 0 ? "s-" + rnd.nextInt(sessionSeq) : "s-" + sessionSeq++;
                String behavior = n == 1 ? "bogus" : rnd.nextBoolean() ? SessionEntry.RELEASE : SessionEntry.DELETE;
                List<SessionEntry.ServiceCheck> svc = rnd.nextInt(3) == 0
                        ? List.of(new SessionEntry.ServiceCheck("svc-" + rnd.nextInt(3), "default")) : null;
                return new Command.SessionCreate(id, "n" + rnd.nextInt(3), "node" + rnd.nextInt(3),
                        rnd.nextInt(3) * 1_000_000_000L, behavior, rnd.nextBoolean() ? "" : "15s",
                        rnd.nextBoolean() ? List.of("serfHealth") : List.of(), svc);
            } else if (r < 61) {
                return new Command.SessionDestroy(session());
            } else if (r < 80) {
                List<Command.Kv> ops = new ArrayList<>();
                int n = 1 + rnd.nextInt(6);
                for (int i = 0; i < n; i++) {
                    ops.add(txnOp());
                }
                return new Command.Txn(ops);
            } else if (r < 83) {
                return new Command.TombstoneReap(Math.max(0, index - rnd.nextInt(40)));
            } else if (r < 94) {
                return catalogRegister();
            } else {
                return catalogDeregister();
            }
        }

        // ------------------------------------------------------------------ prepared queries, coordinates

        /** Queries with clashing names (case too), session-bound ones, templates; coordinates for known and unknown nodes. */
        private Command queryOrCoordinates() {
            int r = rnd.nextInt(10);
            if (r < 5) {
                String id = "00000000-0000-4000-8000-00000000000" + rnd.nextInt(4);
                String name = pick(List.of("", "q0", "Q0", "q1", "tpl-"));
                boolean template = name.startsWith("tpl") || rnd.nextInt(4) == 0;
                String session = name.isEmpty() || rnd.nextInt(3) == 0 ? session() : "";
                return new Command.PreparedQuerySet(new io.roster.api.PreparedQuery(id, name, session, "",
                        new io.roster.api.PreparedQuery.ServiceQuery(pick(List.of("web", "db")), null, null, null, null,
                                rnd.nextBoolean(), List.of(pick(TAGS)), meta(), null),
                        new io.roster.api.PreparedQuery.Dns(rnd.nextBoolean() ? "" : "10s"),
                        template ? new io.roster.api.PreparedQuery.Template("name_prefix_match", "", false) : null, 0, 0));
            } else if (r < 7) {
                return new Command.PreparedQueryDelete("00000000-0000-4000-8000-00000000000" + rnd.nextInt(5));
            }
            List<io.roster.api.Coordinate.Entry> updates = new ArrayList<>();
            int n = 1 + rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                List<Double> vec = new ArrayList<>();
                for (int d = 0; d < 8; d++) {
                    vec.add(rnd.nextInt(3) == 0 ? 0.0 : rnd.nextGaussian() / 100);
                }
                updates.add(new io.roster.api.Coordinate.Entry("node" + rnd.nextInt(5), "",
                        new io.roster.api.Coordinate(vec, rnd.nextDouble() * 1.5, rnd.nextGaussian() / 1000, 1e-5)));
            }
            return new Command.CoordinateBatch(updates);
        }

        // ------------------------------------------------------------------ ACL tables

        /** Policies and roles with clashing names, tokens linking live and deleted rows, clashing secrets, bootstraps. */
        private Command acl() {
            String p = "00000000-0000-4000-8000-0000000001" + aclRnd.nextInt(4) + "0";
            String role = "00000000-0000-4000-8000-0000000002" + aclRnd.nextInt(3) + "0";
            String tok = "00000000-0000-4000-8000-0000000003" + aclRnd.nextInt(5) + "0";
            List<io.roster.api.AclLink> links = List.of(new io.roster.api.AclLink(p, ""));
            int r = aclRnd.nextInt(10);
            return switch (r) {
                case 0, 1 -> new Command.AclPolicySet(new io.roster.api.AclPolicy(p, List.of("a", "b", "c").get(aclRnd.nextInt(3)), "",
                        "key_prefix \"\" { policy = \"read\" }", null, "h", 0, 0), aclRnd.nextBoolean());
                case 2 -> new Command.AclPolicyDelete(p);
                case 3 -> new Command.AclRoleSet(new io.roster.api.AclRole(role, List.of("r", "s").get(aclRnd.nextInt(2)), "", links, null, null,
                        "h", 0, 0), aclRnd.nextBoolean());
                case 4 -> new Command.AclRoleDelete(role);
                case 5, 6 -> new Command.AclTokenSet(new io.roster.api.AclToken(tok, "secret-" + aclRnd.nextInt(6), "", links,
                        aclRnd.nextBoolean() ? List.of(new io.roster.api.AclLink(role, "")) : null, null, null, false, null,
                        aclRnd.nextBoolean() ? "" : "2030-01-01T00:00:00Z", null, "2026-01-01T00:00:00Z", "h", 0, 0), aclRnd.nextBoolean());
                case 7 -> new Command.AclBootstrap(new io.roster.api.AclToken(tok, "boot-" + aclRnd.nextInt(3), "", null, null, null, null,
                        false, null, null, null, "2026-01-01T00:00:00Z", "h", 0, 0), aclRnd.nextInt(3) == 0 ? index - 1 : 0);
                default -> new Command.AclTokenDelete(List.of(tok));
            };
        }

        // ------------------------------------------------------------------ catalog

        private List<NodeService> servicesOn(String node) {
            Store.NodeInfo info = reference.node(WatchSet.NONE, node).value();
            return info == null ? List.of() : info.services();
        }

        private List<HealthCheck> checksOn(String node) {
            return reference.nodeChecks(WatchSet.NONE, node).value();
        }

        /** Mostly passing, so that sessions depending on a check live long enough to hold locks. */
        private String status() {
            int r = rnd.nextInt(20);
            return r < 13 ? HealthCheck.PASSING : r < 15 ? HealthCheck.WARNING : r < 19 ? HealthCheck.CRITICAL : "";
        }

        /** Several meta keys inserted in a random order: the snapshot must not depend on it. */
        private Map<String, String> meta() {
            Map<String, String> m = new LinkedHashMap<>();
            List<String> keys = new ArrayList<>(List.of("rack", "zone", "os", "a", "b", "c", "d"));
            java.util.Collections.shuffle(keys, rnd);
            for (String k : keys.subList(0, rnd.nextInt(keys.size() + 1))) {
                m.put(k, k + rnd.nextInt(2));
            }
            return m;
        }

        private List<String> tags() {
            List<String> out = new ArrayList<>();
            for (String t : TAGS) {
                if (rnd.nextInt(3) == 0) {
                    out.add(t);
                }
            }
            return out;
        }

        private Command.CatalogRegister catalogRegister() {
            String name = rnd.nextInt(40) == 0 ? "" : pick(NODES);
            Node node = new Node(rnd.nextInt(3) == 0 ? "" : "id-" + name, name, "10.0.0." + rnd.nextInt(2), "dc1",
                    rnd.nextBoolean() ? Map.of("lan", "10.0.0.1", "wan", "1.2.3." + rnd.nextInt(2)) : null, meta(), 0, 0);
            NodeService service = null;
            if (rnd.nextInt(100) < 55) {
                String id = pick(SERVICE_IDS);
                String svcName = rnd.nextInt(15) == 0 ? pick(List.copyOf(SERVICE_NAMES.values())) : SERVICE_NAMES.get(id);
                service = new NodeService(null, id, rnd.nextInt(50) == 0 ? "" : svcName, tags(), "", null,
                        rnd.nextBoolean() ? Map.of("version", "1." + rnd.nextInt(2), "team", "t") : null,
                        8000 + rnd.nextInt(2), null, false, null, 0, 0);
            }
            List<HealthCheck> checks = new ArrayList<>();
            int n = rnd.nextInt(4);
            for (int i = 0; i < n; i++) {
                String checkNode = rnd.nextInt(40) == 0 ? "elsewhere" : rnd.nextBoolean() ? name : "";
                String id = rnd.nextInt(40) == 0 ? "" : null;
                String serviceId = "";
                if (rnd.nextInt(10) < 4) {
                    id = id == null ? pick(NODE_CHECKS) : id;
                } else {
                    id = id == null ? pick(SERVICE_CHECKS) : id;
                    List<NodeService> existing = servicesOn(name);
                    int r = rnd.nextInt(10);
                    if (service != null && r < 6) {
                        serviceId = service.id();
                    } else if (!existing.isEmpty() && r < 9) {
                        serviceId = pick(existing).id();
                    } else {
                        serviceId = pick(SERVICE_IDS);
                    }
                }
                checks.add(new HealthCheck(checkNode, id, "check " + id, status(), "", "out" + rnd.nextInt(2), serviceId,
                        rnd.nextBoolean() ? "ignored" : null, null, "ttl", "", "",
                        0, rnd.nextInt(4) == 0 ? Map.of("TTL", "15s", "DeregisterCriticalServiceAfter", "1m") : null, 0, 0));
            }
            return new Command.CatalogRegister(node, service, checks, rnd.nextInt(5) == 0);
        }

        private Command.CatalogDeregister catalogDeregister() {
            int r = rnd.nextInt(10);
            String node = rnd.nextInt(r < 2 ? 8 : 30) == 0 ? "" : pick(NODES);
            List<NodeService> services = servicesOn(node);
            List<HealthCheck> checks = checksOn(node);
            String serviceId = services.isEmpty() || rnd.nextInt(5) == 0 ? pick(SERVICE_IDS) : pick(services).id();
            String checkId = checks.isEmpty() || rnd.nextInt(5) == 0 ? pick(SERVICE_CHECKS) : pick(checks).checkId();
            if (r < 2) {
                return new Command.CatalogDeregister(node, rnd.nextBoolean() ? null : "", null);
            } else if (r < 5) {
                // Now and then both: the service ID wins, as in Consul.
                return new Command.CatalogDeregister(node, serviceId, rnd.nextInt(4) == 0 ? checkId : null);
            } else {
                return new Command.CatalogDeregister(node, rnd.nextBoolean() ? "" : null, checkId);
            }
        }
    }

    private static Command throughTheLog(Command c) {
        return CommandCodec.decode(CommandCodec.encode(c));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L, 20_240_611L, -7L})
    void sameLogGivesSameStateDirectlyAndThroughTheCodec(long seed) {
        Workload w = new Workload(seed, 3_000);
        Store direct = new Store();
        Store decoded = new Store();
        List<String> directInvalidations = new ArrayList<>();
        List<String> decodedInvalidations = new ArrayList<>();
        direct.onInvalidation((s, keys) -> directInvalidations.add(s.id() + keys));
        decoded.onInvalidation((s, keys) -> decodedInvalidations.add(s.id() + keys));
        for (Entry e : w.log) {
            Object a = direct.apply(e.index(), e.command());
            Object b = decoded.apply(e.index(), throughTheLog(e.command()));
            assertThat(Json.writeString(b)).as("result at %d of %s", e.index(), e.command()).isEqualTo(Json.writeString(a));
        }

        assertThat(direct.stateHash()).isEqualTo(w.reference.stateHash()).isEqualTo(decoded.stateHash());
        assertThat(Snapshots.bytes(decoded)).isEqualTo(Snapshots.bytes(direct));
        assertThat(decodedInvalidations).isNotEmpty().isEqualTo(directInvalidations);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1L, 42L})
    void workloadReachesEveryBranch(long seed) {
        Workload w = new Workload(seed, 3_000);
        Set<String> seen = w.outcomes.keySet();
        assertThat(seen).as("outcomes %s", w.outcomes).contains(
                "set:true", "cas:true", "cas:false", "lock:true", "lock:false", "lock:error",
                "unlock:true", "unlock:false", "delete:true", "delete-cas:true", "delete-cas:false",
                "delete-tree:true", "SESSION_CREATE:ok", "SESSION_CREATE:error", "SESSION_DESTROY:true",
                "TXN:committed", "TXN:rolled-back", "TOMBSTONE_REAP:reaped", "RESTORE:true", "RESTORE:error",
                "CATALOG_REGISTER:true", "CATALOG_REGISTER:error", "CATALOG_DEREGISTER/node:true",
                "CATALOG_DEREGISTER/service:true", "CATALOG_DEREGISTER/check:true", "CATALOG_DEREGISTER/node:error",
                "check:to-critical", "invalidated-by:CATALOG_REGISTER", "invalidated-by:CATALOG_DEREGISTER/node",
                "invalidated-by:CATALOG_DEREGISTER/service", "invalidated-by:CATALOG_DEREGISTER/check",
                "invalidated-holding-keys", "PREPARED_QUERY_SET:ok", "PREPARED_QUERY_SET:error",
                "PREPARED_QUERY_DELETE:true", "COORDINATE_BATCH:true",
                "ACL_POLICY_SET:ok", "ACL_POLICY_SET:error", "ACL_ROLE_SET:ok", "ACL_ROLE_SET:error", "ACL_TOKEN_SET:ok",
                "ACL_TOKEN_SET:error", "ACL_BOOTSTRAP:ok", "ACL_BOOTSTRAP:error", "ACL_TOKEN_DELETE:reaped");
        Set<CommandType> types = w.log.stream().map(e -> e.command().type()).collect(Collectors.toSet());
        assertThat(types).isEqualTo(EnumSet.allOf(CommandType.class));
        assertThat(w.rowKinds).contains("{\"KV\":", "{\"Tombstone\":", "{\"Session\":", "{\"Node\":", "{\"Service\":",
                "{\"Check\":", "{\"ServiceIndex\":", "{\"NodeIndex\":", "{\"Query\":", "{\"Coordinate\":", "{\"Acl\":");
        assertThat(w.heldKeySeen).as("a snapshot with a key held by a session").isTrue();
    }

    @Test
    void differentLogsGiveDifferentHashes() {
        assertThat(new Workload(1, 500).reference.stateHash()).isNotEqualTo(new Workload(2, 500).reference.stateHash());
        Workload w = new Workload(3, 500);
        Store shorter = new Store();
        for (Entry e : w.log.subList(0, w.log.size() - 1)) {
            shorter.apply(e.index(), e.command());
        }
        assertThat(shorter.stateHash()).isNotEqualTo(w.reference.stateHash());
    }

    /** A follower that installs a snapshot half-way and replays the rest ends where the leader does. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {5L, 99L})
    void snapshotInTheMiddleThenReplayGivesTheSameState(long seed) throws IOException {
        Workload w = new Workload(seed, 2_000);
        int cut = w.log.size() / 2;
        Store leader = new Store();
        for (Entry e : w.log.subList(0, cut)) {
            leader.apply(e.index(), e.command());
        }
        byte[] snap = Snapshots.bytes(leader);

        // The follower had diverging uncommitted state before installing the snapshot.
        Store follower = new Store();
        for (Entry e : new Workload(seed + 1, 300).log) {
            follower.apply(e.index(), e.command());
        }
        Snapshots.restore(follower, snap);
        for (Entry e : w.log.subList(cut, w.log.size())) {
            follower.apply(e.index(), throughTheLog(e.command()));
        }

        assertThat(follower.stateHash()).isEqualTo(w.reference.stateHash());
    }

    // ------------------------------------------------------------------ codec

    static List<Command> oneOfEachType() {
        return List.of(
                new Command.Kv(KvVerb.LOCK, "a/b", new byte[] {0, 1, (byte) 0xff}, Long.MAX_VALUE, 17, "sess"),
                new Command.SessionCreate("id-1", "name", "node1", 15_000_000_000L, SessionEntry.DELETE, "10s",
                        List.of("serfHealth", "disk"), List.of(new SessionEntry.ServiceCheck("web", "default"))),
                new Command.SessionDestroy("id-1"),
                new Command.Txn(List.of(Cmds.set("x", "1"), Cmds.checkIndex("x", 4), Cmds.getTree(""),
                        Cmds.checkSession("x", "s"))),
                new Command.TombstoneReap(123),
                new Command.CatalogRegister(
                        new Node("6b9ac2ad-0000-4c0a-9f6e-1a2b3c4d5e01", "node1", "10.0.0.1", "dc1",
                                Map.of("lan", "10.0.0.1", "wan", "1.2.3.4"), Map.of("rack", "r1", "zone", "a"), 0, 0),
                        new NodeService("", "web-1", "web", List.of("v1", "primary"), "10.0.0.9",
                                Map.of("lan", new ServiceDefinition.ServiceAddress("10.0.0.9", 8080)),
                                Map.of("version", "1.2"), 8080, new ServiceDefinition.Weights(3, 1), true, null, 0, 0),
                        List.of(Cmds.nodeCheck("node1", "serfHealth", HealthCheck.PASSING),
                                new HealthCheck("", "svc-web", "web alive", "", "notes", "output", "web-1", "", null,
                                        "http", "10s", "2s", 8081, Map.of("HTTP", "http://10.0.0.9:8080/health"), 0, 0)),
                        true),
                new Command.CatalogDeregister("node1", "web-1", "svc-web"),
                new Command.Restore("{}".getBytes(StandardCharsets.UTF_8)),
                new Command.PreparedQuerySet(new io.roster.api.PreparedQuery("00000000-0000-4000-8000-000000000001", "q",
                        "sess", "tok", new io.roster.api.PreparedQuery.ServiceQuery("web", "_agent", "Service.Port > 1",
                        new io.roster.api.PreparedQuery.Failover(1, List.of("dc2"), List.of(Map.of("Datacenter", "dc3"))),
                        List.of("serfHealth"), true, List.of("v1", "!v2"), Map.of("rack", "r1"), Map.of("v", "1")),
                        new io.roster.api.PreparedQuery.Dns("10s"),
                        new io.roster.api.PreparedQuery.Template("name_prefix_match", "^q-(.*)$", true), 0, 0)),
                new Command.PreparedQueryDelete("00000000-0000-4000-8000-000000000001"),
                new Command.CoordinateBatch(List.of(new io.roster.api.Coordinate.Entry("node1", "",
                        new io.roster.api.Coordinate(List.of(0.001, -0.25, 0.0), 0.5, -1e-4, 1e-5)))),
                new Command.AclBootstrap(new io.roster.api.AclToken("00000000-0000-4000-8000-000000000301", "s1", "boot",
                        List.of(new io.roster.api.AclLink(io.roster.api.AclPolicy.GLOBAL_MANAGEMENT_ID, "global-management")),
                        null, null, null, false, null, null, null, "2026-01-01T00:00:00Z", "h", 0, 0), 5),
                new Command.AclTokenSet(new io.roster.api.AclToken("00000000-0000-4000-8000-000000000302", "s2", "d",
                        List.of(new io.roster.api.AclLink("p", "n")), List.of(new io.roster.api.AclLink("r", "m")),
                        List.of(new io.roster.api.AclServiceIdentity("web", List.of("dc1"))),
                        List.of(new io.roster.api.AclNodeIdentity("node1", "dc1")), true, "", "2026-01-02T00:00:00Z", "24h0m0s",
                        "2026-01-01T00:00:00Z", "h", 0, 0), true),
                new Command.AclTokenDelete(List.of("00000000-0000-4000-8000-000000000302")),
                new Command.AclPolicySet(new io.roster.api.AclPolicy("p", "n", "d", "node_prefix \"\" { policy = \"read\" }",
                        List.of("dc1"), "h", 0, 0), false),
                new Command.AclPolicyDelete("p"),
                new Command.AclRoleSet(new io.roster.api.AclRole("r", "m", "d", List.of(new io.roster.api.AclLink("p", "n")),
                        null, List.of(new io.roster.api.AclNodeIdentity("node1", "dc1")), "h", 0, 0), false),
                new Command.AclRoleDelete("r"),
                new Command.Batch(List.of(Cmds.set("b/1", "1"), new Command.SessionDestroy("id-1"), new Command.TombstoneReap(7))));
    }

    @Test
    void samplesCoverEveryCommandType() {
        Set<CommandType> types = oneOfEachType().stream().map(Command::type).collect(Collectors.toSet());
        assertThat(types).isEqualTo(EnumSet.allOf(CommandType.class));
    }

    @Test
    void everyCommandTypeRoundTrips() {
        for (Command c : oneOfEachType()) {
            byte[] bytes = CommandCodec.encode(c);
            assertThat(bytes[0] & 0xff).isEqualTo(c.type().code());
            Command back = CommandCodec.decode(bytes);
            assertThat(back).isInstanceOf(c.getClass()).usingRecursiveComparison().isEqualTo(c);
            assertThat(CommandCodec.encode(back)).isEqualTo(bytes);
        }
    }

    @ParameterizedTest
    @EnumSource(KvVerb.class)
    void everyKvVerbRoundTrips(KvVerb verb) {
        Command.Kv c = new Command.Kv(verb, "k", "v".getBytes(StandardCharsets.UTF_8), 3, 9, "s");
        assertThat(CommandCodec.decode(CommandCodec.encode(c))).usingRecursiveComparison().isEqualTo(c);
    }

    @Test
    void nullFieldsRoundTrip() {
        Command c = new Command.SessionCreate("id", null, null, 0, SessionEntry.RELEASE, null, null, null);
        assertThat(CommandCodec.decode(CommandCodec.encode(c))).isEqualTo(c);
        Command.Kv kv = new Command.Kv(KvVerb.DELETE, "", null, 0, 0, null);
        assertThat(CommandCodec.decode(CommandCodec.encode(kv))).usingRecursiveComparison().isEqualTo(kv);
    }

    /** Log entries outlive the code that wrote them: the encoding itself is pinned. */
    @Test
    void encodingIsPinned() {
        byte[] bytes = CommandCodec.encode(Cmds.set("k", "v"));
        assertThat(bytes[0]).isEqualTo((byte) 1);
        assertThat(new String(bytes, 1, bytes.length - 1, StandardCharsets.UTF_8))
                .isEqualTo("{\"Verb\":\"SET\",\"Key\":\"k\",\"Value\":\"dg==\",\"Flags\":0,\"Index\":0,\"Session\":null}");
        assertThat(new String(CommandCodec.encode(new Command.TombstoneReap(5)), StandardCharsets.UTF_8))
                .isEqualTo("\u0005{\"Index\":5}");
        assertThat(new String(CommandCodec.encode(new Command.SessionDestroy("x")), StandardCharsets.UTF_8))
                .isEqualTo("\u0003{\"ID\":\"x\"}");
        assertThat(new String(CommandCodec.encode(Cmds.deregisterService("n1", "web-1")), StandardCharsets.UTF_8))
                .isEqualTo("\u0007{\"Node\":\"n1\",\"ServiceID\":\"web-1\",\"CheckID\":null}");
        assertThat(new String(CommandCodec.encode(Cmds.register(Cmds.node("n1", "10.0.0.1", Map.of("zone", "a", "rack", "r1")),
                Cmds.service("web-1", "web", "v1"), Cmds.check("n1", "svc-web", HealthCheck.PASSING, "web-1"))),
                StandardCharsets.UTF_8)).isEqualTo("\u0006{\"Node\":{\"ID\":\"\",\"Node\":\"n1\",\"Address\":\"10.0.0.1\","
                + "\"Datacenter\":\"dc1\",\"TaggedAddresses\":{},\"Meta\":{\"rack\":\"r1\",\"zone\":\"a\"},\"CreateIndex\":0,"
                + "\"ModifyIndex\":0},\"Service\":{\"ID\":\"web-1\",\"Service\":\"web\",\"Tags\":[\"v1\"],\"Address\":\"\","
                + "\"TaggedAddresses\":{},\"Meta\":{},\"Port\":8080,\"Weights\":{\"Passing\":1,\"Warning\":1},"
                + "\"EnableTagOverride\":false},\"Checks\":[{\"Node\":\"n1\","
                + "\"CheckID\":\"svc-web\",\"Name\":\"svc-web\",\"Status\":\"passing\",\"Notes\":\"\",\"Output\":\"\","
                + "\"ServiceID\":\"web-1\",\"ServiceName\":\"\",\"ServiceTags\":[],\"Type\":\"ttl\",\"Interval\":\"\","
                + "\"Timeout\":\"\",\"ExposedPort\":0,\"Definition\":{},\"CreateIndex\":0,\"ModifyIndex\":0}],"
                + "\"SkipNodeUpdate\":false}");
    }

    /**
     * Node meta, tagged addresses and check definitions are immutable maps whose iteration order is
     * chosen per JVM: the log and the snapshot write map entries in key order, so equal states give
     * equal bytes on every server.
     */
    @Test
    void mapEntriesAreWrittenInKeyOrder() {
        Map<String, String> meta = new LinkedHashMap<>();
        for (String k : List.of("zeta", "eta", "alpha", "kappa", "delta", "omega", "beta", "iota", "mu", "gamma")) {
            meta.put(k, k.toUpperCase(java.util.Locale.ROOT));
        }
        String sorted = meta.keySet().stream().sorted().map(k -> "\"" + k + "\":\"" + meta.get(k) + "\"")
                .collect(Collectors.joining(",", "\"Meta\":{", "}"));
        Command c = Cmds.register(Cmds.node("n1", "10.0.0.1", meta));
        assertThat(new String(CommandCodec.encode(c), StandardCharsets.UTF_8)).contains(sorted);
        Store s = new Store();
        s.apply(1, c);
        assertThat(Snapshots.text(s)).contains(sorted);

        Map<String, String> reversed = new LinkedHashMap<>();
        new ArrayList<>(meta.keySet()).reversed().forEach(k -> reversed.put(k, meta.get(k)));
        Store other = new Store();
        other.apply(1, Cmds.register(Cmds.node("n1", "10.0.0.1", reversed)));
        assertThat(Snapshots.bytes(other)).isEqualTo(Snapshots.bytes(s));
    }

    @Test
    void typeCodesAreStable() {
        assertThat(CommandType.KV.code()).isEqualTo(1);
        assertThat(CommandType.SESSION_CREATE.code()).isEqualTo(2);
        assertThat(CommandType.SESSION_DESTROY.code()).isEqualTo(3);
        assertThat(CommandType.TXN.code()).isEqualTo(4);
        assertThat(CommandType.TOMBSTONE_REAP.code()).isEqualTo(5);
        assertThat(CommandType.CATALOG_REGISTER.code()).isEqualTo(6);
        assertThat(CommandType.CATALOG_DEREGISTER.code()).isEqualTo(7);
        assertThat(CommandType.IGNORABLE).isEqualTo(128);
        for (CommandType t : CommandType.values()) {
            assertThat(CommandType.of(t.code())).isSameAs(t);
            assertThat(t.code()).isBetween(1, CommandType.IGNORABLE - 1);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10, 42, 127})
    void unknownNonIgnorableTypeStopsDecoding(int code) {
        byte[] bytes = {(byte) code, '{', '}'};
        assertThatThrownBy(() -> CommandCodec.decode(bytes))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unknown command type " + code);
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 129, 200, 255})
    void unknownIgnorableTypeDecodesToNull(int code) {
        assertThat(CommandCodec.decode(new byte[] {(byte) code, '{', '}'})).isNull();
        assertThat(CommandCodec.decode(new byte[] {(byte) code, 'x'})).as("the body is not even read").isNull();
    }

    @Test
    void corruptBodyIsAnError() {
        byte[] bytes = {1, '{', '"', 'V'};
        assertThatThrownBy(() -> CommandCodec.decode(bytes))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("corrupt KV command");
    }
}
