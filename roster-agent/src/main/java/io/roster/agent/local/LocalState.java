package io.roster.agent.local;

import io.roster.agent.checks.CheckRunners;
import io.roster.api.CheckDefinition;
import io.roster.api.Durations;
import io.roster.api.HealthCheck;
import io.roster.api.Json;
import io.roster.api.NodeService;
import io.roster.api.ServiceDefinition;
import io.roster.state.Watches;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The services and checks registered with this agent, with each check's current status and output.
 * Every change notifies anti-entropy and wakes hash-blocking readers ({@code /v1/agent/service/<id>?hash=}).
 * Thread-safe: every method is synchronized on this object; check runners report from any thread.
 */
public final class LocalState {
    /** Check ID of node maintenance mode, as Consul names it. */
    public static final String NODE_MAINTENANCE = "_node_maintenance";
    /** Prefix of a service's maintenance check ID, as Consul names it. */
    public static final String SERVICE_MAINTENANCE_PREFIX = "_service_maintenance:";

    private final String nodeName;
    private final String datacenter;
    private final CheckRunners runners;
    private final Watches watches;
    private final java.util.List<Runnable> changeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final LongSupplier nanoClock;
    private final TreeMap<String, NodeService> services = new TreeMap<>();
    private final TreeMap<String, LocalCheck> checks = new TreeMap<>();
    private volatile LocalPersistence persistence;

    /** A check of this agent: its definition (null for maintenance checks), current state, and when it went critical. */
    public record LocalCheck(CheckDefinition definition, HealthCheck check, long criticalSinceNanos,
                             Duration deregisterCriticalAfter) {
    }

    /** Local state whose changes are told to the listeners added with {@link #onChange}. */
    public LocalState(String nodeName, String datacenter, CheckRunners runners, Watches watches, LongSupplier nanoClock) {
        this.nodeName = nodeName;
        this.datacenter = datacenter;
        this.runners = runners;
        this.watches = watches;
        this.nanoClock = nanoClock;
    }

    /** Adds a listener told after every change of a service or check (anti-entropy syncs on it). */
    public void onChange(Runnable listener) {
        changeListeners.add(java.util.Objects.requireNonNull(listener, "listener"));
    }

    /** Keeps API registrations in {@code data_dir} from now on (agents without one never call this). */
    public void persistTo(LocalPersistence p) {
        this.persistence = p;
    }

    /** {@code /v1/agent/service/register}: {@link #addService} and, with a data_dir, kept for restarts. */
    public NodeService registerService(ServiceDefinition def, boolean replaceExistingChecks) {
        NodeService svc = addService(def, replaceExistingChecks);
        LocalPersistence p = persistence;
        if (p != null) {
            p.saveService(def);
        }
        return svc;
    }

    /** {@code /v1/agent/check/register}: {@link #addCheck} and, with a data_dir, kept for restarts. */
    public void registerCheck(CheckDefinition def) {
        CheckDefinition c = addCheck(def);
        LocalPersistence p = persistence;
        if (p != null) {
            p.saveCheck(c);
        }
    }

    /**
     * Adds what {@link LocalPersistence} kept (services first, then checks); a definition that is no
     * longer valid (a check of a service that is gone) is skipped with a warning. Returns how many.
     */
    public int restore(LocalPersistence p, org.slf4j.Logger log) {
        int n = 0;
        for (ServiceDefinition d : p.loadServices()) {
            try {
                addService(d, false);
                n++;
            } catch (IllegalArgumentException e) {
                log.warn("skipping persisted service {}: {}", d.effectiveId(), e.getMessage());
            }
        }
        for (CheckDefinition c : p.loadChecks()) {
            try {
                addCheck(c);
                n++;
            } catch (IllegalArgumentException e) {
                log.warn("skipping persisted check {}: {}", c.id(), e.getMessage());
            }
        }
        return n;
    }

    public static String serviceTopic(String id) {
        return "local-svc:" + id;
    }

