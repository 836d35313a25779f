package io.roster.gossip;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Cluster-wide keyring changes. An operation (install, use, remove) carries its key and a Lamport time
 * on a key clock of its own; it is applied locally, then gossiped like any broadcast and carried in
 * push-pull, deduplicated by (ltime, op, key). So {@code install} on one member reaches every member,
 * which is what {@code /v1/operator/keyring} needs.
 *
 * <p>"use" carries the key, so it implies "install" on a member that missed the install. A "remove" of
 * a member's current primary is held back until that member switches primary (the "use" may still be on
 * its way), then applied.
 *
 * <p>Each member gossips a small report of which keys it holds (8-byte fingerprints, never the keys);
 * {@link #list()} counts, per key, the alive members whose latest report holds it. The count lags the
 * truth by the time a report takes to spread: poll it until it reaches the member count. Loop-owned.
 */
final class KeyState {
    private static final int RECENT_OPS = 64;
    /** More keys than any rotation needs; a bound so that no stream of installs can slow every decrypt. */
    static final int MAX_KEYS = 16;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(KeyState.class);

    private final GossipCore core;
    private final LinkedHashMap<String, Msg.KeyOp> recentOps = new LinkedHashMap<>();
    private final Map<String, Msg.KeyReport> reports = new HashMap<>();
    private final List<byte[]> pendingRemoval = new ArrayList<>();
    private long clock;
    private long reportVersion;

    KeyState(GossipCore core) {
        this.core = core;
    }

    long clock() {
        return clock;
    }

    void witness(long t) {
        if (t > clock) {
            clock = t;
        }
    }

    private void requireEnabled() {
        core.requireActive();
        if (!core.keyring.enabled()) {
            throw new GossipException("gossip: encryption is not enabled on this member: configure an encrypt key first");
        }
    }

    void install(byte[] key) {
        requireEnabled();
        if (core.keyring.keys().size() >= MAX_KEYS && !core.keyring.contains(key)) {
            throw new GossipException("gossip: the keyring already holds " + MAX_KEYS + " keys; remove one first");
        }
        originate(Msg.KeyOp.INSTALL, key);
    }

    void use(byte[] key) {
        requireEnabled();
        if (!core.keyring.contains(key)) {
            throw new GossipException("gossip: the key is not installed; install it first");
        }
        originate(Msg.KeyOp.USE, key);
    }

    void remove(byte[] key) {
        requireEnabled();
        if (!core.keyring.contains(key)) {
            throw new GossipException("gossip: the key is not installed");
        }
        if (Arrays.equals(core.keyring.primary(), key)) {
            throw new GossipException("gossip: cannot remove the primary key; make another key primary first (use)");
        }
        originate(Msg.KeyOp.REMOVE, key);
    }

    private void originate(byte op, byte[] key) {
        Msg.KeyOp k = new Msg.KeyOp(clock, op, key.clone());
        clock++;
        onKeyOp(k);
    }

    void onKeyOp(Msg.KeyOp k) {
        if (k.ltime() >= clock) {
            clock = k.ltime() + 1;
        }
        if (!core.keyring.enabled()) {
            return; // a member without encryption cannot have decrypted this; ignore defensively
        }
        String id = k.ltime() + "/" + k.op() + "/" + Keyring.fingerprint(k.key());
        if (recentOps.containsKey(id)) {
            return;
        }
        recentOps.put(id, k);
        if (recentOps.size() > RECENT_OPS) {
            recentOps.remove(recentOps.keySet().iterator().next());
        }
        apply(k);
        core.queueBroadcast(null, k);
    }

    private void apply(Msg.KeyOp k) {
        Keyring ring = core.keyring;
        boolean changed = false;
        switch (k.op()) {
            case Msg.KeyOp.INSTALL -> {
                if (ring.keys().size() >= MAX_KEYS && !ring.contains(k.key())) {
                    LOG.warn("gossip: not installing another key: the keyring already holds {} keys", MAX_KEYS);
                    return;
                }
                changed = ring.add(k.key());
            }
            case Msg.KeyOp.USE -> {
                byte[] old = ring.primary();
                if (ring.keys().size() >= MAX_KEYS && !ring.contains(k.key())) {
                    LOG.warn("gossip: not using a new key: the keyring already holds {} keys", MAX_KEYS);
                    return;
                }
                changed = ring.add(k.key());
                changed |= ring.use(k.key());
                for (int i = 0; i < pendingRemoval.size(); i++) {
                    if (Arrays.equals(pendingRemoval.get(i), old) && ring.remove(old)) {
                        pendingRemoval.remove(i);
                        break;
                    }
                }
            }
            case Msg.KeyOp.REMOVE -> {
                if (Arrays.equals(ring.primary(), k.key())) {
                    pendingRemoval.add(k.key().clone());
                } else {
                    changed = ring.remove(k.key());
                }
            }
            default -> { }
        }
        if (changed) {
            publishReport();
        }
    }

    void publishReport() {
        if (!core.keyring.enabled()) {
            return;
        }
        List<byte[]> ks = core.keyring.keys();
        long[] fps = new long[ks.size()];
        for (int i = 0; i < fps.length; i++) {
            fps[i] = Keyring.fingerprint(ks.get(i));
        }
        Msg.KeyReport r = new Msg.KeyReport(core.localName, ++reportVersion, fps[0], fps);
        reports.put(core.localName, r);
        core.queueBroadcast("k/" + core.localName, r);
    }

    void onReport(Msg.KeyReport r) {
        if (r.node().equals(core.localName)) {
            if (r.version() >= reportVersion) {
                // A report from our previous life: ours must be newer.
                reportVersion = r.version();
                publishReport();
            }
            return;
        }
        Msg.KeyReport old = reports.get(r.node());
        if (old != null && old.version() >= r.version()) {
            return;
        }
        if (core.node(r.node()) == null) {
            return;
        }
        reports.put(r.node(), r);
        core.queueBroadcast("k/" + r.node(), r);
    }

    void forget(String node) {
        reports.remove(node);
    }

    List<Msg.KeyOp> recentOps() {
        return List.copyOf(recentOps.values());
    }

    List<Msg.KeyReport> reports() {
        return List.copyOf(reports.values());
    }

    List<KeyStatus> list() {
        List<KeyStatus> out = new ArrayList<>();
        if (!core.keyring.enabled()) {
            return out;
        }
        byte[] primary = core.keyring.primary();
        int total = 0;
        List<Msg.KeyReport> live = new ArrayList<>();
        for (GossipCore.Node n : core.nodeList()) {
            if (n.live() || n == core.self) {
                total++;
                Msg.KeyReport r = reports.get(n.name);
                if (r != null) {
                    live.add(r);
                }
            }
        }
        for (byte[] key : core.keyring.keys()) {
            long fp = Keyring.fingerprint(key);
            int holders = 0;
            int primaries = 0;
            for (Msg.KeyReport r : live) {
                for (long f : r.keys()) {
                    if (f == fp) {
                        holders++;
                        break;
                    }
                }
                if (r.primary() == fp) {
                    primaries++;
                }
            }
            out.add(new KeyStatus(Base64.getEncoder().encodeToString(key), Arrays.equals(key, primary), holders, primaries, total));
        }
        return out;
    }
}
