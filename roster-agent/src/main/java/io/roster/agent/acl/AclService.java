package io.roster.agent.acl;

import io.roster.api.AclLink;
import io.roster.api.AclNodeIdentity;
import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclServiceIdentity;
import io.roster.api.AclToken;
import io.roster.state.AclReads;
import io.roster.state.ApplyError;
import io.roster.state.ApplyResult;
import io.roster.state.Command;
import io.roster.state.Replicator;
import io.roster.state.WatchSet;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ACL writes, decided before the log as Consul's ACL endpoint does: IDs and secrets chosen,
 * times read from the clock, rules validated, policy and role names resolved to IDs, built-ins
 * protected; then one command to the replicator. Also the leader's duties: the built-in
 * {@code global-management} policy and {@code anonymous} token, the configured
 * {@code initial_management} token (which counts as the bootstrap), and the reaping of expired
 * tokens, each submitted as a command (apply never reads a clock).
 */
public final class AclService {
    private static final Logger LOG = LoggerFactory.getLogger(AclService.class);
    private static final io.roster.agent.util.RateLimitedLog FAILURES = new io.roster.agent.util.RateLimitedLog(
            LOG, org.slf4j.event.Level.WARN, java.time.Duration.ofSeconds(30));
    private static final Pattern UUID_RE = Pattern.compile("(?i)^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
    private static final Pattern POLICY_NAME = Pattern.compile("^[A-Za-z0-9\\-_]{1,128}$");
    private static final Pattern ROLE_NAME = Pattern.compile("^[A-Za-z0-9\\-_]{1,256}$");
    /** Consul's {@code acl_token_min_expiration_ttl} and {@code _max_} defaults. */
    static final Duration MIN_TTL = Duration.ofMinutes(1);
    static final Duration MAX_TTL = Duration.ofHours(24);
    static final String GLOBAL_MANAGEMENT_RULES = """
            acl = "write"
            agent_prefix "" {
              policy = "write"
            }
            event_prefix "" {
              policy = "write"
            }
            key_prefix "" {
              policy = "write"
            }
            keyring = "write"
            node_prefix "" {
              policy = "write"
            }
            operator = "write"
            mesh = "write"
            peering = "write"
            query_prefix "" {
              policy = "write"
            }
            service_prefix "" {
              policy = "write"
              intentions = "write"
            }
            session_prefix "" {
              policy = "write"
            }""";

    private final Replicator replicator;
    private final AclReads acl;
    private final AclResolver resolver;
    private final Clock clock;
    private final java.nio.file.Path dataDir;
    private final AtomicBoolean dutiesRunning = new AtomicBoolean();
    /** A secondary datacenter's server: the primary owns the initial management token (it arrives by replication). */
    private volatile boolean secondary;

    public AclService(Replicator replicator, AclResolver resolver, Clock clock, java.nio.file.Path dataDir) {
        this.replicator = replicator;
        this.acl = replicator.store().acl();
        this.resolver = resolver;
        this.clock = clock;
        this.dataDir = dataDir;
    }

    /** This server's datacenter is not the primary one: {@code initial_management} is the primary's to create. */
    public AclService secondary(boolean on) {
        this.secondary = on;
        return this;
    }

    public boolean isSecondary() {
        return secondary;
    }

    public AclReads reads() {
        return acl;
    }

    public AclResolver resolver() {
        return resolver;
    }

    private static String uuid() {
        return UUID.randomUUID().toString();
    }

    private String now() {
        return Instant.ofEpochMilli(clock.millis()).toString();
    }

    static String hash(Object... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Object p : parts) {
                md.update(String.valueOf(p).getBytes(StandardCharsets.UTF_8));
                md.update((byte) 0);
            }
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static AclError bad(String message) {
        return new AclError(400, message);
    }

    private static AclError invalid(String message) {
        return new AclError(500, message);
    }

    // ------------------------------------------------------------------ bootstrap

    /**
     * {@code PUT /v1/acl/bootstrap}: the first management token. Allowed again only when the
     * operator wrote the reset index Consul printed into {@code <data_dir>/acl-bootstrap-reset}.
     */
    public CompletableFuture<ApplyResult> bootstrap() {
        long reset = 0;
        if (dataDir != null) {
            java.nio.file.Path f = dataDir.resolve("acl-bootstrap-reset");
            try {
                if (java.nio.file.Files.exists(f)) {
                    reset = Long.parseLong(java.nio.file.Files.readString(f).strip());
                }
            } catch (java.io.IOException | NumberFormatException e) {
                LOG.warn("ignoring {}: {}", f, e.getMessage());
            }
        }
        AclToken boot = withHash(new AclToken(uuid(), uuid(), "Bootstrap Token (Global Management)",
                List.of(new AclLink(AclPolicy.GLOBAL_MANAGEMENT_ID, AclPolicy.GLOBAL_MANAGEMENT_NAME)), null, null, null, false,
                null, null, null, now(), null, 0, 0));
        long resetIndex = reset;
        return ensureBuiltins().thenCompose(x -> replicator.submit(new Command.AclBootstrap(boot, resetIndex)))
                .thenApply(r -> {
                    if (r instanceof ApplyError e && e.message().startsWith("ACL bootstrap no longer allowed")) {
                        throw new AclError(403, "Permission denied: " + e.message());
                    }
                    if (!(r instanceof ApplyError) && dataDir != null) {
                        try {
                            java.nio.file.Files.deleteIfExists(dataDir.resolve("acl-bootstrap-reset"));
                        } catch (java.io.IOException e) {
                            LOG.warn("cannot remove the acl-bootstrap-reset file: {}", e.getMessage());
                        }
                    }
                    return r;
                });
    }

    // ------------------------------------------------------------------ tokens

    /** A create ({@code accessorInUrl} null) or an update of the token named in the URL. */
    public CompletableFuture<ApplyResult> setToken(AclToken in, String accessorInUrl) {
        if (in == null) {
            in = new AclToken(null, null, null, null, null, null, null, false, null, null, null, null, null, 0, 0);
        }
        boolean update = accessorInUrl != null;
        String accessor = in.accessorId();
        if (update) {
            if (!accessor.isEmpty() && !accessor.equals(accessorInUrl)) {
                throw bad("Token Accessor ID in URL and payload do not match");
            }
            accessor = accessorInUrl;
        }
        AclToken existing = accessor.isEmpty() ? null : acl.token(WatchSet.NONE, accessor).value();
        if (update && existing == null) {
            throw invalid("Cannot find token \"" + accessor + "\"");
        }
        if (!update && !accessor.isEmpty()) {
            if (!UUID_RE.matcher(accessor).matches()) {
                throw invalid("Invalid Token: AccessorID is not a valid UUID");
            }
            if (existing != null) {
                throw invalid("Invalid Token: AccessorID is already in use");
            }
        }
        if (accessor.isEmpty()) {
            accessor = uuid();
        }
        String secret = in.secretId();
        if (update) {
            if (!secret.isEmpty() && !secret.equals(existing.secretId())) {
                throw invalid("Changing a tokens SecretID is not permitted");
            }
            secret = existing.secretId();
        } else if (secret.isEmpty()) {
            secret = uuid();
        } else {
            if (!UUID_RE.matcher(secret).matches()) {
                throw invalid("Invalid Token: SecretID is not a valid UUID");
            }
            if (acl.tokenBySecret(WatchSet.NONE, secret).value() != null) {
                throw invalid("Invalid Token: SecretID is already in use");
            }
        }
        String expiration = in.expirationTime();
        String ttl = in.expirationTtl();
        String created = update ? existing.createTime() : now();
        if (update) {
            if (!ttl.isEmpty() || (!expiration.isEmpty() && !expiration.equals(existing.expirationTime()))) {
                throw invalid("Cannot change expiration time of " + accessor);
            }
            expiration = existing.expirationTime();
        } else {
            if (!ttl.isEmpty() && !expiration.isEmpty()) {
                throw invalid("Token Expiration TTL and Expiration Time cannot both be set");
            }
            if (!ttl.isEmpty()) {
                Duration d;
                try {
                    d = io.roster.api.Durations.parse(ttl);
                } catch (IllegalArgumentException e) {
                    throw bad("Token decoding failed: invalid ExpirationTTL \"" + ttl + "\"");
                }
                if (d.isNegative() || d.isZero()) {
                    throw invalid("Token Expiration TTL '" + ttl + "' should be > 0");
                }
                if (d.compareTo(MIN_TTL) < 0 || d.compareTo(MAX_TTL) > 0) {
                    throw invalid("Token Expiration TTL '" + ttl + "' should be between 1m0s and 24h0m0s");
                }
                expiration = Instant.ofEpochMilli(clock.millis()).plus(d).toString();
            } else if (!expiration.isEmpty()) {
                Instant at;
                try {
                    at = Instant.parse(expiration);
                } catch (java.time.format.DateTimeParseException e) {
                    throw bad("Token decoding failed: invalid ExpirationTime \"" + expiration + "\"");
                }
                Instant now = clock.instant();
                if (at.isBefore(now.plus(MIN_TTL)) || at.isAfter(now.plus(MAX_TTL))) {
                    throw invalid("ExpirationTime cannot be before the current time plus 1m0s or after 24h0m0s");
                }
                expiration = at.toString();
            }
        }
        if (AclToken.ANONYMOUS_ID.equals(accessor) && in.local()) {
            throw invalid("Cannot modify the anonymous token's Local flag");
        }
        List<AclLink> policies = policyLinks(in.policies());
        List<AclLink> roles = roleLinks(in.roles());
        checkIdentities(in.serviceIdentities(), in.nodeIdentities());
        AclToken t = new AclToken(accessor, secret, in.description(), policies, roles, in.serviceIdentities(),
                in.nodeIdentities(), update ? existing.local() : in.local(), "", expiration, ttl, created, null, 0, 0);
        return replicator.submit(new Command.AclTokenSet(withHash(t), update));
    }

    private static AclToken withHash(AclToken t) {
        return new AclToken(t.accessorId(), t.secretId(), t.description(), t.policies(), t.roles(), t.serviceIdentities(),
                t.nodeIdentities(), t.local(), t.authMethod(), t.expirationTime(), "", t.createTime(),
                hash(t.policies(), t.roles(), t.serviceIdentities(), t.nodeIdentities(), t.local(), t.description()), 0, 0);
    }

    /** {@code PUT /v1/acl/token/<id>/clone}: a new accessor and secret, the same grants. */
    public CompletableFuture<ApplyResult> cloneToken(String accessor, String description) {
        AclToken t = acl.token(WatchSet.NONE, accessor).value();
        if (t == null) {
            throw AclError.notFound();
        }
        if (AclToken.ANONYMOUS_ID.equals(accessor)) {
            throw invalid("Cannot clone the anonymous token");
        }
        if (resolver.expired(t)) {
            throw AclError.notFound();
        }
        AclToken c = new AclToken(uuid(), uuid(), description == null || description.isEmpty() ? t.description() : description,
                t.policies(), t.roles(), t.serviceIdentities(), t.nodeIdentities(), t.local(), "", t.expirationTime(), null,
                now(), null, 0, 0);
        return replicator.submit(new Command.AclTokenSet(withHash(c), false));
    }

    public CompletableFuture<ApplyResult> deleteToken(String accessor) {
        if (AclToken.ANONYMOUS_ID.equals(accessor)) {
            throw invalid("Delete operation not permitted on the anonymous token");
        }
        if (acl.token(WatchSet.NONE, accessor).value() == null) {
            throw AclError.notFound();
        }
        return replicator.submit(new Command.AclTokenDelete(List.of(accessor))).thenApply(r -> ApplyResult.Bool.TRUE);
    }

    private List<AclLink> policyLinks(List<AclLink> in) {
        List<AclLink> out = new ArrayList<>();
        for (AclLink l : in) {
            AclPolicy p = !l.id().isEmpty() ? acl.policy(WatchSet.NONE, l.id()).value() : acl.policyByName(WatchSet.NONE, l.name()).value();
            if (p == null) {
                throw invalid(!l.id().isEmpty() ? "ACL policy ID '" + l.id() + "' not found"
                        : "ACL policy with name '" + l.name() + "' not found");
            }
            if (out.stream().noneMatch(x -> x.id().equals(p.id()))) {
                out.add(new AclLink(p.id(), p.name()));
            }
        }
        return out;
    }

    private List<AclLink> roleLinks(List<AclLink> in) {
        List<AclLink> out = new ArrayList<>();
        for (AclLink l : in) {
            AclRole r = !l.id().isEmpty() ? acl.role(WatchSet.NONE, l.id()).value() : acl.roleByName(WatchSet.NONE, l.name()).value();
            if (r == null) {
                throw invalid(!l.id().isEmpty() ? "ACL role ID '" + l.id() + "' not found"
                        : "ACL role with name '" + l.name() + "' not found");
            }
            if (out.stream().noneMatch(x -> x.id().equals(r.id()))) {
                out.add(new AclLink(r.id(), r.name()));
            }
        }
        return out;
    }

    private static void checkIdentities(List<AclServiceIdentity> services, List<AclNodeIdentity> nodes) {
        for (AclServiceIdentity s : services) {
            if (s.serviceName().isEmpty()) {
                throw invalid("Service identity is missing the service name field on this token");
            }
            if (!s.serviceName().matches("^[a-z0-9]([a-z0-9\\-_]*[a-z0-9])?$")) {
                throw invalid("Service identity \"" + s.serviceName() + "\" has an invalid name. Only lowercase alphanumeric characters, '-' and '_' are allowed");
            }
        }
        for (AclNodeIdentity n : nodes) {
            if (n.nodeName().isEmpty()) {
                throw invalid("Node identity is missing the node name field on this token");
            }
            if (n.datacenter().isEmpty()) {
                throw invalid("Node identity is missing the datacenter field on this token");
            }
        }
    }

    // ------------------------------------------------------------------ policies

    public CompletableFuture<ApplyResult> setPolicy(AclPolicy in, String idInUrl) {
        if (in == null) {
            throw bad("Policy decoding failed: empty body");
        }
        boolean update = idInUrl != null;
        String id = in.id();
        if (update) {
            if (!id.isEmpty() && !id.equals(idInUrl)) {
                throw bad("Policy ID in URL and payload do not match");
            }
            id = idInUrl;
        }
        AclPolicy existing = id.isEmpty() ? null : acl.policy(WatchSet.NONE, id).value();
        if (update && existing == null) {
            throw invalid("cannot find policy " + id);
        }
        if (!update && !id.isEmpty()) {
            throw bad("Cannot specify an ID in policy creation");
        }
        if (id.isEmpty()) {
            id = uuid();
        }
        if (in.name().isEmpty()) {
            throw invalid("Invalid Policy: no Name is set");
        }
        if (!POLICY_NAME.matcher(in.name()).matches()) {
            throw invalid("Invalid Policy: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
        }
        AclPolicy sameName = acl.policyByName(WatchSet.NONE, in.name()).value();
        if (sameName != null && !sameName.id().equals(id)) {
            throw invalid("Invalid Policy: A Policy with Name \"" + in.name() + "\" already exists");
        }
        if (AclPolicy.GLOBAL_MANAGEMENT_ID.equals(id)) {
            if (!in.name().equals(existing.name())) {
                throw invalid("Changing the Name for the builtin global-management policy is not permitted");
            }
            if (!in.rules().equals(existing.rules())) {
                throw invalid("Changing the Rules for the builtin global-management policy is not permitted");
            }
        }
        try {
            Rules.parse(in.rules());
        } catch (Rules.RuleException e) {
            throw invalid(e.getMessage());
        }
        AclPolicy p = new AclPolicy(id, in.name(), in.description(), in.rules(), in.datacenters(),
                hash(in.name(), in.rules(), in.datacenters()), 0, 0);
        return replicator.submit(new Command.AclPolicySet(p, update));
    }

    public CompletableFuture<ApplyResult> deletePolicy(String id) {
        if (AclPolicy.GLOBAL_MANAGEMENT_ID.equals(id)) {
            throw invalid("Delete operation not permitted on the builtin global-management policy");
        }
        if (acl.policy(WatchSet.NONE, id).value() == null) {
            throw AclError.notFound();
        }
        return replicator.submit(new Command.AclPolicyDelete(id));
    }

    // ------------------------------------------------------------------ roles

    public CompletableFuture<ApplyResult> setRole(AclRole in, String idInUrl) {
        if (in == null) {
            throw bad("Role decoding failed: empty body");
        }
        boolean update = idInUrl != null;
        String id = in.id();
        if (update) {
            if (!id.isEmpty() && !id.equals(idInUrl)) {
                throw bad("Role ID in URL and payload do not match");
            }
            id = idInUrl;
        }
        AclRole existing = id.isEmpty() ? null : acl.role(WatchSet.NONE, id).value();
        if (update && existing == null) {
            throw invalid("cannot find role " + id);
        }
        if (!update && !id.isEmpty()) {
            throw bad("Cannot specify an ID in role creation");
        }
        if (id.isEmpty()) {
            id = uuid();
        }
        if (in.name().isEmpty()) {
            throw invalid("Invalid Role: no Name is set");
        }
        if (!ROLE_NAME.matcher(in.name()).matches()) {
            throw invalid("Invalid Role: invalid Name. Only alphanumeric characters, '-' and '_' are allowed");
        }
        AclRole sameName = acl.roleByName(WatchSet.NONE, in.name()).value();
        if (sameName != null && !sameName.id().equals(id)) {
            throw invalid("Invalid Role: A Role with Name \"" + in.name() + "\" already exists");
        }
        List<AclLink> policies = policyLinks(in.policies());
        checkIdentities(in.serviceIdentities(), in.nodeIdentities());
        AclRole r = new AclRole(id, in.name(), in.description(), policies, in.serviceIdentities(), in.nodeIdentities(),
                hash(in.name(), policies, in.serviceIdentities(), in.nodeIdentities()), 0, 0);
        return replicator.submit(new Command.AclRoleSet(r, update));
    }

    public CompletableFuture<ApplyResult> deleteRole(String id) {
        if (acl.role(WatchSet.NONE, id).value() == null) {
            throw AclError.notFound();
        }
        return replicator.submit(new Command.AclRoleDelete(id));
    }

    // ------------------------------------------------------------------ leader duties

    /** The built-in policy and anonymous token, when missing (idempotent; a leader's first duty). */
    public CompletableFuture<ApplyResult> ensureBuiltins() {
        CompletableFuture<ApplyResult> f = CompletableFuture.completedFuture(ApplyResult.None.INSTANCE);
        if (acl.policy(WatchSet.NONE, AclPolicy.GLOBAL_MANAGEMENT_ID).value() == null) {
            AclPolicy gm = new AclPolicy(AclPolicy.GLOBAL_MANAGEMENT_ID, AclPolicy.GLOBAL_MANAGEMENT_NAME,
                    "Builtin Policy that grants unlimited access", GLOBAL_MANAGEMENT_RULES, null,
                    hash(AclPolicy.GLOBAL_MANAGEMENT_NAME, GLOBAL_MANAGEMENT_RULES, List.of()), 0, 0);
            f = f.thenCompose(x -> replicator.submit(new Command.AclPolicySet(gm, false)));
        }
        if (acl.token(WatchSet.NONE, AclToken.ANONYMOUS_ID).value() == null) {
            AclToken anon = withHash(new AclToken(AclToken.ANONYMOUS_ID, AclToken.ANONYMOUS_SECRET, "Anonymous Token", null,
                    null, null, null, false, null, null, null, now(), null, 0, 0));
            f = f.thenCompose(x -> replicator.submit(new Command.AclTokenSet(anon, false)));
        }
        return f;
    }

    /**
     * Run periodically on every server; acts only on the leader: built-ins, the configured
     * initial management token, and a delete of every token whose expiration time has passed.
     */
    public void leaderDuties() {
        if (!resolver.enabled() || !replicator.isLeader() || !dutiesRunning.compareAndSet(false, true)) {
            return;
        }
        try {
            CompletableFuture<ApplyResult> f = ensureBuiltins();
            String initial = resolver.settings().initialManagement();
            if (!secondary && !initial.isEmpty() && acl.tokenBySecret(WatchSet.NONE, initial).value() == null) {
                AclToken t = withHash(new AclToken(uuid(), initial, "Initial Management Token",
                        List.of(new AclLink(AclPolicy.GLOBAL_MANAGEMENT_ID, AclPolicy.GLOBAL_MANAGEMENT_NAME)), null, null, null,
                        false, null, null, null, now(), null, 0, 0));
                f = f.thenCompose(x -> replicator.submit(acl.bootstrapIndex() == 0 ? new Command.AclBootstrap(t, 0)
                        : new Command.AclTokenSet(t, false)));
            }
            List<String> expired = new ArrayList<>();
            for (AclToken t : acl.tokens(WatchSet.NONE, null, null, null).value()) {
                if (resolver.expired(t)) {
                    expired.add(t.accessorId());
                }
            }
            if (!expired.isEmpty()) {
                f = f.thenCompose(x -> replicator.submit(new Command.AclTokenDelete(expired)));
                LOG.info("reaping {} expired ACL token(s)", expired.size());
            }
            // Bounded: a write that never completes (a leader deposed mid-way) must not stop the duties for good.
            f.orTimeout(10, java.util.concurrent.TimeUnit.SECONDS).whenComplete((r, e) -> {
                dutiesRunning.set(false);
                if (e != null) {
                    FAILURES.log("ACL leader duties failed (retrying every second): {}", e.toString());
                }
            });
        } catch (RuntimeException e) {
            dutiesRunning.set(false);
            FAILURES.log("ACL leader duties failed (retrying every second): {}", e.toString());
        }
    }
}