    public static final String CHECKS_TOPIC = "local-checks";

    // ------------------------------------------------------------------ services

    /**
     * Adds or replaces a service and its inline checks. Checks of an existing registration that the
     * new one does not name are kept unless {@code replaceExistingChecks}.
     *
     * @throws IllegalArgumentException with a one-line reason when the definition is invalid
     */
    public NodeService addService(ServiceDefinition def, boolean replaceExistingChecks) {
        if (def.name() == null || def.name().isEmpty()) {
            throw new IllegalArgumentException("Missing service name");
        }
        if (def.port() != null && (def.port() < 0 || def.port() > 65535)) {
            throw new IllegalArgumentException("Invalid service port " + def.port());
        }
        NodeService svc = NodeService.from(def);
        List<CheckDefinition> defs = new ArrayList<>();
        if (def.check() != null && !def.check().type().isEmpty()) {
            defs.add(def.check());
        }
        if (def.checks() != null) {
            for (CheckDefinition c : def.checks()) {
                if (c != null) {
                    defs.add(c);
                }
            }
        }
        List<CheckDefinition> named = new ArrayList<>();
        for (int i = 0; i < defs.size(); i++) {
            CheckDefinition c = defs.get(i);
            String id = c.id() != null && !c.id().isEmpty() ? c.id()
                    : defs.size() == 1 ? "service:" + svc.id() : "service:" + svc.id() + ":" + (i + 1);
            String name = c.name() != null && !c.name().isEmpty() ? c.name() : "Service '" + svc.service() + "' check";
            named.add(c.withIdentity(id, name, svc.id()));
        }
        for (CheckDefinition c : named) {
            validate(c);
            runners.validate(c.id(), c);
        }
        synchronized (this) {
            services.put(svc.id(), svc);
            if (replaceExistingChecks) {
                for (LocalCheck lc : new ArrayList<>(checks.values())) {
                    if (lc.check().serviceId().equals(svc.id()) && lc.definition() != null
                            && named.stream().noneMatch(n -> n.id().equals(lc.check().checkId()))) {
                        removeCheckLocked(lc.check().checkId());
                    }
                }
            }
            for (CheckDefinition c : named) {
                addCheckLocked(c);
            }
            changed(svc.id());
            return svc;
        }
    }

    /** Removes a service and its checks; false when unknown. */
    public synchronized boolean removeService(String id) {
        if (services.remove(id) == null) {
            return false;
        }
        LocalPersistence p = persistence;
        if (p != null) {
            p.deleteService(id);
        }
        for (LocalCheck lc : new ArrayList<>(checks.values())) {
            if (lc.check().serviceId().equals(id)) {
                removeCheckLocked(lc.check().checkId());
            }
        }
        changed(id);
        return true;
    }

    public synchronized Map<String, NodeService> services() {
        Map<String, NodeService> out = new LinkedHashMap<>();
        services.forEach((k, v) -> out.put(k, v.withDatacenter(datacenter)));
        return out;
    }

    public synchronized NodeService service(String id) {
        NodeService s = services.get(id);
        return s == null ? null : s.withDatacenter(datacenter);
    }

