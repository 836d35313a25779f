package io.roster.agent.acl;

import com.fasterxml.jackson.core.type.TypeReference;
import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclToken;
import io.roster.api.Json;
import io.roster.state.AclReads;
import io.roster.state.ApplyError;
import io.roster.state.Command;
import io.roster.state.Replicator;
import io.roster.state.WatchSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ACL replication into a secondary datacenter, as Consul's secondary leaders run it: the leader of
 * a datacenter whose {@code primary_datacenter} names another copies the primary's policies, then
 * its roles, then (with {@code acl.enable_token_replication}) its global tokens ({@code Local:
 * false}) into its own Raft log, reading them from a server of the primary with the
 * {@code acl.tokens.replication} token. Each kind is diffed by ID and {@code Hash}: what the
 * primary no longer has is deleted first (so a name freed there can be reused), then what is new
 * or changed is written with the primary's IDs, secrets and hashes, through the same commands a
 * user's write goes through. Local tokens of this datacenter are never touched.
 *
 * <p>A round runs at most once a second ({@link #round}, called by the agent's timer) and only on
 * the leader; a kind whose list index at the primary has not moved since the last good round is
 * skipped. {@link #status} is Consul's {@code /v1/acl/replication} answer. Failures (primary
 * unreachable, the token refused) are kept in {@code LastError}/{@code LastErrorMessage} and
 * logged rate-limited; never a secret.
 */
public final class AclReplication {
    private static final Logger LOG = LoggerFactory.getLogger(AclReplication.class);
    private static final io.roster.agent.util.RateLimitedLog FAILURES = new io.roster.agent.util.RateLimitedLog(
            LOG, org.slf4j.event.Level.WARN, java.time.Duration.ofSeconds(30));
    /** What Consul prints for a time that never happened (Go's zero time). */
    static final String NEVER = "0001-01-01T00:00:00Z";
    /** How long one write of a round may take before the round gives up (and the next one retries). */
    private static final long WRITE_WITHIN_SECONDS = 10;

    /** One answer of the primary: status, its {@code X-Consul-Index}, body. */
    public record Answer(int status, long index, byte[] body) {
    }

    /** Reads from a server of the primary datacenter; {@link TokenCache.Unreachable} when none answered. */
    public interface Primary {
        Answer get(String pathQuery, String token);
    }

    private final Replicator replicator;
    private final AclReads acl;
    private final Supplier<AclSettings> settings;
    private final String source;
    private final Primary primary;
    private final Clock clock;
    private final AtomicBoolean inRound = new AtomicBoolean();

    private volatile boolean running;
    private volatile long policyIndex;
    private volatile long roleIndex;
    private volatile long tokenIndex;
    private volatile String lastSuccess = NEVER;
    private volatile String lastError = NEVER;
    private volatile String lastErrorMessage = "";

    public AclReplication(Replicator replicator, Supplier<AclSettings> settings, String primaryDatacenter, Primary primary,
                          Clock clock) {
        this.replicator = replicator;
        this.acl = replicator.store().acl();
        this.settings = settings;
        this.source = primaryDatacenter;
        this.primary = primary;
        this.clock = clock;
    }

    /** Whether global tokens are copied too ({@code acl.enable_token_replication}). */
    public boolean tokens() {
        return settings.get().enableTokenReplication();
    }

    /** One replication round, on the leader only; a round still going on makes this a no-op. */
    public void round() {
        if (!settings.get().enabled()) {
            return;
        }
        if (!replicator.isLeader()) {
            running = false;
            return;
        }
        if (!inRound.compareAndSet(false, true)) {
            return;
        }
        running = true;
        try {
            String token = settings.get().replication();
            long p = replicatePolicies(token);
            long r = replicateRoles(token);
            long t = tokens() ? replicateTokens(token) : tokenIndex;
            policyIndex = p;
            roleIndex = r;
            tokenIndex = t;
            lastSuccess = now();
        } catch (Failure | TokenCache.Unreachable e) {
            lastError = now();
            lastErrorMessage = e.getMessage();
            FAILURES.log("ACL replication from datacenter {} failed (retrying every second): {}", source, e.getMessage());
        } catch (RuntimeException e) {
            lastError = now();
            lastErrorMessage = "replication round failed";
            FAILURES.log("ACL replication from datacenter {} failed (retrying every second): {}", source, e.toString());
        } finally {
            inRound.set(false);
        }
    }

    /** Consul's {@code ACLReplicationStatus} for {@code /v1/acl/replication} on this server. */
    public Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Enabled", true);
        out.put("Running", running);
        out.put("SourceDatacenter", source);
        out.put("ReplicationType", tokens() ? "tokens" : "policies");
        out.put("ReplicatedIndex", policyIndex);
        out.put("ReplicatedRoleIndex", roleIndex);
        out.put("ReplicatedTokenIndex", tokenIndex);
        out.put("LastSuccess", lastSuccess);
        out.put("LastError", lastError);
        out.put("LastErrorMessage", lastErrorMessage);
        return out;
    }

    private String now() {
        return Instant.ofEpochSecond(clock.instant().getEpochSecond()).toString();
    }

    /** A round that stopped: its one-line reason (no class names, no secrets). */
    private static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private Answer read(String what, String pathQuery, String token) {
        Answer a = primary.get(pathQuery, token);
        if (a.status() != 200) {
            String body = new String(a.body(), StandardCharsets.UTF_8).strip();
            int nl = body.indexOf('\n');
            throw new Failure("failed to retrieve remote ACL " + what + ": " + a.status() + " "
                    + (nl < 0 ? body : body.substring(0, nl)));
        }
        return a;
    }

    private static <T> T decode(String what, byte[] body, TypeReference<T> type) {
        try {
            return Json.mapper().readValue(body, type);
        } catch (IOException e) {
            throw new Failure("failed to decode remote ACL " + what);
        }
    }

    private void submit(String what, Command c) {
        Object r;
        try {
            r = replicator.submit(c).get(WRITE_WITHIN_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Failure("interrupted");
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new Failure("failed to apply replicated ACL " + what + ": not committed");
        }
        if (r instanceof ApplyError err) {
            throw new Failure("failed to apply replicated ACL " + what + ": " + err.message());
        }
    }

    private long replicatePolicies(String token) {
        Answer list = read("policies", "/v1/acl/policies", token);
        if (list.index() == policyIndex && policyIndex != 0) {
            return policyIndex;
        }
        List<AclPolicy.Stub> remote = decode("policies", list.body(), new TypeReference<>() { });
        Map<String, AclPolicy> local = new HashMap<>();
        for (AclPolicy p : acl.policies(WatchSet.NONE).value()) {
            local.put(p.id(), p);
        }
        Set<String> keep = new HashSet<>();
        remote.forEach(s -> keep.add(s.id()));
        for (String id : local.keySet()) {
            if (!keep.contains(id) && !AclPolicy.GLOBAL_MANAGEMENT_ID.equals(id)) {
                submit("policy", new Command.AclPolicyDelete(id));
            }
        }
        for (AclPolicy.Stub s : remote) {
            AclPolicy mine = local.get(s.id());
            if (mine != null && mine.hash().equals(s.hash()) && !s.hash().isEmpty()) {
                continue;
            }
            Answer one = read("policy", "/v1/acl/policy/" + s.id(), token);
            AclPolicy p = decode("policy", one.body(), new TypeReference<>() { });
            submit("policy", new Command.AclPolicySet(p, false));
        }
        return list.index();
    }

    private long replicateRoles(String token) {
        Answer list = read("roles", "/v1/acl/roles", token);
        if (list.index() == roleIndex && roleIndex != 0) {
            return roleIndex;
        }
        List<AclRole> remote = decode("roles", list.body(), new TypeReference<>() { });
        Map<String, AclRole> local = new HashMap<>();
        for (AclRole r : acl.roles(WatchSet.NONE, null).value()) {
            local.put(r.id(), r);
        }
        Set<String> keep = new HashSet<>();
        remote.forEach(r -> keep.add(r.id()));
        for (String id : local.keySet()) {
            if (!keep.contains(id)) {
                submit("role", new Command.AclRoleDelete(id));
            }
        }
        for (AclRole r : remote) {
            AclRole mine = local.get(r.id());
            if (mine == null || !mine.hash().equals(r.hash()) || r.hash().isEmpty()) {
                submit("role", new Command.AclRoleSet(r, false));
            }
        }
        return list.index();
    }

    private long replicateTokens(String token) {
        Answer list = read("tokens", "/v1/acl/tokens", token);
        if (list.index() == tokenIndex && tokenIndex != 0) {
            return tokenIndex;
        }
        List<AclToken> remote = new ArrayList<>();
        for (AclToken t : decode("tokens", list.body(), new TypeReference<List<AclToken>>() { })) {
            if (!t.local()) {
                if (t.secretId().isEmpty() || t.secretId().startsWith("<")) {
                    throw new Failure("the replication token may not read token secrets (it needs acl = \"write\")");
                }
                remote.add(t);
            }
        }
        Map<String, AclToken> local = new HashMap<>();
        for (AclToken t : acl.tokens(WatchSet.NONE, null, null, null).value()) {
            if (!t.local()) {
                local.put(t.accessorId(), t);
            }
        }
        Set<String> keep = new HashSet<>();
        remote.forEach(t -> keep.add(t.accessorId()));
        List<String> gone = new ArrayList<>();
        for (String id : local.keySet()) {
            if (!keep.contains(id) && !AclToken.ANONYMOUS_ID.equals(id)) {
                gone.add(id);
            }
        }
        if (!gone.isEmpty()) {
            gone.sort(null);
            submit("tokens", new Command.AclTokenDelete(gone));
        }
        for (AclToken t : remote) {
            AclToken mine = local.get(t.accessorId());
            if (mine == null || !mine.hash().equals(t.hash()) || t.hash().isEmpty()) {
                submit("token", new Command.AclTokenSet(t.withIndexes(0, 0), false));
            }
        }
        return list.index();
    }
}
