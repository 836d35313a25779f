package io.roster.tools.shard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A consistent-hash ring: every member owns {@link #REPLICAS} points (MD5 of {@code member#i}), and
 * a key goes to the first point at or after its own hash. Immutable, and a pure function of its
 * members, so several proxies with the same members route every key alike; removing a member moves
 * only the keys it owned.
 */
public final class HashRing {
    static final int REPLICAS = 160;

    private final TreeMap<Long, String> points = new TreeMap<>();
    private final List<String> members;

    public HashRing(List<String> members) {
        this.members = List.copyOf(new java.util.TreeSet<>(members));
        for (String m : this.members) {
            for (int i = 0; i < REPLICAS; i++) {
                points.put(hash(m + "#" + i), m);
            }
        }
    }

    public List<String> members() {
        return members;
    }

    /** The member that owns {@code key}, or null when the ring is empty. */
    public String get(String key) {
        if (points.isEmpty()) {
            return null;
        }
        Map.Entry<Long, String> e = points.ceilingEntry(hash(key));
        return (e != null ? e : points.firstEntry()).getValue();
    }

    static long hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) {
                h = (h << 8) | (d[i] & 0xff);
            }
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }
}