    /** A 64-bit hash of a service's definition and checks (Consul's ContentHash); 0 when unknown. */
    public synchronized long serviceHash(String id) {
        NodeService s = services.get(id);
        if (s == null) {
            return 0;
        }
        List<Object> parts = new ArrayList<>();
        parts.add(s);
        for (LocalCheck lc : checks.values()) {
            if (lc.check().serviceId().equals(id)) {
                parts.add(lc.check().checkId());
                parts.add(lc.check().status());
            }
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(Json.write(parts));
            long h = ByteBuffer.wrap(d).getLong();
            return h == 0 ? 1 : h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ checks

    /**
     * Adds or replaces a check (node-level, or of a local service when {@code ServiceID} is set).
     *
     * @throws IllegalArgumentException with a one-line reason when invalid
     */
    public CheckDefinition addCheck(CheckDefinition def) {
        if (def.name() == null || def.name().isEmpty()) {
            throw new IllegalArgumentException("Missing check name");
        }
        CheckDefinition c = def.id() == null || def.id().isEmpty() ? def.withIdentity(def.name(), def.name(), def.serviceId()) : def;
        validate(c);
        runners.validate(c.id(), c);
        synchronized (this) {
            if (c.serviceId() != null && !c.serviceId().isEmpty() && !services.containsKey(c.serviceId())) {
                throw new IllegalArgumentException("ServiceID \"" + c.serviceId() + "\" does not exist");
            }
            addCheckLocked(c);
            changed(c.serviceId());
            return c;
        }
    }

    private static void validate(CheckDefinition c) {
        if (c.status() != null && !c.status().isEmpty() && !List.of(HealthCheck.PASSING, HealthCheck.WARNING,
                HealthCheck.CRITICAL).contains(c.status())) {
            throw new IllegalArgumentException("Invalid check status: \"" + c.status() + "\"");
        }
        if (c.deregisterCriticalServiceAfter() != null && !c.deregisterCriticalServiceAfter().isEmpty()) {
            try {
                Durations.parse(c.deregisterCriticalServiceAfter());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid DeregisterCriticalServiceAfter: " + e.getMessage());
            }
        }
    }

    private void addCheckLocked(CheckDefinition c) {
        String status = c.status() == null || c.status().isEmpty() ? HealthCheck.CRITICAL : c.status();
        String serviceId = c.serviceId() == null ? "" : c.serviceId();
        NodeService svc = services.get(serviceId);
        HealthCheck hc = new HealthCheck(nodeName, c.id(), c.name(), status, c.notes(), "", serviceId,
                svc == null ? "" : svc.service(), svc == null ? List.of() : svc.tags(), c.type(),
                c.interval(), c.timeout(), 0, Map.of(), 0, 0);
        Duration dereg = c.deregisterCriticalServiceAfter() == null || c.deregisterCriticalServiceAfter().isEmpty()
                ? null : Durations.parse(c.deregisterCriticalServiceAfter());
        LocalCheck prev = checks.get(c.id());
        if (prev != null && prev.definition() != null) {
            runners.stop(c.id());
        }
        checks.put(c.id(), new LocalCheck(c, hc, HealthCheck.CRITICAL.equals(status) ? nanoClock.getAsLong() : 0, dereg));
        try {
            runners.start(c.id(), c);
        } catch (IllegalArgumentException e) {
            checks.remove(c.id());
            throw e;
        }
    }

    /** Removes a check; false when unknown. */
    public synchronized boolean removeCheck(String id) {
        LocalCheck lc = checks.get(id);
        if (lc == null) {
            return false;
        }
        removeCheckLocked(id);
        changed(lc.check().serviceId());
        return true;
    }

    private void removeCheckLocked(String id) {
        LocalCheck lc = checks.remove(id);
        LocalPersistence p = persistence;
        if (lc != null && p != null) {
            p.deleteCheck(id);
        }
        if (lc != null && lc.definition() != null) {
            runners.stop(id);
        }
    }

    /** A runner's (or a TTL update's) result. Ignored for unknown checks. */
    public void updateCheck(String id, String status, String output) {
        synchronized (this) {
            LocalCheck lc = checks.get(id);
            if (lc == null) {
                return;
            }
            HealthCheck next = lc.check().withStatus(status, output == null ? "" : output);
            if (next.sameAs(lc.check())) {
                return;
            }
            long since = HealthCheck.CRITICAL.equals(status)
                    ? (lc.criticalSinceNanos() != 0 ? lc.criticalSinceNanos() : nanoClock.getAsLong()) : 0;
            checks.put(id, new LocalCheck(lc.definition(), next, since, lc.deregisterCriticalAfter()));
            changed(next.serviceId());
        }
    }

    /** {@code /v1/agent/check/pass|warn|fail|update}: false when {@code id} is not a TTL check of this agent. */
    public boolean ttlUpdate(String id, String status, String output) {
        return runners.ttlUpdate(id, status, output);
    }

    public synchronized Map<String, HealthCheck> checks() {
        Map<String, HealthCheck> out = new LinkedHashMap<>();
        checks.forEach((k, v) -> out.put(k, v.check()));
        return out;
    }

    public synchronized LocalCheck localCheck(String id) {
        return checks.get(id);
    }

    /** Service IDs whose check has been critical longer than its {@code DeregisterCriticalServiceAfter}. */
    public synchronized List<String> criticalTooLong() {
        long now = nanoClock.getAsLong();
        List<String> out = new ArrayList<>();
        for (LocalCheck lc : checks.values()) {
            if (lc.deregisterCriticalAfter() != null && lc.criticalSinceNanos() != 0
                    && !lc.check().serviceId().isEmpty()
                    && now - lc.criticalSinceNanos() >= lc.deregisterCriticalAfter().toNanos()
                    && !out.contains(lc.check().serviceId())) {
                out.add(lc.check().serviceId());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ maintenance

    /** Puts a service in or out of maintenance (a critical {@code _service_maintenance:<id>} check). */
    public synchronized boolean serviceMaintenance(String id, boolean enable, String reason) {
        NodeService svc = services.get(id);
        if (svc == null) {
            return false;
        }
        String checkId = SERVICE_MAINTENANCE_PREFIX + id;
        if (enable) {
            String notes = reason == null || reason.isEmpty()
                    ? "Maintenance mode is enabled for this service, but no reason was provided. This is a default message."
                    : reason;
            HealthCheck hc = new HealthCheck(nodeName, checkId, "Service Maintenance Mode", HealthCheck.CRITICAL, notes,
                    "", id, svc.service(), svc.tags(), "maintenance", "", "", 0, Map.of(), 0, 0);
            checks.put(checkId, new LocalCheck(null, hc, 0, null));
        } else {
            checks.remove(checkId);
        }
        changed(id);
        return true;
    }

    /** Puts this node in or out of maintenance (a critical {@code _node_maintenance} check). */
    public synchronized void nodeMaintenance(boolean enable, String reason) {
        if (enable) {
            String notes = reason == null || reason.isEmpty()
                    ? "Maintenance mode is enabled for this node, but no reason was provided. This is a default message."
                    : reason;
            HealthCheck hc = new HealthCheck(nodeName, NODE_MAINTENANCE, "Node Maintenance Mode", HealthCheck.CRITICAL,
                    notes, "", "", "", List.of(), "maintenance", "", "", 0, Map.of(), 0, 0);
            checks.put(NODE_MAINTENANCE, new LocalCheck(null, hc, 0, null));
        } else {
            checks.remove(NODE_MAINTENANCE);
        }
        changed("");
    }

    // ------------------------------------------------------------------ reload

    /** IDs of services and checks, for a reload to remove what the new configuration no longer has. */
    public synchronized List<String> serviceIds() {
        return new ArrayList<>(services.keySet());
    }

    public synchronized List<String> nodeCheckIds() {
        List<String> out = new ArrayList<>();
        for (LocalCheck lc : checks.values()) {
            if (lc.check().serviceId().isEmpty() && lc.definition() != null) {
                out.add(lc.check().checkId());
            }
        }
        return out;
    }

    private void changed(String serviceId) {
        if (serviceId != null && !serviceId.isEmpty()) {
            watches.topicChanged(serviceTopic(serviceId));
        } else {
            for (String id : services.keySet()) {
                watches.topicChanged(serviceTopic(id));
            }
        }
        watches.topicChanged(CHECKS_TOPIC);
        for (Runnable l : changeListeners) {
            l.run();
        }
    }
}
