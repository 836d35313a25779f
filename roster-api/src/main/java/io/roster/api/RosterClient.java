package io.roster.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small typed client for Roster's (and Consul's) HTTP API v1: KV, sessions, transactions,
 * status, catalog, agent and health, with blocking queries. Thread-safe; one instance per agent address.
 *
 * <pre>{@code
 * RosterClient c = RosterClient.create("http://127.0.0.1:8500");
 * c.kv().put("config/db/url", "jdbc:...".getBytes());
 * QueryResult<Optional<KvPair>> r = c.kv().get("config/db/url", QueryOptions.DEFAULT);
 * }</pre>
 */
public final class RosterClient {
    private final URI base;
    private final HttpClient http;
    private final String token;
    private final Kv kv = new Kv();
    private final Sessions sessions = new Sessions();
    private final Status status = new Status();
    private final Catalog catalog = new Catalog();
    private final Agent agent = new Agent();
    private final Health health = new Health();
    private final Snapshots snapshots = new Snapshots();
    private final Operator operator = new Operator();
    private final Events events = new Events();
    private final Acl acl = new Acl();

    private RosterClient(URI base, String token, javax.net.ssl.SSLContext tls) {
        this.base = base;
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5));
        if (tls != null) {
            b.sslContext(tls);
        }
        this.http = b.build();
    }

    /** A client for the agent at {@code address} ({@code http://host:port} or {@code host:port}). */
    public static RosterClient create(String address) {
        return create(address, null);
    }

    /** A client that sends {@code token} in {@code X-Consul-Token} with every request. */
    public static RosterClient create(String address, String token) {
        return create(address, token, null);
    }

    /**
     * A client for an {@code https://} address with {@code tls} (its trust and, for agents with
     * {@code verify_incoming}, its client certificate); null uses the JDK's default trust.
     */
    public static RosterClient create(String address, String token, javax.net.ssl.SSLContext tls) {
        String a = address.contains("://") ? address : "http://" + address;
        if (a.endsWith("/")) {
            a = a.substring(0, a.length() - 1);
        }
        return new RosterClient(URI.create(a), token, tls);
    }

    /** The agent's base address. */
    public URI address() {
        return base;
    }

    public Kv kv() {
        return kv;
    }

    public Sessions session() {
        return sessions;
    }

    public Status status() {
        return status;
    }

    /** {@code /v1/catalog}: datacenters, nodes, services. */
    public Catalog catalog() {
        return catalog;
    }

    /** {@code /v1/agent}: the agent this client talks to (self, members, local services, maintenance, reload). */
    public Agent agent() {
        return agent;
    }

    /** {@code /v1/health}: service instances with their checks, and checks by service or state. */
    public Health health() {
        return health;
    }

    /** {@code /v1/snapshot}: save and restore the whole state, in Roster's snapshot format. */
    public Snapshots snapshot() {
        return snapshots;
    }

    /** {@code /v1/operator}: the Raft configuration. */
    public Operator operator() {
        return operator;
    }

    /**
     * Runs a transaction. Returns the response for both outcomes: committed (errors null) and
     * rolled back (HTTP 409, errors set).
     */
    public TxnResponse txn(List<TxnOp> ops) {
        Answer a = send("PUT", "/v1/txn", Map.of(), Json.write(ops), null);
        if (a.status != 200 && a.status != 409) {
            throw a.error();
        }
        return a.json(new TypeReference<TxnResponse>() { });
    }

    /** The KV store. */
    public final class Kv {
        /** Reads one key; empty when it does not exist (HTTP 404, still with an index). */
        public QueryResult<Optional<KvPair>> get(String key, QueryOptions opts) {
            Answer a = send("GET", "/v1/kv/" + encodeKey(key), query(opts), null, opts);
            if (a.status == 404) {
                return a.meta(Optional.empty());
            }
            a.requireOk();
            List<KvPair> list = a.json(new TypeReference<List<KvPair>>() { });
            return a.meta(list.isEmpty() ? Optional.empty() : Optional.of(list.get(0)));
        }

        /**
         * The last versions of one key, newest first ({@code ?history}, a Roster extension): empty
         * when the key never had one (HTTP 404).
         */
        public QueryResult<List<KvVersion>> history(String key, QueryOptions opts) {
            Map<String, String> q = query(opts);
            q.put("history", "");
            Answer a = send("GET", "/v1/kv/" + encodeKey(key), q, null, opts);
            if (a.status == 404) {
                return a.meta(List.of());
            }
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<KvVersion>>() { }));
        }

        /** Reads every key under {@code prefix} ({@code ?recurse}). */
        public QueryResult<List<KvPair>> list(String prefix, QueryOptions opts) {
            Map<String, String> q = query(opts);
            q.put("recurse", "");
            Answer a = send("GET", "/v1/kv/" + encodeKey(prefix), q, null, opts);
            if (a.status == 404) {
                return a.meta(List.of());
            }
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<KvPair>>() { }));
        }

        /** Lists key names under {@code prefix}, folded at {@code separator} when it is not null. */
        public QueryResult<List<String>> keys(String prefix, String separator, QueryOptions opts) {
            Map<String, String> q = query(opts);
            q.put("keys", "");
            if (separator != null) {
                q.put("separator", separator);
            }
            Answer a = send("GET", "/v1/kv/" + encodeKey(prefix), q, null, opts);
            if (a.status == 404) {
                return a.meta(List.of());
            }
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<String>>() { }));
        }

        /** Writes a key unconditionally. */
        public boolean put(String key, byte[] value) {
            return put(key, value, Map.of());
        }

        /**
         * Writes a key with Consul's put parameters: {@code flags}, {@code cas}, {@code acquire},
         * {@code release}. Returns Consul's {@code true}/{@code false}.
         */
        public boolean put(String key, byte[] value, Map<String, String> params) {
            Answer a = send("PUT", "/v1/kv/" + encodeKey(key), new LinkedHashMap<>(params), value, null);
            a.requireOk();
            return a.json(new TypeReference<Boolean>() { });
        }

        /** Deletes one key. */
        public boolean delete(String key) {
            return delete(key, Map.of());
        }

        /** Deletes with parameters: {@code recurse} for a tree, {@code cas} for a check-and-delete. */
        public boolean delete(String key, Map<String, String> params) {
            Answer a = send("DELETE", "/v1/kv/" + encodeKey(key), new LinkedHashMap<>(params), null, null);
            a.requireOk();
            return a.json(new TypeReference<Boolean>() { });
        }

        /** Deletes every key under {@code prefix}. */
        public boolean deleteTree(String prefix) {
            return delete(prefix, Map.of("recurse", ""));
        }
    }

    /** Sessions. */
    public final class Sessions {
        /**
         * Creates a session from a body of Consul's fields ({@code Name}, {@code TTL},
         * {@code LockDelay}, {@code Behavior}, {@code Node}, {@code NodeChecks}...). Returns its ID.
         */
        public String create(Map<String, Object> body) {
            Answer a = send("PUT", "/v1/session/create", Map.of(), Json.write(body), null);
            a.requireOk();
            return a.json(new TypeReference<Map<String, String>>() { }).get("ID");
        }

        public boolean destroy(String id) {
            Answer a = send("PUT", "/v1/session/destroy/" + id, Map.of(), null, null);
            a.requireOk();
            return a.json(new TypeReference<Boolean>() { });
        }

        public QueryResult<Optional<SessionEntry>> info(String id, QueryOptions opts) {
            Answer a = send("GET", "/v1/session/info/" + id, query(opts), null, opts);
            a.requireOk();
            List<SessionEntry> list = a.json(new TypeReference<List<SessionEntry>>() { });
            return a.meta(list == null || list.isEmpty() ? Optional.empty() : Optional.of(list.get(0)));
        }

        public QueryResult<List<SessionEntry>> list(QueryOptions opts) {
            Answer a = send("GET", "/v1/session/list", query(opts), null, opts);
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<SessionEntry>>() { }));
        }

        public QueryResult<List<SessionEntry>> node(String node, QueryOptions opts) {
            Answer a = send("GET", "/v1/session/node/" + node, query(opts), null, opts);
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<SessionEntry>>() { }));
        }

        /** Renews a TTL session; empty when the session no longer exists (HTTP 404). */
        public Optional<SessionEntry> renew(String id) {
            Answer a = send("PUT", "/v1/session/renew/" + id, Map.of(), null, null);
            if (a.status == 404) {
                return Optional.empty();
            }
            a.requireOk();
            List<SessionEntry> list = a.json(new TypeReference<List<SessionEntry>>() { });
            return list.isEmpty() ? Optional.empty() : Optional.of(list.get(0));
        }
    }

    /** {@code /v1/status}. */
    public final class Status {
        public String leader() {
            Answer a = send("GET", "/v1/status/leader", Map.of(), null, null);
            a.requireOk();
            return a.json(new TypeReference<String>() { });
        }

        public List<String> peers() {
            Answer a = send("GET", "/v1/status/peers", Map.of(), null, null);
            a.requireOk();
            return a.json(new TypeReference<List<String>>() { });
        }
    }

    /** {@code /v1/catalog}. */
    public final class Catalog {
        /** Every known datacenter. */
        public List<String> datacenters() {
            Answer a = send("GET", "/v1/catalog/datacenters", Map.of(), null, null);
            a.requireOk();
            return a.json(new TypeReference<List<String>>() { });
        }

        /** The nodes, keeping those whose meta has every {@code nodeMeta} pair. */
        public QueryResult<List<Node>> nodes(Map<String, String> nodeMeta, QueryOptions opts) {
            Answer a = send("GET", "/v1/catalog/nodes", params(opts, List.of(), nodeMeta), null, opts);
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<Node>>() { }));
        }

        /** Service names with the union of their tags, on nodes whose meta has every {@code nodeMeta} pair. */
        public QueryResult<Map<String, List<String>>> services(Map<String, String> nodeMeta, QueryOptions opts) {
            Answer a = send("GET", "/v1/catalog/services", params(opts, List.of(), nodeMeta), null, opts);
            a.requireOk();
            return a.meta(a.json(new TypeReference<Map<String, List<String>>>() { }));
        }

        /** The instances of service {@code name} that carry every tag in {@code tags}. */
        public QueryResult<List<CatalogService>> service(String name, List<String> tags, Map<String, String> nodeMeta,
                                                         QueryOptions opts) {
            Answer a = send("GET", "/v1/catalog/service/" + encodeKey(name), params(opts, tags, nodeMeta), null, opts);
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<CatalogService>>() { }));
        }

        /** {@code PUT /v1/catalog/register}: a node, and optionally a service and checks of it. */
        public void register(CatalogRegistration registration) {
            send("PUT", "/v1/catalog/register", Map.of(), body(registration), null).requireOk();
        }

        /** {@code PUT /v1/catalog/deregister}: a whole node, one service, or one check. */
        public void deregister(CatalogDeregistration deregistration) {
            send("PUT", "/v1/catalog/deregister", Map.of(), body(deregistration), null).requireOk();
        }

        /** A node and its services; empty when the node is not in the catalog. */
        public QueryResult<Optional<CatalogNode>> node(String node, QueryOptions opts) {
            Answer a = send("GET", "/v1/catalog/node/" + encodeKey(node), params(opts, List.of(), Map.of()), null, opts);
            a.requireOk();
            return a.meta(Optional.ofNullable(a.json(new TypeReference<CatalogNode>() { })));
        }
    }

    /** The answer of {@code /v1/catalog/node/<node>}: the node, and its services by ID. */
    public record CatalogNode(@JsonProperty("Node") Node node, @JsonProperty("Services") Map<String, NodeService> services) {
        public CatalogNode {
            services = services == null ? Map.of() : services;
        }
    }

    /** {@code /v1/snapshot}. */
    public final class Snapshots {
        /**
         * The whole state as the agent writes it ({@code GET /v1/snapshot}), with the index it was
         * taken at ({@code X-Consul-Index}). {@code opts} may ask for {@code stale} and a datacenter.
         */
        public QueryResult<byte[]> save(QueryOptions opts) {
            Answer a = send("GET", "/v1/snapshot", query(opts), null, null);
            a.requireOk();
            return a.meta(a.body);
        }

        /** Replaces the whole state with {@code snapshot} ({@code PUT /v1/snapshot}). */
        public void restore(byte[] snapshot, Map<String, String> params) {
            Answer a = send("PUT", "/v1/snapshot", params == null ? Map.of() : params, snapshot, null);
            a.requireOk();
        }
    }

    /** {@code /v1/operator}. */
    public final class Operator {
        /** {@code GET /v1/operator/raft/configuration}: the Raft peers and which one leads. */
        public RaftConfiguration raftConfiguration(QueryOptions opts) {
            Answer a = send("GET", "/v1/operator/raft/configuration", query(opts), null, null);
            a.requireOk();
            return a.json(new TypeReference<RaftConfiguration>() { });
        }

        /** {@code DELETE /v1/operator/raft/peer}: removes a server by its address ({@code host:port}) or, with {@code byId}, its ID. */
        /** {@code GET /v1/operator/keyring}: each pool's keys and how many nodes hold each. */
        public List<KeyringResponse> keyringList() {
            Answer a = send("GET", "/v1/operator/keyring", Map.of(), null, null);
            a.requireOk();
            return a.json(new TypeReference<List<KeyringResponse>>() { });
        }

        /** {@code POST /v1/operator/keyring}: installs a new gossip key on every member. */
        public void keyringInstall(String key) {
            send("POST", "/v1/operator/keyring", Map.of(), body(Map.of("Key", key)), null).requireOk();
        }

        /** {@code PUT /v1/operator/keyring}: makes an installed key the primary (encrypting) key everywhere. */
        public void keyringUse(String key) {
            send("PUT", "/v1/operator/keyring", Map.of(), body(Map.of("Key", key)), null).requireOk();
        }

        /** {@code DELETE /v1/operator/keyring}: removes a key from every member (not the primary). */
        public void keyringRemove(String key) {
            send("DELETE", "/v1/operator/keyring", Map.of(), body(Map.of("Key", key)), null).requireOk();
        }

        public void raftRemovePeer(String addressOrId, boolean byId) {
            send("DELETE", "/v1/operator/raft/peer", Map.of(byId ? "id" : "address", addressOrId), null, null).requireOk();
        }
    }

    /** The Raft configuration: its servers and the index it was read at. */
    public record RaftConfiguration(@JsonProperty("Servers") List<RaftServer> servers, @JsonProperty("Index") long index) {
        public RaftConfiguration {
            servers = servers == null ? List.of() : servers;
        }
    }

    /** A Raft peer as {@code /v1/operator/raft/configuration} shows it. */
    public record RaftServer(@JsonProperty("ID") String id,
                             @JsonProperty("Node") String node,
                             @JsonProperty("Address") String address,
                             @JsonProperty("Leader") boolean leader,
                             @JsonProperty("Voter") boolean voter,
                             @JsonProperty("ProtocolVersion") String protocolVersion) {
    }

    /** A gossip pool member as {@code /v1/agent/members} shows it; {@code Status} is serf's (1 alive ... 4 failed). */
    public record Member(@JsonProperty("Name") String name,
                         @JsonProperty("Addr") String addr,
                         @JsonProperty("Port") int port,
                         @JsonProperty("Tags") Map<String, String> tags,
                         @JsonProperty("Status") int status,
                         @JsonProperty("ProtocolMin") int protocolMin,
                         @JsonProperty("ProtocolMax") int protocolMax,
                         @JsonProperty("ProtocolCur") int protocolCur,
                         @JsonProperty("DelegateMin") int delegateMin,
                         @JsonProperty("DelegateMax") int delegateMax,
                         @JsonProperty("DelegateCur") int delegateCur) {
        public Member {
            tags = tags == null ? Map.of() : tags;
        }
    }

    /** {@code /v1/agent}: the agent this client talks to. */
    public final class Agent {
        /** {@code /v1/agent/self}: {@code Config}, {@code DebugConfig}, {@code Member}, {@code Stats}, ... */
        public JsonNode self() {
            return getJson("/v1/agent/self");
        }

        /** The agent's node name ({@code Config.NodeName} of {@code /v1/agent/self}). */
        public String nodeName() {
            return self().path("Config").path("NodeName").asText("");
        }

        /** The members of the LAN gossip pool (or the WAN pool of servers when {@code wan}). */
        public List<Member> members(boolean wan) {
            Answer a = send("GET", "/v1/agent/members", wan ? Map.of("wan", "1") : Map.of(), null, null);
            a.requireOk();
            return a.json(new TypeReference<List<Member>>() { });
        }

        /** {@code PUT /v1/agent/join/<address>}: the agent joins the LAN gossip pool through {@code address} (host or host:port). */
        public void join(String address) {
            join(address, false);
        }

        /** {@code PUT /v1/agent/join/<address>[?wan=1]}: with {@code wan}, a server joins the WAN pool (port 8302). */
        public void join(String address, boolean wan) {
            send("PUT", "/v1/agent/join/" + encodeKey(address), wan ? Map.of("wan", "1") : Map.of(), null, null).requireOk();
        }

        /** {@code PUT /v1/agent/force-leave/<node>}: marks a member as left; with {@code prune}, forgets it at once. */
        public void forceLeave(String node, boolean prune) {
            forceLeave(node, prune, false);
        }

        /** The same; with {@code wan}, in the WAN pool (members named {@code <node>.<dc>}). */
        public void forceLeave(String node, boolean prune, boolean wan) {
            Map<String, String> q = new java.util.LinkedHashMap<>();
            if (prune) {
                q.put("prune", "");
            }
            if (wan) {
                q.put("wan", "1");
            }
            send("PUT", "/v1/agent/force-leave/" + encodeKey(node), q, null, null).requireOk();
        }

        /** Asks the agent to read its configuration files again. */
        public void reload() {
            send("PUT", "/v1/agent/reload", Map.of(), null, null).requireOk();
        }

        /** {@code PUT /v1/agent/leave}: a graceful leave; the agent stops afterwards. */
        public void leave() {
            send("PUT", "/v1/agent/leave", Map.of(), null, null).requireOk();
        }

        /** The services registered with this agent, by ID. */
        public Map<String, NodeService> services() {
            Answer a = send("GET", "/v1/agent/services", Map.of(), null, null);
            a.requireOk();
            return a.json(new TypeReference<Map<String, NodeService>>() { });
        }

        /** The checks of this agent, by ID. */
        public Map<String, HealthCheck> checks() {
            Answer a = send("GET", "/v1/agent/checks", Map.of(), null, null);
            a.requireOk();
            return a.json(new TypeReference<Map<String, HealthCheck>>() { });
        }

        /** Registers (or replaces) a service on this agent. */
        public void serviceRegister(ServiceDefinition service) {
            send("PUT", "/v1/agent/service/register", Map.of(), Json.write(service), null).requireOk();
        }

        /** Removes a service (and its checks) from this agent; the ID may contain {@code /}. */
        public void serviceDeregister(String serviceId) {
            send("PUT", "/v1/agent/service/deregister/" + encodeKey(serviceId), Map.of(), null, null).requireOk();
        }

        /** Puts the whole node in maintenance mode; {@code reason} (may be null) goes to the check's Notes. */
        public void enableNodeMaintenance(String reason) {
            send("PUT", "/v1/agent/maintenance", maintenance(true, reason), null, null).requireOk();
        }

        /** Takes the node out of maintenance mode. */
        public void disableNodeMaintenance() {
            send("PUT", "/v1/agent/maintenance", maintenance(false, null), null, null).requireOk();
        }

        /** Puts one service of this agent in maintenance mode. */
        public void enableServiceMaintenance(String serviceId, String reason) {
            send("PUT", "/v1/agent/service/maintenance/" + encodeKey(serviceId), maintenance(true, reason), null, null)
                    .requireOk();
        }

        /** Takes one service of this agent out of maintenance mode. */
        public void disableServiceMaintenance(String serviceId) {
            send("PUT", "/v1/agent/service/maintenance/" + encodeKey(serviceId), maintenance(false, null), null, null)
                    .requireOk();
        }

        private static Map<String, String> maintenance(boolean enable, String reason) {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("enable", Boolean.toString(enable));
            if (reason != null && !reason.isEmpty()) {
                q.put("reason", reason);
            }
            return q;
        }
    }

    /** {@code /v1/health}. */
    public final class Health {
        /** Instances of service {@code name} with their node and checks; only all-passing ones when {@code passingOnly}. */
        public QueryResult<List<ServiceEntry>> service(String name, List<String> tags, boolean passingOnly, QueryOptions opts) {
            List<Map.Entry<String, String>> q = params(opts, tags, Map.of());
            if (passingOnly) {
                q.add(Map.entry("passing", ""));
            }
            Answer a = send("GET", "/v1/health/service/" + encodeKey(name), q, null, opts);
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<ServiceEntry>>() { }));
        }

        /** The checks of node {@code node} (its node-level checks and those of its services). */
        public QueryResult<List<HealthCheck>> node(String node, QueryOptions opts) {
            Answer a = send("GET", "/v1/health/node/" + encodeKey(node), params(opts, List.of(), Map.of()), null, opts);
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<HealthCheck>>() { }));
        }

        /** The checks of every instance of service {@code name}. */
        public QueryResult<List<HealthCheck>> checks(String name, QueryOptions opts) {
            Answer a = send("GET", "/v1/health/checks/" + encodeKey(name), params(opts, List.of(), Map.of()), null, opts);
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<HealthCheck>>() { }));
        }

        /** The checks in {@code state}: {@code any}, {@code passing}, {@code warning} or {@code critical}. */
        public QueryResult<List<HealthCheck>> state(String state, QueryOptions opts) {
            Answer a = send("GET", "/v1/health/state/" + encodeKey(state), params(opts, List.of(), Map.of()), null, opts);
            a.requireOk();
            return a.meta(a.json(new TypeReference<List<HealthCheck>>() { }));
        }
    }

    /** A read's parameters: the query options, then one {@code tag} per tag and one {@code node-meta=k:v} per pair. */
    private static List<Map.Entry<String, String>> params(QueryOptions opts, List<String> tags, Map<String, String> nodeMeta) {
        List<Map.Entry<String, String>> q = new ArrayList<>(query(opts).entrySet());
        for (String t : tags == null ? List.<String>of() : tags) {
            q.add(Map.entry("tag", t));
        }
        if (nodeMeta != null) {
            nodeMeta.forEach((k, v) -> q.add(Map.entry("node-meta", k + ":" + v)));
        }
        return q;
    }

    /** {@code /v1/acl} and {@code /v1/agent/token}: ACL tokens, policies and roles. */
    public Acl acl() {
        return acl;
    }

    /**
     * The ACL endpoints, as Consul's api package calls them. Tokens, policies and roles are sent
     * with only the fields that are set (an empty ID asks the server to generate one); reads answer
     * empty for a 404. Secrets are never part of an exception's text.
     */
    public final class Acl {
        /** {@code PUT /v1/acl/bootstrap}: the initial management token, once; 403 after (with the reset index in the message). */
        public AclToken bootstrap() {
            Answer a = send("PUT", "/v1/acl/bootstrap", Map.of(), null, null);
            a.requireOk();
            return a.json(new TypeReference<AclToken>() { });
        }

        /** {@code PUT /v1/acl/token}: creates a token; the answer carries its AccessorID and SecretID. */
        public AclToken tokenCreate(AclToken token) {
            return tokenWrite("/v1/acl/token", token);
        }

        /** {@code PUT /v1/acl/token/<AccessorID>}: replaces the token's policies, roles, identities and description. */
        public AclToken tokenUpdate(AclToken token) {
            return tokenWrite("/v1/acl/token/" + encodeKey(token.accessorId()), token);
        }

        private AclToken tokenWrite(String path, AclToken token) {
            Answer a = send("PUT", path, Map.of(), aclBody(token), null);
            a.requireOk();
            return a.json(new TypeReference<AclToken>() { });
        }

        /** {@code PUT /v1/acl/token/<AccessorID>/clone}: a new token with the same links; {@code description} null keeps the original's. */
        public AclToken tokenClone(String accessorId, String description) {
            Map<String, Object> body = new LinkedHashMap<>();
            if (description != null && !description.isEmpty()) {
                body.put("Description", description);
            }
            Answer a = send("PUT", "/v1/acl/token/" + encodeKey(accessorId) + "/clone", Map.of(), Json.write(body), null);
            a.requireOk();
            return a.json(new TypeReference<AclToken>() { });
        }

        /** {@code GET /v1/acl/token/<AccessorID>}; empty when there is no such token. */
        public Optional<AclToken> tokenRead(String accessorId, QueryOptions opts) {
            return optional(send("GET", "/v1/acl/token/" + encodeKey(accessorId), query(opts), null, opts), new TypeReference<AclToken>() { });
        }

        /** {@code GET /v1/acl/token/self}: the token this client sends. */
        public AclToken tokenReadSelf(QueryOptions opts) {
            Answer a = send("GET", "/v1/acl/token/self", query(opts), null, opts);
            a.requireOk();
            return a.json(new TypeReference<AclToken>() { });
        }

        /** {@code DELETE /v1/acl/token/<AccessorID>}. */
        public boolean tokenDelete(String accessorId) {
            return deleted(send("DELETE", "/v1/acl/token/" + encodeKey(accessorId), Map.of(), null, null));
        }

        /** {@code GET /v1/acl/tokens}, with the {@code policy}, {@code role} and {@code authmethod} filters (null: none). */
        public List<AclToken> tokenList(String policy, String role, String authMethod, QueryOptions opts) {
            Map<String, String> q = query(opts);
            if (policy != null && !policy.isEmpty()) {
                q.put("policy", policy);
            }
            if (role != null && !role.isEmpty()) {
                q.put("role", role);
            }
            if (authMethod != null && !authMethod.isEmpty()) {
                q.put("authmethod", authMethod);
            }
            Answer a = send("GET", "/v1/acl/tokens", q, null, opts);
            a.requireOk();
            return a.json(new TypeReference<List<AclToken>>() { });
        }

        /** {@code PUT /v1/acl/policy}. */
        public AclPolicy policyCreate(AclPolicy policy) {
            Answer a = send("PUT", "/v1/acl/policy", Map.of(), aclBody(policy), null);
            a.requireOk();
            return a.json(new TypeReference<AclPolicy>() { });
        }

        /** {@code PUT /v1/acl/policy/<ID>}: replaces the policy. */
        public AclPolicy policyUpdate(AclPolicy policy) {
            Answer a = send("PUT", "/v1/acl/policy/" + encodeKey(policy.id()), Map.of(), aclBody(policy), null);
            a.requireOk();
            return a.json(new TypeReference<AclPolicy>() { });
        }

        /** {@code GET /v1/acl/policy/<ID>}; empty when there is none. */
        public Optional<AclPolicy> policyRead(String id, QueryOptions opts) {
            return optional(send("GET", "/v1/acl/policy/" + encodeKey(id), query(opts), null, opts), new TypeReference<AclPolicy>() { });
        }

        /** {@code GET /v1/acl/policy/name/<name>}; empty when there is none. */
        public Optional<AclPolicy> policyReadByName(String name, QueryOptions opts) {
            return optional(send("GET", "/v1/acl/policy/name/" + encodeKey(name), query(opts), null, opts), new TypeReference<AclPolicy>() { });
        }

        /** {@code DELETE /v1/acl/policy/<ID>}. */
        public boolean policyDelete(String id) {
            return deleted(send("DELETE", "/v1/acl/policy/" + encodeKey(id), Map.of(), null, null));
        }

        /** {@code GET /v1/acl/policies}: every policy without its rules. */
        public List<AclPolicy.Stub> policyList(QueryOptions opts) {
            Answer a = send("GET", "/v1/acl/policies", query(opts), null, opts);
            a.requireOk();
            return a.json(new TypeReference<List<AclPolicy.Stub>>() { });
        }

        /** {@code PUT /v1/acl/role}. */
        public AclRole roleCreate(AclRole role) {
            Answer a = send("PUT", "/v1/acl/role", Map.of(), aclBody(role), null);
            a.requireOk();
            return a.json(new TypeReference<AclRole>() { });
        }

        /** {@code PUT /v1/acl/role/<ID>}: replaces the role. */
        public AclRole roleUpdate(AclRole role) {
            Answer a = send("PUT", "/v1/acl/role/" + encodeKey(role.id()), Map.of(), aclBody(role), null);
            a.requireOk();
            return a.json(new TypeReference<AclRole>() { });
        }

        /** {@code GET /v1/acl/role/<ID>}; empty when there is none. */
        public Optional<AclRole> roleRead(String id, QueryOptions opts) {
            return optional(send("GET", "/v1/acl/role/" + encodeKey(id), query(opts), null, opts), new TypeReference<AclRole>() { });
        }

        /** {@code GET /v1/acl/role/name/<name>}; empty when there is none. */
        public Optional<AclRole> roleReadByName(String name, QueryOptions opts) {
            return optional(send("GET", "/v1/acl/role/name/" + encodeKey(name), query(opts), null, opts), new TypeReference<AclRole>() { });
        }

        /** {@code DELETE /v1/acl/role/<ID>}. */
        public boolean roleDelete(String id) {
            return deleted(send("DELETE", "/v1/acl/role/" + encodeKey(id), Map.of(), null, null));
        }

        /** {@code GET /v1/acl/roles}, optionally only those linking {@code policy}. */
        public List<AclRole> roleList(String policy, QueryOptions opts) {
            Map<String, String> q = query(opts);
            if (policy != null && !policy.isEmpty()) {
                q.put("policy", policy);
            }
            Answer a = send("GET", "/v1/acl/roles", q, null, opts);
            a.requireOk();
            return a.json(new TypeReference<List<AclRole>>() { });
        }

        /**
         * {@code PUT /v1/agent/token/<kind>} ({@code default}, {@code agent}, {@code agent_recovery},
         * {@code replication}, {@code config_file_service_registration}): sets one of this agent's tokens.
         */
        public void setAgentToken(String kind, String token) {
            Answer a = send("PUT", "/v1/agent/token/" + encodeKey(kind), Map.of(), Json.write(Map.of("Token", token)), null);
            a.requireOk();
        }

        private <T> Optional<T> optional(Answer a, TypeReference<T> type) {
            if (a.status == 404) {
                return Optional.empty();
            }
            a.requireOk();
            T v = a.json(type);
            return Optional.ofNullable(v);
        }

        private boolean deleted(Answer a) {
            a.requireOk();
            return a.body.length == 0 || Boolean.TRUE.equals(a.json(new TypeReference<Boolean>() { }));
        }
    }

    /**
     * An ACL object as a request body: only the fields that are set. Empty strings, the indexes and
     * the hash are the server's to fill in; lists are kept (an empty list clears on update).
     */
    static byte[] aclBody(Object value) {
        com.fasterxml.jackson.databind.node.ObjectNode n = Json.mapper().valueToTree(value);
        List<String> drop = new ArrayList<>();
        n.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v.isNull() || (v.isTextual() && v.asText().isEmpty()) || e.getKey().equals("Hash")
                    || e.getKey().equals("CreateIndex") || e.getKey().equals("ModifyIndex")) {
                drop.add(e.getKey());
            }
        });
        n.remove(drop);
        return Json.write(n);
    }

    /** {@code /v1/event}: user events. */
    public Events event() {
        return events;
    }

    public final class Events {
        /**
         * {@code PUT /v1/event/fire/<name>}: fires a user event to every agent; {@code node},
         * {@code service} and {@code tag} are regular expressions each receiving agent matches
         * against itself (null or empty: no filter). Returns the event as the agent answered it.
         */
        public UserEvent fire(String name, byte[] payload, String node, String service, String tag) {
            Map<String, String> q = new LinkedHashMap<>();
            if (node != null && !node.isEmpty()) {
                q.put("node", node);
            }
            if (service != null && !service.isEmpty()) {
                q.put("service", service);
            }
            if (tag != null && !tag.isEmpty()) {
                q.put("tag", tag);
            }
            Answer a = send("PUT", "/v1/event/fire/" + encodeKey(name), q, payload == null ? new byte[0] : payload, null);
            a.requireOk();
            return a.json(new TypeReference<UserEvent>() { });
        }

        /**
         * {@code GET /v1/event/list}: the most recent events this agent received, oldest first, with
         * {@code name} (null: all); blocks like any read when {@code opts} has an index.
         */
        public QueryResult<List<UserEvent>> list(String name, QueryOptions opts) {
            List<Map.Entry<String, String>> q = new ArrayList<>();
            if (opts != null && opts.index() != 0) {
                q.add(Map.entry("index", Long.toUnsignedString(opts.index())));
            }
            if (opts != null && opts.maxWait() != null) {
                q.add(Map.entry("wait", opts.maxWait().toMillis() + "ms"));
            }
            if (name != null && !name.isEmpty()) {
                q.add(Map.entry("name", name));
            }
            Answer a = send("GET", "/v1/event/list", q, null, opts);
            a.requireOk();
            List<UserEvent> list = a.json(new TypeReference<List<UserEvent>>() { });
            long index = a.response.headers().firstValue("X-Consul-Index").map(Long::parseUnsignedLong).orElse(0L);
            return new QueryResult<>(list, index, true, 0);
        }
    }

    /** A user event as {@code /v1/event/fire} and {@code /v1/event/list} show it; {@code Payload} is base64 in JSON. */
    public record UserEvent(@JsonProperty("ID") String id,
                            @JsonProperty("Name") String name,
                            @JsonProperty("Payload") byte[] payload,
                            @JsonProperty("NodeFilter") String nodeFilter,
                            @JsonProperty("ServiceFilter") String serviceFilter,
                            @JsonProperty("TagFilter") String tagFilter,
                            @JsonProperty("Version") int version,
                            @JsonProperty("LTime") long ltime) {
    }

    /** One pool's view of the gossip keyring ({@code GET /v1/operator/keyring}): key to how many nodes hold it. */
    public record KeyringResponse(@JsonProperty("WAN") boolean wan,
                                  @JsonProperty("Datacenter") String datacenter,
                                  @JsonProperty("Segment") String segment,
                                  @JsonProperty("Keys") Map<String, Integer> keys,
                                  @JsonProperty("PrimaryKeys") Map<String, Integer> primaryKeys,
                                  @JsonProperty("NumNodes") int numNodes) {
        public KeyringResponse {
            keys = keys == null ? Map.of() : keys;
            primaryKeys = primaryKeys == null ? Map.of() : primaryKeys;
        }
    }

    private static byte[] body(Object value) {
        try {
            return Json.mapper().writeValueAsBytes(value);
        } catch (IOException e) {
            throw new RosterException("cannot encode request: " + e.getMessage(), e);
        }
    }

    /** Sends a raw request and returns the JSON body parsed as a tree (for endpoints without a typed method). */
    public JsonNode getJson(String path) {
        Answer a = send("GET", path, Map.of(), null, null);
        a.requireOk();
        return a.json(new TypeReference<JsonNode>() { });
    }

    private static Map<String, String> query(QueryOptions opts) {
        Map<String, String> q = new LinkedHashMap<>();
        if (opts == null) {
            return q;
        }
        if (opts.index() > 0) {
            q.put("index", Long.toString(opts.index()));
        }
        if (opts.maxWait() != null) {
            q.put("wait", opts.maxWait().toMillis() + "ms");
        }
        if (opts.consistent()) {
            q.put("consistent", "");
        }
        if (opts.stale()) {
            q.put("stale", "");
        }
        if (opts.datacenter() != null) {
            q.put("dc", opts.datacenter());
        }
        return q;
    }

    /** Percent-encodes each segment of a key, keeping {@code /} as the separator. */
    static String encodeKey(String key) {
        String[] parts = key.split("/", -1);
        List<String> out = new ArrayList<>(parts.length);
        for (String p : parts) {
            out.add(URLEncoder.encode(p, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return String.join("/", out);
    }

    private Answer send(String method, String path, Map<String, String> params, byte[] body, QueryOptions opts) {
        return send(method, path, new ArrayList<>(params.entrySet()), body, opts);
    }

    /** Sends a request whose query parameters may repeat ({@code tag}, {@code node-meta}). */
    private Answer send(String method, String path, List<Map.Entry<String, String>> params, byte[] body, QueryOptions opts) {
        StringBuilder uri = new StringBuilder(base.toString()).append(path);
        char sep = '?';
        for (Map.Entry<String, String> e : params) {
            uri.append(sep).append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8));
            if (!e.getValue().isEmpty()) {
                uri.append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
            }
            sep = '&';
        }
        Duration timeout = Duration.ofSeconds(30);
        if (opts != null && opts.maxWait() != null) {
            // Consul may hold a blocking query for wait + wait/16; leave room for that.
            timeout = opts.maxWait().plus(opts.maxWait().dividedBy(16)).plusSeconds(5);
        } else if (opts != null && opts.index() != 0) {
            timeout = Duration.ofMinutes(6);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri.toString())).timeout(timeout)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("X-Consul-Token", token);
        }
        try {
            HttpResponse<byte[]> r;
            try {
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                if (!diedBeforeAnswering(e)) {
                    throw e;
                }
                // A kept-alive connection that the agent had already closed: the request never
                // reached it (no byte came back). Once more, on a new connection.
                r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            }
            return new Answer(r);
        } catch (IOException e) {
            throw new RosterException(method + " " + path + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RosterException(method + " " + path + ": interrupted", e);
        }
    }

    /** The JDK client's report of a pooled connection found closed before any byte of an answer. */
    static boolean diedBeforeAnswering(IOException e) {
        String m = e.getMessage();
        return m != null && m.contains("header parser received no bytes");
    }

    private static final class Answer {
        final int status;
        final byte[] body;
        final HttpResponse<byte[]> response;

        Answer(HttpResponse<byte[]> response) {
            this.response = response;
            this.status = response.statusCode();
            this.body = response.body();
        }

        void requireOk() {
            if (status != 200) {
                throw error();
            }
        }

        RosterException error() {
            return new RosterException(status, new String(body, StandardCharsets.UTF_8).strip());
        }

        <T> T json(TypeReference<T> type) {
            try {
                return Json.mapper().readValue(body, type);
            } catch (IOException e) {
                throw new RosterException("bad JSON from agent: " + e.getMessage(), e);
            }
        }

        <T> QueryResult<T> meta(T value) {
            long index = response.headers().firstValue("X-Consul-Index").map(Long::parseLong).orElse(0L);
            boolean known = response.headers().firstValue("X-Consul-KnownLeader").map(Boolean::parseBoolean).orElse(false);
            long contact = response.headers().firstValue("X-Consul-LastContact").map(Long::parseLong).orElse(0L);
            return new QueryResult<>(value, index, known, contact);
        }
    }
}
