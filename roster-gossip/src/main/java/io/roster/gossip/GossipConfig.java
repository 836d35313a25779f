package io.roster.gossip;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Configuration of one gossip member. {@link #lan(String)} has the values of memberlist's
 * {@code DefaultLANConfig} (and serf's reconnect/tombstone/event defaults); {@link #local(String)}
 * has memberlist's {@code DefaultLocalConfig} timings plus short reap timeouts, for tests on one
 * machine. Change values with {@link #toBuilder()}.
 */
public final class GossipConfig {
    /** Largest encoded tags map, as memberlist's meta limit. */
    public static final int MAX_TAGS_BYTES = 512;

    private final String name;
    private final Map<String, String> tags;
    private final Duration probeInterval;
    private final Duration probeTimeout;
    private final int indirectChecks;
    private final boolean tcpFallbackProbe;
    private final int suspicionMult;
    private final int suspicionMaxTimeoutMult;
    private final int awarenessMaxMultiplier;
    private final int retransmitMult;
    private final Duration gossipInterval;
    private final int gossipNodes;
    private final Duration gossipToTheDeadTime;
    private final Duration pushPullInterval;
    private final Duration tcpTimeout;
    private final int udpBufferSize;
    private final Duration reconnectInterval;
    private final Duration reconnectTimeout;
    private final Duration tombstoneTimeout;
    private final Duration reapInterval;
    private final int eventBufferSize;
    private final int userEventSizeLimit;
    private final List<byte[]> keys;
    private final Duration dropLogInterval;
    private final Long randomSeed;

    private GossipConfig(Builder b) {
        if (b.name == null || b.name.isBlank() || b.name.length() > Codec.MAX_NAME) {
            throw new IllegalArgumentException("gossip: node name must be 1.." + Codec.MAX_NAME + " characters");
        }
        this.name = b.name;
        this.tags = Map.copyOf(b.tags);
        checkTags(this.tags);
        this.probeInterval = positive("probeInterval", b.probeInterval);
        this.probeTimeout = positive("probeTimeout", b.probeTimeout);
        if (probeTimeout.compareTo(probeInterval) > 0) {
            throw new IllegalArgumentException("gossip: probeTimeout must not exceed probeInterval");
        }
        this.indirectChecks = atLeast("indirectChecks", b.indirectChecks, 0);
        this.tcpFallbackProbe = b.tcpFallbackProbe;
        this.suspicionMult = atLeast("suspicionMult", b.suspicionMult, 1);
        this.suspicionMaxTimeoutMult = atLeast("suspicionMaxTimeoutMult", b.suspicionMaxTimeoutMult, 1);
        this.awarenessMaxMultiplier = atLeast("awarenessMaxMultiplier", b.awarenessMaxMultiplier, 1);
        this.retransmitMult = atLeast("retransmitMult", b.retransmitMult, 1);
        this.gossipInterval = positive("gossipInterval", b.gossipInterval);
        this.gossipNodes = atLeast("gossipNodes", b.gossipNodes, 1);
        this.gossipToTheDeadTime = Objects.requireNonNull(b.gossipToTheDeadTime);
        this.pushPullInterval = Objects.requireNonNull(b.pushPullInterval);
        this.tcpTimeout = positive("tcpTimeout", b.tcpTimeout);
        this.udpBufferSize = atLeast("udpBufferSize", b.udpBufferSize, 512);
        this.reconnectInterval = Objects.requireNonNull(b.reconnectInterval);
        this.reconnectTimeout = positive("reconnectTimeout", b.reconnectTimeout);
        this.tombstoneTimeout = positive("tombstoneTimeout", b.tombstoneTimeout);
        this.reapInterval = positive("reapInterval", b.reapInterval);
        this.eventBufferSize = atLeast("eventBufferSize", b.eventBufferSize, 16);
        this.userEventSizeLimit = atLeast("userEventSizeLimit", b.userEventSizeLimit, 1);
        this.keys = List.copyOf(b.keys);
        this.dropLogInterval = positive("dropLogInterval", b.dropLogInterval);
        this.randomSeed = b.randomSeed;
    }

    /** memberlist's DefaultLANConfig timings; serf's reconnect (72 h), tombstone (24 h) and event (512 B) defaults. */
    public static GossipConfig lan(String name) {
        return new Builder(name).build();
    }

    /**
     * memberlist's DefaultWANConfig timings (probe every 5 s with a 3 s timeout, suspicion
     * multiplier 6, gossip to 4 nodes every 500 ms, dead members gossiped for 60 s, push-pull every
     * 60 s, TCP timeout 30 s), with serf's reconnect and tombstone defaults: what Consul's WAN
     * pool of servers uses.
     */
    public static GossipConfig wan(String name) {
        return new Builder(name).wan().build();
    }

    /** memberlist's DefaultLocalConfig timings, and reap timeouts of a minute: for tests on one machine. */
    public static GossipConfig local(String name) {
        return new Builder(name).local().build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    static void checkTags(Map<String, String> tags) {
        if (tags.size() > Codec.MAX_TAGS) {
            throw new IllegalArgumentException("gossip: at most " + Codec.MAX_TAGS + " tags");
        }
        int size = 0;
        for (Map.Entry<String, String> e : tags.entrySet()) {
            size += 4 + e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                    + e.getValue().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        }
        if (size > MAX_TAGS_BYTES) {
            throw new IllegalArgumentException("gossip: tags take " + size + " bytes encoded, more than the limit of "
                    + MAX_TAGS_BYTES);
        }
    }

    private static Duration positive(String what, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("gossip: " + what + " must be positive");
        }
        return d;
    }

    private static int atLeast(String what, int v, int min) {
        if (v < min) {
            throw new IllegalArgumentException("gossip: " + what + " must be at least " + min);
        }
        return v;
    }

    /** Decodes an {@code encrypt} key: base64 of 16, 24 or 32 bytes (AES-128/192/256). */
    public static byte[] decodeKey(String base64) {
        byte[] k;
        try {
            k = Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("gossip: encrypt key is not valid base64", e);
        }
        if (k.length != 16 && k.length != 24 && k.length != 32) {
            throw new IllegalArgumentException("gossip: encrypt key must be 16, 24 or 32 bytes (base64), got " + k.length);
        }
        return k;
    }

    public String name() { return name; }
    public Map<String, String> tags() { return tags; }
    public Duration probeInterval() { return probeInterval; }
    public Duration probeTimeout() { return probeTimeout; }
    public int indirectChecks() { return indirectChecks; }
    public boolean tcpFallbackProbe() { return tcpFallbackProbe; }
    public int suspicionMult() { return suspicionMult; }
    public int suspicionMaxTimeoutMult() { return suspicionMaxTimeoutMult; }
    public int awarenessMaxMultiplier() { return awarenessMaxMultiplier; }
    public int retransmitMult() { return retransmitMult; }
    public Duration gossipInterval() { return gossipInterval; }
    public int gossipNodes() { return gossipNodes; }
    public Duration gossipToTheDeadTime() { return gossipToTheDeadTime; }
    public Duration pushPullInterval() { return pushPullInterval; }
    public Duration tcpTimeout() { return tcpTimeout; }
    public int udpBufferSize() { return udpBufferSize; }
    public Duration reconnectInterval() { return reconnectInterval; }
    public Duration reconnectTimeout() { return reconnectTimeout; }
    public Duration tombstoneTimeout() { return tombstoneTimeout; }
    public Duration reapInterval() { return reapInterval; }
    public int eventBufferSize() { return eventBufferSize; }
    public int userEventSizeLimit() { return userEventSizeLimit; }
    /** Initial keyring: the first key is the primary. Empty: no encryption. */
    public List<byte[]> keys() { return keys.stream().map(byte[]::clone).toList(); }
    public Duration dropLogInterval() { return dropLogInterval; }
    /** Seed for the member's random choices (simulations); null: a random seed. */
    public Long randomSeed() { return randomSeed; }

    /** Mutable builder; every setter returns {@code this}. */
    public static final class Builder {
        private String name;
        private Map<String, String> tags = new LinkedHashMap<>();
        private Duration probeInterval = Duration.ofSeconds(1);
        private Duration probeTimeout = Duration.ofMillis(500);
        private int indirectChecks = 3;
        private boolean tcpFallbackProbe = true;
        private int suspicionMult = 4;
        private int suspicionMaxTimeoutMult = 6;
        private int awarenessMaxMultiplier = 8;
        private int retransmitMult = 4;
        private Duration gossipInterval = Duration.ofMillis(200);
        private int gossipNodes = 3;
        private Duration gossipToTheDeadTime = Duration.ofSeconds(30);
        private Duration pushPullInterval = Duration.ofSeconds(30);
        private Duration tcpTimeout = Duration.ofSeconds(10);
        private int udpBufferSize = 1400;
        private Duration reconnectInterval = Duration.ofSeconds(30);
        private Duration reconnectTimeout = Duration.ofHours(72);
        private Duration tombstoneTimeout = Duration.ofHours(24);
        private Duration reapInterval = Duration.ofSeconds(15);
        private int eventBufferSize = 512;
        private int userEventSizeLimit = 512;
        private List<byte[]> keys = new ArrayList<>();
        private Duration dropLogInterval = Duration.ofSeconds(60);
        private Long randomSeed;

        public Builder(String name) {
            this.name = name;
        }

        private Builder(GossipConfig c) {
            name = c.name;
            tags = new LinkedHashMap<>(c.tags);
            probeInterval = c.probeInterval;
            probeTimeout = c.probeTimeout;
            indirectChecks = c.indirectChecks;
            tcpFallbackProbe = c.tcpFallbackProbe;
            suspicionMult = c.suspicionMult;
            suspicionMaxTimeoutMult = c.suspicionMaxTimeoutMult;
            awarenessMaxMultiplier = c.awarenessMaxMultiplier;
            retransmitMult = c.retransmitMult;
            gossipInterval = c.gossipInterval;
            gossipNodes = c.gossipNodes;
            gossipToTheDeadTime = c.gossipToTheDeadTime;
            pushPullInterval = c.pushPullInterval;
            tcpTimeout = c.tcpTimeout;
            udpBufferSize = c.udpBufferSize;
            reconnectInterval = c.reconnectInterval;
            reconnectTimeout = c.reconnectTimeout;
            tombstoneTimeout = c.tombstoneTimeout;
            reapInterval = c.reapInterval;
            eventBufferSize = c.eventBufferSize;
            userEventSizeLimit = c.userEventSizeLimit;
            keys = new ArrayList<>(c.keys);
            dropLogInterval = c.dropLogInterval;
            randomSeed = c.randomSeed;
        }

        Builder wan() {
            tcpTimeout = Duration.ofSeconds(30);
            suspicionMult = 6;
            pushPullInterval = Duration.ofSeconds(60);
            probeTimeout = Duration.ofSeconds(3);
            probeInterval = Duration.ofSeconds(5);
            gossipNodes = 4;
            gossipInterval = Duration.ofMillis(500);
            gossipToTheDeadTime = Duration.ofSeconds(60);
            return this;
        }

        Builder local() {
            tcpTimeout = Duration.ofSeconds(1);
            indirectChecks = 1;
            retransmitMult = 2;
            suspicionMult = 3;
            pushPullInterval = Duration.ofSeconds(15);
            probeTimeout = Duration.ofMillis(200);
            probeInterval = Duration.ofSeconds(1);
            gossipInterval = Duration.ofMillis(100);
            reconnectInterval = Duration.ofSeconds(5);
            reconnectTimeout = Duration.ofMinutes(1);
            tombstoneTimeout = Duration.ofMinutes(1);
            reapInterval = Duration.ofSeconds(1);
            dropLogInterval = Duration.ofSeconds(10);
            return this;
        }

        public Builder name(String v) { name = v; return this; }
        public Builder tags(Map<String, String> v) { tags = new LinkedHashMap<>(v); return this; }
        public Builder tag(String k, String v) { tags.put(k, v); return this; }
        public Builder probeInterval(Duration v) { probeInterval = v; return this; }
        public Builder probeTimeout(Duration v) { probeTimeout = v; return this; }
        public Builder indirectChecks(int v) { indirectChecks = v; return this; }
        public Builder tcpFallbackProbe(boolean v) { tcpFallbackProbe = v; return this; }
        public Builder suspicionMult(int v) { suspicionMult = v; return this; }
        public Builder suspicionMaxTimeoutMult(int v) { suspicionMaxTimeoutMult = v; return this; }
        public Builder awarenessMaxMultiplier(int v) { awarenessMaxMultiplier = v; return this; }
        public Builder retransmitMult(int v) { retransmitMult = v; return this; }
        public Builder gossipInterval(Duration v) { gossipInterval = v; return this; }
        public Builder gossipNodes(int v) { gossipNodes = v; return this; }
        public Builder gossipToTheDeadTime(Duration v) { gossipToTheDeadTime = v; return this; }
        /** Zero disables periodic push-pull. */
        public Builder pushPullInterval(Duration v) { pushPullInterval = v; return this; }
        public Builder tcpTimeout(Duration v) { tcpTimeout = v; return this; }
        public Builder udpBufferSize(int v) { udpBufferSize = v; return this; }
        /** Zero disables reconnect attempts to failed members. */
        public Builder reconnectInterval(Duration v) { reconnectInterval = v; return this; }
        /** How long a failed member is kept before it is reaped (Consul: 72 h). */
        public Builder reconnectTimeout(Duration v) { reconnectTimeout = v; return this; }
        /** How long a left member is kept before it is reaped (serf: 24 h). */
        public Builder tombstoneTimeout(Duration v) { tombstoneTimeout = v; return this; }
        public Builder reapInterval(Duration v) { reapInterval = v; return this; }
        public Builder eventBufferSize(int v) { eventBufferSize = v; return this; }
        /** Limit on len(name) + len(payload) of a user event (serf's UserEventSizeLimit, 512). */
        public Builder userEventSizeLimit(int v) { userEventSizeLimit = v; return this; }
        /** The {@code encrypt} key (base64); it becomes the primary key. */
        public Builder encryptKey(String base64) { keys.addFirst(decodeKey(base64)); return this; }
        /** Further keys installed (not primary), e.g. from a persisted keyring during a rotation. */
        public Builder secondaryKey(String base64) { keys.add(decodeKey(base64)); return this; }
        public Builder dropLogInterval(Duration v) { dropLogInterval = v; return this; }
        public Builder randomSeed(Long v) { randomSeed = v; return this; }

        public GossipConfig build() {
            return new GossipConfig(this);
        }
    }
}
