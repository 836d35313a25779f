package io.roster.state;

import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.SessionEntry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Short constructors for commands, so tests read like the operations they perform. */
final class Cmds {
    private Cmds() {
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static Command.Kv kv(KvVerb verb, String key, String value, long flags, long index, String session) {
        return new Command.Kv(verb, key, utf8(value), flags, index, session);
    }

    static Command.Kv set(String key, String value) {
        return kv(KvVerb.SET, key, value, 0, 0, null);
    }

    static Command.Kv set(String key, String value, long flags) {
        return kv(KvVerb.SET, key, value, flags, 0, null);
    }

    static Command.Kv cas(String key, String value, long index) {
        return kv(KvVerb.CAS, key, value, 0, index, null);
    }

    static Command.Kv lock(String key, String value, String session) {
        return kv(KvVerb.LOCK, key, value, 0, 0, session);
    }

    static Command.Kv unlock(String key, String value, String session) {
        return kv(KvVerb.UNLOCK, key, value, 0, 0, session);
    }

    static Command.Kv delete(String key) {
        return kv(KvVerb.DELETE, key, null, 0, 0, null);
    }

    static Command.Kv deleteCas(String key, long index) {
        return kv(KvVerb.DELETE_CAS, key, null, 0, index, null);
    }

    static Command.Kv deleteTree(String prefix) {
        return kv(KvVerb.DELETE_TREE, prefix, null, 0, 0, null);
    }

    static Command.Kv get(String key) {
        return kv(KvVerb.GET, key, null, 0, 0, null);
    }

    static Command.Kv getTree(String prefix) {
        return kv(KvVerb.GET_TREE, prefix, null, 0, 0, null);
    }

    static Command.Kv checkIndex(String key, long index) {
        return kv(KvVerb.CHECK_INDEX, key, null, 0, index, null);
    }

    static Command.Kv checkSession(String key, String session) {
        return kv(KvVerb.CHECK_SESSION, key, null, 0, 0, session);
    }

    static Command.Kv checkNotExists(String key) {
        return kv(KvVerb.CHECK_NOT_EXISTS, key, null, 0, 0, null);
    }

    static Command.Txn txn(Command.Kv... ops) {
        return new Command.Txn(List.of(ops));
    }

    static Command.SessionCreate session(String id, String behavior) {
        return new Command.SessionCreate(id, "test", "node1", 15_000_000_000L, behavior, "", List.of("serfHealth"), null);
    }

    static Command.SessionCreate releaseSession(String id) {
        return session(id, SessionEntry.RELEASE);
    }

    static Command.SessionCreate deleteSession(String id) {
        return session(id, SessionEntry.DELETE);
    }

    static Command.SessionDestroy destroy(String id) {
        return new Command.SessionDestroy(id);
    }

    // ------------------------------------------------------------------ catalog

    static Node node(String name) {
        return node(name, "10.0.0.1");
    }

    static Node node(String name, String address) {
        return new Node("", name, address, "dc1", null, null, 0, 0);
    }

    static Node node(String name, String address, Map<String, String> meta) {
        return new Node("", name, address, "dc1", null, meta, 0, 0);
    }

    /** An instance of service {@code name} with ID {@code id} on port 8080. */
    static NodeService service(String id, String name, String... tags) {
        return new NodeService(null, id, name, List.of(tags), "", null, null, 8080, null, false, null, 0, 0);
    }

    /** A node check ({@code serviceId} empty) or a check of a service on the node. */
    static HealthCheck check(String node, String id, String status, String serviceId) {
        return HealthCheck.of(node, id, id, status, "", serviceId, "ttl");
    }

    static HealthCheck nodeCheck(String node, String id, String status) {
        return check(node, id, status, "");
    }

    static Command.CatalogRegister register(Node node, NodeService service, HealthCheck... checks) {
        return new Command.CatalogRegister(node, service, List.of(checks), false);
    }

    static Command.CatalogRegister register(Node node, HealthCheck... checks) {
        return register(node, null, checks);
    }

    static Command.CatalogDeregister deregisterNode(String node) {
        return new Command.CatalogDeregister(node, null, null);
    }

    static Command.CatalogDeregister deregisterService(String node, String serviceId) {
        return new Command.CatalogDeregister(node, serviceId, null);
    }

    static Command.CatalogDeregister deregisterCheck(String node, String checkId) {
        return new Command.CatalogDeregister(node, null, checkId);
    }

    /** A session on {@code node} that depends on the node checks given. */
    static Command.SessionCreate sessionOn(String id, String node, String behavior, String... nodeChecks) {
        return new Command.SessionCreate(id, "test", node, 15_000_000_000L, behavior, "", List.of(nodeChecks), null);
    }
}
