package io.roster.agent.http;

import io.roster.agent.acl.AclError;
import io.roster.agent.acl.AclService;
import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclToken;
import io.roster.state.AclReads;
import io.roster.state.ApplyResult;
import io.roster.state.Store;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * {@code /v1/acl/*} as Consul 1.16 answers it: bootstrap, tokens (with {@code self} and
 * {@code clone}), policies and roles (by ID and by name), their lists (blocking queries), and
 * the replication status of a primary datacenter. Auth methods, binding rules and login answer
 * that Roster does not support them. With ACLs off, every route answers Consul's
 * {@code 401 ACL support disabled}. Reads of a missing object answer Consul's {@code 403 ACL not found}.
 */
final class AclEndpoint {
    private static final long MAX_BODY = 1024 * 1024;
    private static final String TOO_LARGE = "Request body(%d bytes) too large, max size: " + MAX_BODY + " bytes";

    private final AclService acl;
    private final AclReads reads;
    private final BlockingQuery blocking;

    AclEndpoint(AclService acl, BlockingQuery blocking) {
        this.acl = acl;
        this.reads = acl.reads();
        this.blocking = blocking;
    }

    private void enabled() {
        if (!acl.resolver().enabled()) {
            throw new HttpError(401, "ACL support disabled");
        }
    }

    /** Runs a write decided by {@link AclService}; its refusals keep their status. */
    private static void write(Call call, Supplier<CompletableFuture<ApplyResult>> w) {
        CompletableFuture<ApplyResult> f;
        try {
            f = w.get();
        } catch (AclError e) {
            throw new HttpError(e.status(), e.getMessage());
        }
        f.whenComplete((r, err) -> {
            Throwable cause = err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
            if (cause instanceof AclError e) {
                call.error(e.status(), e.getMessage());
            } else {
                Writes.answer(call, r, err);
            }
        });
    }

    private static <T> T body(Call call, Class<T> type) {
        return call.json(type, MAX_BODY);
    }

    // ------------------------------------------------------------------ bootstrap, replication

    void bootstrap(Call call) {
        enabled();
        write(call, acl::bootstrap);
    }

    /** A secondary datacenter's server: its replication from the primary (null: this is the primary). */
    io.roster.agent.acl.AclReplication replication;

    /**
     * In a secondary datacenter, the replication routine's status; in the primary (or a single
     * datacenter) no replication runs (Consul's answer in the primary).
     */
    void replication(Call call) {
        enabled();
        io.roster.agent.acl.AclReplication r = replication;
        if (r != null) {
            call.meta(reads.policies(io.roster.state.WatchSet.NONE).index());
            call.json(r.status());
            return;
        }
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("Enabled", false);
        out.put("Running", false);
        out.put("SourceDatacenter", "");
        out.put("ReplicationType", "");
        out.put("ReplicatedIndex", 0);
        out.put("ReplicatedRoleIndex", 0);
        out.put("ReplicatedTokenIndex", 0);
        out.put("LastSuccess", "0001-01-01T00:00:00Z");
        out.put("LastError", "0001-01-01T00:00:00Z");
        out.put("LastErrorMessage", "");
        call.meta(reads.policies(io.roster.state.WatchSet.NONE).index());
        call.json(out);
    }

    // ------------------------------------------------------------------ tokens

    void createToken(Call call) {
        enabled();
        AclToken t = body(call, AclToken.class);
        write(call, () -> acl.setToken(t, null));
    }

    void tokenSelf(Call call) {
        enabled();
        String secret = call.request().token();
        blocking.serve(call, ws -> secret.isEmpty() ? reads.token(ws, AclToken.ANONYMOUS_ID) : reads.tokenBySecret(ws, secret),
                (c, r) -> {
                    if (r.value() == null) {
                        c.error(403, "ACL not found");
                        return;
                    }
                    c.meta(r.index());
                    c.json(r.value());
                });
    }

    void token(Call call) {
        enabled();
        String id = call.pathParam("accessor");
        switch (call.method()) {
            case "PUT" -> {
                AclToken t = body(call, AclToken.class);
                write(call, () -> acl.setToken(t, id));
            }
            case "DELETE" -> write(call, () -> acl.deleteToken(id));
            default -> blocking.serve(call, ws -> reads.token(ws, id), AclEndpoint::oneOr403);
        }
    }

    void cloneToken(Call call) {
        enabled();
        String id = call.pathParam("accessor");
        AclToken t = body(call, AclToken.class);
        write(call, () -> acl.cloneToken(id, t == null ? null : t.description()));
    }

    void tokens(Call call) {
        enabled();
        String policy = call.param("policy");
        String role = call.param("role");
        String method = call.param("authmethod");
        blocking.serve(call, ws -> reads.tokens(ws, policy, role, method), (c, r) -> {
            c.meta(r.index());
            c.json(r.value().stream().map(AclEndpoint::stub).toList());
        });
    }

    /** Consul's {@code ACLTokenListStub}: the token without its identities' details trimmed, plus {@code Legacy}. */
    private static Map<String, Object> stub(AclToken t) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("AccessorID", t.accessorId());
        m.put("SecretID", t.secretId());
        m.put("Description", t.description());
        if (!t.policies().isEmpty()) {
            m.put("Policies", t.policies());
        }
        if (!t.roles().isEmpty()) {
            m.put("Roles", t.roles());
        }
        if (!t.serviceIdentities().isEmpty()) {
            m.put("ServiceIdentities", t.serviceIdentities());
        }
        if (!t.nodeIdentities().isEmpty()) {
            m.put("NodeIdentities", t.nodeIdentities());
        }
        m.put("Local", t.local());
        if (!t.authMethod().isEmpty()) {
            m.put("AuthMethod", t.authMethod());
        }
        if (!t.expirationTime().isEmpty()) {
            m.put("ExpirationTime", t.expirationTime());
        }
        m.put("CreateTime", t.createTime());
        m.put("Hash", t.hash());
        m.put("CreateIndex", t.createIndex());
        m.put("ModifyIndex", t.modifyIndex());
        m.put("Legacy", false);
        return m;
    }

    // ------------------------------------------------------------------ policies

    void createPolicy(Call call) {
        enabled();
        AclPolicy p = body(call, AclPolicy.class);
        write(call, () -> acl.setPolicy(p, null));
    }

    void policy(Call call) {
        enabled();
        String id = call.pathParam("id");
        switch (call.method()) {
            case "PUT" -> {
                AclPolicy p = body(call, AclPolicy.class);
                write(call, () -> acl.setPolicy(p, id));
            }
            case "DELETE" -> write(call, () -> acl.deletePolicy(id));
            default -> blocking.serve(call, ws -> reads.policy(ws, id), AclEndpoint::oneOr403);
        }
    }

    void policyByName(Call call) {
        enabled();
        String name = call.pathParam("name");
        blocking.serve(call, ws -> reads.policyByName(ws, name), AclEndpoint::oneOr403);
    }

    void policies(Call call) {
        enabled();
        blocking.serve(call, reads::policies, (c, r) -> {
            c.meta(r.index());
            c.json(r.value().stream().map(AclPolicy::stub).toList());
        });
    }

    // ------------------------------------------------------------------ roles

    void createRole(Call call) {
        enabled();
        AclRole r0 = body(call, AclRole.class);
        write(call, () -> acl.setRole(r0, null));
    }

    void role(Call call) {
        enabled();
        String id = call.pathParam("id");
        switch (call.method()) {
            case "PUT" -> {
                AclRole r0 = body(call, AclRole.class);
                write(call, () -> acl.setRole(r0, id));
            }
            case "DELETE" -> write(call, () -> acl.deleteRole(id));
            default -> blocking.serve(call, ws -> reads.role(ws, id), AclEndpoint::oneOr403);
        }
    }

    void roleByName(Call call) {
        enabled();
        String name = call.pathParam("name");
        blocking.serve(call, ws -> reads.roleByName(ws, name), AclEndpoint::oneOr403);
    }

    void roles(Call call) {
        enabled();
        String policy = call.param("policy");
        blocking.serve(call, ws -> reads.roles(ws, policy), (c, r) -> {
            c.meta(r.index());
            c.json(r.value());
        });
    }

    // ------------------------------------------------------------------ not supported

    /** Auth methods, binding rules, login, logout, templated policies: not in Roster (say so, one line). */
    void unsupported(Call call) {
        enabled();
        throw new HttpError(501, "Roster does not support ACL auth methods, binding rules, login or templated policies");
    }

    private static void oneOr403(Call c, Store.Read<?> r) {
        if (r.value() == null) {
            c.error(403, "ACL not found");
            return;
        }
        c.meta(r.index());
        c.json(r.value());
    }

}
