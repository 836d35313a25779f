package io.roster.gossip;

import io.roster.gossip.time.Scheduler;
import io.roster.gossip.transport.Transport;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol of one member: SWIM probes (direct, indirect through k helpers, TCP fallback), Lifeguard
 * (local health awareness, nacks, suspicion timeouts that shrink with confirmations, refutation),
 * piggy-backed dissemination, push-pull state sync, join, leave, reconnect and reap.
 *
 * <p>Single-threaded: every method runs on the member's {@link Scheduler} loop (the {@link Gossip}
 * facade sees to it), so there are no locks here. Inbound bytes never throw out of here: anything that
 * does not decode or decrypt is counted and dropped.
 */
final class GossipCore {
    private static final Logger LOG = LoggerFactory.getLogger(GossipCore.class);

    /** A member as this member sees it. Mutable, loop-owned. */
    static final class Node {
        final String name;
        String host;
        int port;
        Map<String, String> tags;
        int protocol = Codec.PROTOCOL_VERSION;
        long incarnation;
        MemberState state;
        long stateChange;
        Suspicion suspicion;

        Node(String name, String host, int port, Map<String, String> tags, long incarnation, MemberState state, long now) {
            this.name = name;
            this.host = host;
            this.port = port;
            this.tags = tags;
            this.incarnation = incarnation;
            this.state = state;
            this.stateChange = now;
        }

        String address() {
            return host + ":" + port;
        }

        boolean live() {
            return state == MemberState.ALIVE || state == MemberState.SUSPECT;
        }

        Member snapshot() {
            return new Member(name, host, port, tags, state, incarnation);
        }

        Msg.Alive alive() {
            return new Msg.Alive(incarnation, name, host, port, protocol, tags);
        }
    }

    /** Pending ack for a sequence number (a probe of ours, or one relayed for an indirect probe). */
    private interface AckHandler {
        void ack();

        void nack();
    }

    final GossipConfig cfg;
    final Scheduler sched;
    final Transport transport;
    final Listener listener;
    final Random random;
    final Keyring keyring;
    final Counters stats = new Counters();
    final String localName;
    final Node self;
    final UserEvents events;
    final KeyState keys;
    private final BroadcastQueue broadcasts = new BroadcastQueue();
    private final Map<String, Node> nodes = new HashMap<>();
    private final List<Node> nodeList = new ArrayList<>();
    private final Map<Integer, AckHandler> acks = new HashMap<>();
    /** This member's Vivaldi client, fed by direct probes' round trips (only the loop touches it). */
    private final io.roster.gossip.coordinate.VivaldiClient vivaldi;
    /** This member's coordinate, for readers off the loop. */
    volatile io.roster.gossip.coordinate.Coordinate coordinate;
    /** The last coordinate each peer sent with an ack, for readers off the loop. */
    final Map<String, io.roster.gossip.coordinate.Coordinate> peerCoordinates = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> dropLogged = new HashMap<>();
    private List<Node> probeOrder = new ArrayList<>();
    private int probeIndex;
    private int seq;
    private int awareness;
    private int liveCache = -1;
    private boolean running;
    private boolean leaving;
    private boolean left;
    private boolean shutdown;
    private Scheduler.Cancellable probeTimer = Scheduler.Cancellable.NONE;
    private Scheduler.Cancellable gossipTimer = Scheduler.Cancellable.NONE;
    private Scheduler.Cancellable pushPullTimer = Scheduler.Cancellable.NONE;
    private Scheduler.Cancellable reconnectTimer = Scheduler.Cancellable.NONE;
    private Scheduler.Cancellable reapTimer = Scheduler.Cancellable.NONE;

    /** Plain counters: only the loop writes them, and {@link Gossip#stats()} reads them on the loop. */
    static final class Counters {
        long packetsIn, packetsOut, bytesIn, bytesOut, streamsIn, streamsOut;
        long droppedMalformed, droppedDecrypt, droppedOversize;
        long probes, probeFailures, indirectProbes, tcpFallbackProbes, nacksReceived;
        long suspicions, refutations, failuresDeclared, pushPulls, broadcastsQueued, eventsFired, eventsDelivered;
    }

    GossipCore(GossipConfig cfg, Transport transport, Scheduler sched, Listener listener) {
        this.cfg = cfg;
        this.sched = sched;
        this.transport = transport;
        this.listener = listener;
        this.random = cfg.randomSeed() != null ? new Random(cfg.randomSeed()) : new Random();
        this.keyring = new Keyring(cfg.keys());
        this.localName = cfg.name();
        this.self = new Node(localName, transport.host(), transport.port(), cfg.tags(), 0, MemberState.ALIVE, sched.nowMillis());
        nodes.put(localName, self);
        nodeList.add(self);
        this.events = new UserEvents(this);
        this.keys = new KeyState(this);
        this.vivaldi = new io.roster.gossip.coordinate.VivaldiClient(io.roster.gossip.coordinate.VivaldiConfig.SERF,
                new java.util.SplittableRandom(random.nextLong()));
        this.coordinate = vivaldi.coordinate();
    }

    // =================================================================== lifecycle

    void start() {
        if (running || shutdown) {
            return;
        }
        running = true;
        queueMember(localName, self.alive(), null);
        keys.publishReport();
        long jitter = random.nextLong(Math.max(1, cfg.probeInterval().toMillis()));
        probeTimer = sched.schedule(jitter, this::probeTick);
        gossipTimer = sched.schedule(random.nextLong(Math.max(1, cfg.gossipInterval().toMillis())), this::gossipTick);
        if (!cfg.pushPullInterval().isZero()) {
            pushPullTimer = sched.schedule(pushPullDelay(), this::pushPullTick);
        }
        if (!cfg.reconnectInterval().isZero()) {
            reconnectTimer = sched.schedule(cfg.reconnectInterval().toMillis(), this::reconnectTick);
        }
        reapTimer = sched.schedule(cfg.reapInterval().toMillis(), this::reapTick);
    }

    void shutdown() {
        if (shutdown) {
            return;
        }
        shutdown = true;
        running = false;
        cancelTimers();
        for (Node n : nodeList) {
            if (n.suspicion != null) {
                n.suspicion.cancel();
            }
        }
    }

    boolean isShutdown() {
        return shutdown;
    }

    // =================================================================== API (on the loop)

    List<Member> members() {
        List<Member> out = new ArrayList<>(nodeList.size());
        for (Node n : nodeList) {
            out.add(n.snapshot());
        }
        return List.copyOf(out);
    }

    Member localMember() {
        return self.snapshot();
    }

    void setTags(Map<String, String> tags) {
        GossipConfig.checkTags(tags);
        requireActive();
        self.tags = Map.copyOf(tags);
        self.incarnation++;
        queueMember(localName, self.alive(), null);
    }

    boolean forceLeave(String name, boolean prune) {
        Node n = nodes.get(name);
        if (n == null || n == self) {
            return false;
        }
        boolean wasLive = n.live();
        onDead(new Msg.Dead(n.incarnation, name, name, prune));
        // Serf's leave intent for a member that is still alive makes it "leaving" (2), not "left":
        // the member refutes (alive again) if it is up; if it is not, it is reaped as a left one.
        if (wasLive && !prune && n.state == MemberState.LEFT) {
            n.state = MemberState.LEAVING;
        }
        return true;
    }

    void requireActive() {
        if (shutdown || left) {
            throw new GossipException("gossip: this member has " + (shutdown ? "shut down" : "left"));
        }
    }

    GossipStats statsSnapshot() {
        Counters c = stats;
        return new GossipStats(c.packetsIn, c.packetsOut, c.bytesIn, c.bytesOut, c.streamsIn, c.streamsOut,
                c.droppedMalformed, c.droppedDecrypt, c.droppedOversize,
                c.probes, c.probeFailures, c.indirectProbes, c.tcpFallbackProbes, c.nacksReceived,
                c.suspicions, c.refutations, c.failuresDeclared, c.pushPulls, c.broadcastsQueued,
                c.eventsFired, c.eventsDelivered, awareness, broadcasts.size());
    }

    // =================================================================== join / leave

    CompletableFuture<Integer> join(List<String> addresses) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        if (addresses.isEmpty()) {
            result.completeExceptionally(new GossipException("gossip: join needs at least one address"));
            return result;
        }
        requireActive();
        int[] pending = {addresses.size()};
        int[] ok = {0};
        List<String> errors = new ArrayList<>();
        for (String addr : addresses) {
            pushPull(addr, true, error -> {
                if (error == null) {
                    ok[0]++;
                } else {
                    errors.add(addr + ": " + error);
                }
                if (--pending[0] == 0) {
                    if (ok[0] > 0) {
                        result.complete(ok[0]);
                    } else {
                        result.completeExceptionally(new GossipException("gossip: join failed: no member answered at any of the "
                                + addresses.size() + " address(es): " + String.join("; ", errors)));
                    }
                }
            });
        }
        return result;
    }

    CompletableFuture<Void> leave(long timeoutMillis) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (left || shutdown) {
            done.complete(null);
            return done;
        }
        leaving = true;
        self.state = MemberState.LEAVING;
        self.stateChange = sched.nowMillis();
        membershipChanged();
        Runnable finish = () -> {
            if (!done.isDone()) {
                finishLeave();
                done.complete(null);
            }
        };
        if (countNodes(n -> n != self && n.live()) == 0) {
            finish.run();
            return done;
        }
        Msg.Dead leaveMsg = new Msg.Dead(self.incarnation, localName, localName, false);
        queueMember(localName, leaveMsg, finish);
        // Besides the piggy-backed broadcast (whose few transmissions may go to members already
        // dead, or be lost), tell every live member once, directly: a graceful leave must not end
        // up looking like a failure.
        byte[] direct = Codec.encode(leaveMsg);
        for (Node n : List.copyOf(nodeList)) {
            if (n != self && n.live()) {
                sendPacket(n.address(), direct);
            }
        }
        sched.schedule(timeoutMillis, () -> {
            if (!done.isDone()) {
                LOG.warn("gossip: leave of {} timed out after {} ms before the broadcast was fully sent", localName, timeoutMillis);
            }
            finish.run();
        });
        return done;
    }

    private void finishLeave() {
        left = true;
        leaving = false;
        running = false;
        self.state = MemberState.LEFT;
        self.stateChange = sched.nowMillis();
        membershipChanged();
        cancelTimers();
    }

    private void cancelTimers() {
        probeTimer.cancel();
        gossipTimer.cancel();
        pushPullTimer.cancel();
        reconnectTimer.cancel();
        reapTimer.cancel();
    }

    // =================================================================== probing (SWIM + Lifeguard)

    private long scaled(long millis) {
        return millis * (awareness + 1);
    }

    void applyAwareness(int delta) {
        awareness = Math.max(0, Math.min(cfg.awarenessMaxMultiplier() - 1, awareness + delta));
    }

    int awareness() {
        return awareness;
    }

    private void probeTick() {
        if (!running) {
            return;
        }
        long interval = scaled(cfg.probeInterval().toMillis());
        Node target = nextProbeTarget();
        if (target != null) {
            probe(target, interval);
        }
        probeTimer = sched.schedule(interval, this::probeTick);
    }

    private Node nextProbeTarget() {
        for (int tries = 0; tries < 2; tries++) {
            while (probeIndex < probeOrder.size()) {
                Node n = probeOrder.get(probeIndex++);
                if (n != self && n.live() && nodes.get(n.name) == n) {
                    return n;
                }
            }
            List<Node> fresh = new ArrayList<>(nodeList.size());
            for (Node n : nodeList) {
                if (n != self && n.live()) {
                    fresh.add(n);
                }
            }
            Collections.shuffle(fresh, random);
            probeOrder = fresh;
            probeIndex = 0;
        }
        return null;
    }

    /** A new or revived member is probed within this round: insert it at a random place ahead. */
    private void addToProbeOrder(Node n) {
        int from = Math.min(probeIndex, probeOrder.size());
        probeOrder.add(from + random.nextInt(probeOrder.size() - from + 1), n);
    }

    private final class Probe implements AckHandler {
        final Node target;
        final int seq;
        final long sentNanos = sched.nowNanos();
        boolean done;
        boolean direct = true;
        int expectedNacks;
        int nacks;
        Scheduler.Cancellable indirectTimer = Scheduler.Cancellable.NONE;
        Scheduler.Cancellable deadline = Scheduler.Cancellable.NONE;

        Probe(Node target, int seq) {
            this.target = target;
            this.seq = seq;
        }

        @Override
        public void ack() {
            if (done) {
                return;
            }
            done = true;
            acks.remove(seq);
            indirectTimer.cancel();
            deadline.cancel();
            // Lifeguard: a timely direct ack is evidence that we are healthy.
            if (direct) {
                applyAwareness(-1);
            }
        }

        @Override
        public void nack() {
            nacks++;
            stats.nacksReceived++;
        }
    }

    private void probe(Node target, long interval) {
        stats.probes++;
        int s = nextSeq();
        Probe p = new Probe(target, s);
        acks.put(s, p);
        Msg.Ping ping = new Msg.Ping(s, target.name, localName);
        if (target.state == MemberState.SUSPECT) {
            // Lifeguard's buddy system: tell a suspect it is suspected, so it can refute at once.
            sendCompound(target.address(), List.of(Codec.encode(ping),
                    Codec.encode(new Msg.Suspect(target.incarnation, target.name, localName))));
        } else {
            sendWithPiggyback(target.address(), Codec.encode(ping));
        }
        long probeTimeout = scaled(cfg.probeTimeout().toMillis());
        p.indirectTimer = sched.schedule(probeTimeout, () -> indirectProbe(p, interval - probeTimeout));
        p.deadline = sched.schedule(interval, () -> probeFailed(p));
    }

    private void indirectProbe(Probe p, long remaining) {
        if (p.done || !running) {
            return;
        }
        p.direct = false;
        List<Node> helpers = randomNodes(cfg.indirectChecks(),
                n -> n != self && n != p.target && n.state == MemberState.ALIVE);
        for (Node h : helpers) {
            stats.indirectProbes++;
            sendWithPiggyback(h.address(), Codec.encode(
                    new Msg.IndirectPing(p.seq, p.target.name, p.target.address(), true, localName)));
        }
        p.expectedNacks = helpers.size();
        if (cfg.tcpFallbackProbe() && remaining > 0) {
            stats.tcpFallbackProbes++;
            stats.streamsOut++;
            byte[] req = wrap(Codec.encode(new Msg.Ping(p.seq, p.target.name, localName)));
            transport.exchange(p.target.address(), req, remaining, loopCallback(reply -> {
                Msg m = decodeStreamReply(reply);
                if (m instanceof Msg.Ack a && a.seq() == p.seq) {
                    p.ack();
                }
            }, error -> { }));
        }
    }

    private void probeFailed(Probe p) {
        if (p.done) {
            return;
        }
        p.done = true;
        acks.remove(p.seq);
        if (!running) {
            return;
        }
        stats.probeFailures++;
        // Lifeguard: helpers that did not even nack are a sign that *we* are the slow one.
        int delta = p.expectedNacks > 0 ? p.expectedNacks - p.nacks : 1;
        applyAwareness(Math.max(0, delta));
        Node t = p.target;
        if (nodes.get(t.name) == t && t.live()) {
            onSuspect(new Msg.Suspect(t.incarnation, t.name, localName));
        }
    }

    private int nextSeq() {
        return ++seq;
    }

    private void onPing(String from, Msg.Ping ping) {
        if (!ping.target().equals(localName)) {
            return; // meant for whoever had this address before us
        }
        // Our coordinate first, then the ack: the prober still has the probe open when the coordinate arrives.
        io.roster.gossip.coordinate.Coordinate c = coordinate;
        sendWithPiggyback(from, List.of(Codec.encode(new Msg.Coord(ping.seq(), localName, c.vec(), c.error(),
                c.adjustment(), c.height())), Codec.encode(new Msg.Ack(ping.seq()))));
    }

    /**
     * A peer's coordinate with its ack: if it answers our own direct probe of that peer, the probe's
     * round trip and the coordinate make one Vivaldi observation. Relayed acks (indirect probes) carry
     * another path's time and are not used.
     */
    private void onCoord(Msg.Coord c) {
        if (!(acks.get(c.seq()) instanceof Probe p) || p.done || !p.direct || !p.target.name.equals(c.node())) {
            return;
        }
        io.roster.gossip.coordinate.Coordinate theirs = new io.roster.gossip.coordinate.Coordinate(c.vec(), c.error(),
                c.adjustment(), c.height());
        double rtt = (sched.nowNanos() - p.sentNanos) / 1e9;
        if (vivaldi.update(c.node(), theirs, rtt)) {
            peerCoordinates.put(c.node(), theirs);
            coordinate = vivaldi.coordinate();
        }
    }

    private void onIndirectPing(String from, Msg.IndirectPing ip) {
        int s = nextSeq();
        boolean[] answered = {false};
        acks.put(s, new AckHandler() {
            @Override
            public void ack() {
                if (!answered[0]) {
                    answered[0] = true;
                    acks.remove(s);
                    sendWithPiggyback(from, Codec.encode(new Msg.Ack(ip.seq())));
                }
            }

            @Override
            public void nack() {
            }
        });
        sendWithPiggyback(ip.targetAddress(), Codec.encode(new Msg.Ping(s, ip.target(), localName)));
        long timeout = cfg.probeTimeout().toMillis();
        if (ip.wantNack()) {
            sched.schedule(timeout * 8 / 10, () -> {
                if (!answered[0]) {
                    sendPacket(from, Codec.encode(new Msg.Nack(ip.seq())));
                }
            });
        }
        sched.schedule(cfg.probeInterval().toMillis(), () -> acks.remove(s));
    }

    private void onAck(Msg.Ack a) {
        AckHandler h = acks.get(a.seq());
        if (h != null) {
            h.ack();
        }
    }

    private void onNack(Msg.Nack n) {
        AckHandler h = acks.get(n.seq());
        if (h != null) {
            h.nack();
        }
    }

    // =================================================================== state machine

    /** Live members (this one always counted), cached: it sizes every broadcast and suspicion. */
    private int liveCount() {
        if (liveCache < 0) {
            liveCache = Math.max(1, countNodes(Node::live) + (self.live() ? 0 : 1));
        }
        return liveCache;
    }

    /** Call after any change of a member's state or of the member list. */
    private void membershipChanged() {
        liveCache = -1;
    }

    int countNodes(Predicate<Node> p) {
        int c = 0;
        for (Node n : nodeList) {
            if (p.test(n)) {
                c++;
            }
        }
        return c;
    }

    int retransmitLimit() {
        return cfg.retransmitMult() * (int) Math.ceil(Math.log10(liveCount() + 1.0));
    }

    private long suspicionMin() {
        double scale = Math.max(1.0, Math.log10(Math.max(1, liveCount())));
        return (long) (cfg.suspicionMult() * scale * cfg.probeInterval().toMillis());
    }

    void onAlive(Msg.Alive a) {
        if (a.node().equals(localName)) {
            // News about us from a previous life, or an echo: refute anything newer or different.
            if (!leaving && !left && (a.incarnation() > self.incarnation
                    || (a.incarnation() == self.incarnation && !a.tags().equals(self.tags)))) {
                refute(a.incarnation());
            }
            return;
        }
        Node n = nodes.get(a.node());
        long now = sched.nowMillis();
        if (n == null) {
            n = new Node(a.node(), a.host(), a.port(), a.tags(), a.incarnation(), MemberState.ALIVE, now);
            n.protocol = a.protocol();
            nodes.put(n.name, n);
            nodeList.add(n);
            membershipChanged();
            addToProbeOrder(n);
            queueMember(n.name, a, null);
            listener.onJoin(n.snapshot());
            return;
        }
        if (a.incarnation() <= n.incarnation) {
            return;
        }
        MemberState old = n.state;
        boolean changed = !a.tags().equals(n.tags) || !a.host().equals(n.host) || a.port() != n.port;
        n.incarnation = a.incarnation();
        n.host = a.host();
        n.port = a.port();
        n.tags = a.tags();
        n.protocol = a.protocol();
        if (n.suspicion != null) {
            n.suspicion.cancel();
            n.suspicion = null;
        }
        n.state = MemberState.ALIVE;
        if (old != MemberState.ALIVE) {
            n.stateChange = now;
            membershipChanged();
        }
        queueMember(n.name, a, null);
        if (old == MemberState.FAILED || old == MemberState.LEFT || old == MemberState.LEAVING) {
            addToProbeOrder(n);
            listener.onJoin(n.snapshot());
        } else if (changed) {
            listener.onUpdate(n.snapshot());
        }
    }

    void onSuspect(Msg.Suspect s) {
        Node n = nodes.get(s.node());
        if (n == null || s.incarnation() < n.incarnation || !n.live()) {
            return;
        }
        if (n == self) {
            if (!leaving && !left) {
                refute(s.incarnation());
            }
            return;
        }
        if (n.state == MemberState.SUSPECT) {
            // Lifeguard's dogpile: each independent confirmation shortens the timeout; pass it on.
            if (n.suspicion != null && n.suspicion.confirm(s.from())) {
                queueMember(n.name, s, null);
            }
            return;
        }
        n.incarnation = s.incarnation();
        n.state = MemberState.SUSPECT;
        n.stateChange = sched.nowMillis();
        stats.suspicions++;
        queueMember(n.name, s, null);
        int k = cfg.suspicionMult() - 2;
        if (liveCount() - 2 < k) {
            k = 0;
        }
        long min = suspicionMin();
        long max = cfg.suspicionMaxTimeoutMult() * min;
        Node target = n;
        long inc = s.incarnation();
        n.suspicion = new Suspicion(sched, s.from(), k, min, max, () -> suspicionExpired(target, inc));
    }

    private void suspicionExpired(Node n, long incarnation) {
        if (nodes.get(n.name) != n || n.state != MemberState.SUSPECT || n.incarnation != incarnation || shutdown) {
            return;
        }
        stats.failuresDeclared++;
        LOG.info("gossip: {} declares {} failed (suspect for {} ms, {} confirmations)", localName, n.name,
                sched.nowMillis() - n.stateChange, n.suspicion == null ? 0 : n.suspicion.confirmations());
        onDead(new Msg.Dead(incarnation, n.name, localName, false));
    }

    void onDead(Msg.Dead d) {
        Node n = nodes.get(d.node());
        if (n == null || d.incarnation() < n.incarnation) {
            return;
        }
        boolean leftMsg = d.from().equals(d.node());
        if (n == self) {
            if (!leaving && !left) {
                refute(d.incarnation());
            }
            return;
        }
        if (!n.live()) {
            // Already gone. A leave notice after a failure upgrades it to "left" (force-leave).
            if (leftMsg && n.state == MemberState.FAILED) {
                membershipChanged();
                n.state = MemberState.LEFT;
                n.stateChange = sched.nowMillis();
                queueMember(n.name, d, null);
                listener.onLeave(n.snapshot());
            }
            if (d.prune()) {
                queueMember(n.name, d, null);
                reap(n);
            }
            return;
        }
        if (n.suspicion != null) {
            n.suspicion.cancel();
            n.suspicion = null;
        }
        n.incarnation = d.incarnation();
        n.state = leftMsg ? MemberState.LEFT : MemberState.FAILED;
        membershipChanged();
        n.stateChange = sched.nowMillis();
        queueMember(n.name, d, null);
        if (leftMsg) {
            listener.onLeave(n.snapshot());
        } else {
            listener.onFail(n.snapshot());
        }
        if (d.prune()) {
            reap(n);
        }
    }

    private void refute(long accused) {
        self.incarnation = Math.max(self.incarnation, accused) + 1;
        stats.refutations++;
        // Lifeguard: having to refute means others could not hear us in time; slow down a little.
        applyAwareness(1);
        queueMember(localName, self.alive(), null);
    }

    private void reap(Node n) {
        if (nodes.remove(n.name) == null) {
            return;
        }
        nodeList.remove(n);
        membershipChanged();
        keys.forget(n.name);
        vivaldi.forget(n.name);
        peerCoordinates.remove(n.name);
        listener.onReap(n.snapshot());
    }

    private void reapTick() {
        if (shutdown) {
            return;
        }
        long now = sched.nowMillis();
        for (Node n : List.copyOf(nodeList)) {
            if (n == self) {
                continue;
            }
            if ((n.state == MemberState.FAILED && now - n.stateChange > cfg.reconnectTimeout().toMillis())
                    || ((n.state == MemberState.LEFT || n.state == MemberState.LEAVING)
                            && now - n.stateChange > cfg.tombstoneTimeout().toMillis())) {
                reap(n);
            }
        }
        broadcasts.prune(Math.max(1024, 4 * nodeList.size()));
        reapTimer = sched.schedule(cfg.reapInterval().toMillis(), this::reapTick);
    }

    // =================================================================== dissemination

    private void queueMember(String node, Msg m, Runnable onDone) {
        stats.broadcastsQueued++;
        broadcasts.queue("m/" + node, Codec.encode(m), onDone);
    }

    void queueBroadcast(String key, Msg m) {
        stats.broadcastsQueued++;
        broadcasts.queue(key, Codec.encode(m), null);
    }

    private int packetBudget() {
        return cfg.udpBufferSize() - keyring.overhead();
    }

    private void gossipTick() {
        if (shutdown || (!running && !leaving)) {
            return;
        }
        long now = sched.nowMillis();
        long deadWindow = cfg.gossipToTheDeadTime().toMillis();
        List<Node> targets = randomNodes(cfg.gossipNodes(), n -> n != self
                && (n.live() || now - n.stateChange < deadWindow));
        for (Node t : targets) {
            List<byte[]> parts = broadcasts.take(2, packetBudget() - Codec.compoundOverhead(0), retransmitLimit());
            if (parts.isEmpty()) {
                break;
            }
            sendCompound(t.address(), parts);
        }
        gossipTimer = sched.schedule(cfg.gossipInterval().toMillis(), this::gossipTick);
    }

    private void sendWithPiggyback(String addr, byte[] msg) {
        sendWithPiggyback(addr, List.of(msg));
    }

    /** Sends {@code msgs} in one packet, with as many queued broadcasts as fit. */
    private void sendWithPiggyback(String addr, List<byte[]> msgs) {
        int room = packetBudget() - Codec.compoundOverhead(msgs.size());
        for (byte[] m : msgs) {
            room -= m.length;
        }
        List<byte[]> extra = broadcasts.take(2, room, retransmitLimit());
        if (extra.isEmpty()) {
            sendCompound(addr, msgs);
            return;
        }
        List<byte[]> parts = new ArrayList<>(extra.size() + msgs.size());
        parts.addAll(msgs);
        parts.addAll(extra);
        sendCompound(addr, parts);
    }

    private void sendCompound(String addr, List<byte[]> parts) {
        if (parts.size() == 1) {
            sendPacket(addr, parts.getFirst());
        } else {
            sendPacket(addr, Codec.encode(new Msg.Compound(parts)));
        }
    }

    /** Sends one encoded message; one too big for a packet goes over the stream transport instead. */
    private void sendPacket(String addr, byte[] plain) {
        if (shutdown) {
            return;
        }
        if (plain.length > packetBudget()) {
            stats.streamsOut++;
            transport.exchange(addr, wrap(plain), cfg.tcpTimeout().toMillis(), loopCallback(r -> { }, e -> { }));
            return;
        }
        byte[] wire = wrap(plain);
        stats.packetsOut++;
        stats.bytesOut += wire.length;
        transport.sendPacket(addr, wire);
    }

    byte[] wrap(byte[] plain) {
        return keyring.enabled() ? keyring.encrypt(plain) : plain;
    }

    /** Plaintext of an inbound packet or stream, or null (counted, logged) if it does not decrypt. */
    private byte[] unwrap(String from, byte[] data, String kind) {
        if (data.length == 0) {
            stats.droppedMalformed++;
            return null;
        }
        boolean encrypted = data[0] == Keyring.VERSION;
        if (!keyring.enabled()) {
            if (encrypted) {
                stats.droppedDecrypt++;
                logDrop(from, kind, "it is encrypted, but this member has no encrypt key");
                return null;
            }
            return data;
        }
        if (!encrypted) {
            stats.droppedDecrypt++;
            logDrop(from, kind, "it is not encrypted, but this member has an encrypt key (missing encrypt key on the sender?)");
            return null;
        }
        byte[] plain = keyring.decrypt(data);
        if (plain == null) {
            stats.droppedDecrypt++;
            logDrop(from, kind, "no installed key decrypts it (wrong or missing encrypt key?)");
        }
        return plain;
    }

    private void logDrop(String from, String kind, String why) {
        long now = sched.nowMillis();
        Long last = dropLogged.get(from);
        if (last != null && now - last < cfg.dropLogInterval().toMillis()) {
            return;
        }
        if (dropLogged.size() > 1024) {
            dropLogged.clear();
        }
        dropLogged.put(from, now);
        LOG.warn("gossip: dropped {} from {}: {}", kind, from, why);
    }

    // =================================================================== inbound

    void onPacket(String from, byte[] data) {
        if (shutdown) {
            return;
        }
        stats.packetsIn++;
        stats.bytesIn += data.length;
        if (data.length > cfg.udpBufferSize()) {
            stats.droppedOversize++;
            logDrop(from, "packet", "it is " + data.length + " bytes, over the " + cfg.udpBufferSize() + "-byte limit");
            return;
        }
        try {
            byte[] plain = unwrap(from, data, "packet");
            if (plain == null) {
                return;
            }
            Msg m = Codec.decode(plain);
            if (m instanceof Msg.Compound c) {
                for (byte[] part : c.parts()) {
                    handleOne(from, part);
                }
            } else {
                handle(from, m);
            }
        } catch (Codec.Malformed e) {
            stats.droppedMalformed++;
            LOG.debug("gossip: dropped malformed packet from {}: {}", from, e.getMessage());
        } catch (RuntimeException e) {
            stats.droppedMalformed++;
            LOG.warn("gossip: dropped packet from {} that failed handling", from, e);
        }
    }

    private void handleOne(String from, byte[] part) {
        try {
            Msg m = Codec.decode(part);
            if (m instanceof Msg.Compound) {
                throw new Codec.Malformed("nested compound");
            }
            handle(from, m);
        } catch (Codec.Malformed e) {
            stats.droppedMalformed++;
            LOG.debug("gossip: dropped malformed message from {}: {}", from, e.getMessage());
        }
    }

    private void handle(String from, Msg m) {
        if (left && !(m instanceof Msg.Ping)) {
            return;
        }
        switch (m) {
            case Msg.Ping p -> onPing(from, p);
            case Msg.IndirectPing ip -> onIndirectPing(from, ip);
            case Msg.Ack a -> onAck(a);
            case Msg.Nack n -> onNack(n);
            case Msg.Coord c -> onCoord(c);
            case Msg.Suspect s -> onSuspect(s);
            case Msg.Alive a -> onAlive(a);
            case Msg.Dead d -> onDead(d);
            case Msg.UserEventMsg e -> events.onEvent(e);
            case Msg.KeyOp k -> keys.onKeyOp(k);
            case Msg.KeyReport r -> keys.onReport(r);
            case Msg.PushPull p -> throw new Codec.Malformed("push-pull is only accepted over a stream");
            case Msg.Compound c -> throw new Codec.Malformed("nested compound");
        }
    }

    void onStream(String from, byte[] request, Consumer<byte[]> reply) {
        if (shutdown) {
            reply.accept(null);
            return;
        }
        stats.streamsIn++;
        stats.bytesIn += request.length;
        try {
            byte[] plain = unwrap(from, request, "stream");
            if (plain == null) {
                reply.accept(null);
                return;
            }
            Msg m = Codec.decode(plain);
            switch (m) {
                case Msg.Ping p -> reply.accept(p.target().equals(localName) ? wrap(Codec.encode(new Msg.Ack(p.seq()))) : null);
                case Msg.PushPull p -> {
                    stats.pushPulls++;
                    byte[] mine = wrap(Codec.encode(localState(false)));
                    mergeRemote(p);
                    reply.accept(mine);
                }
                case Msg.Compound c -> {
                    for (byte[] part : c.parts()) {
                        handleOne(from, part);
                    }
                    reply.accept(new byte[0]);
                }
                default -> {
                    handle(from, m);
                    reply.accept(new byte[0]);
                }
            }
        } catch (Codec.Malformed e) {
            stats.droppedMalformed++;
            LOG.debug("gossip: dropped malformed stream from {}: {}", from, e.getMessage());
            reply.accept(null);
        } catch (RuntimeException e) {
            stats.droppedMalformed++;
            LOG.warn("gossip: dropped stream from {} that failed handling", from, e);
            reply.accept(null);
        }
    }

    /** Decodes a stream reply; null (counted) when it does not decrypt or decode. */
    private Msg decodeStreamReply(byte[] reply) {
        if (reply == null || reply.length == 0) {
            return null;
        }
        try {
            byte[] plain = unwrap("stream reply", reply, "stream reply");
            return plain == null ? null : Codec.decode(plain);
        } catch (Codec.Malformed e) {
            stats.droppedMalformed++;
            return null;
        }
    }

    /** Wraps transport callbacks so they run on the loop, and at most once. */
    private Transport.StreamCallback loopCallback(Consumer<byte[]> onReply, Consumer<String> onError) {
        return new Transport.StreamCallback() {
            @Override
            public void onReply(byte[] reply) {
                sched.execute(() -> {
                    if (!shutdown) {
                        onReply.accept(reply);
                    }
                });
            }

            @Override
            public void onError(String reason) {
                sched.execute(() -> {
                    if (!shutdown) {
                        onError.accept(reason);
                    }
                });
            }
        };
    }

    // =================================================================== push-pull

    private long pushPullDelay() {
        long base = cfg.pushPullInterval().toMillis();
        int n = liveCount();
        if (n > 32) {
            // memberlist's pushPullScale: back off as the cluster grows, to keep total TCP load flat.
            double mult = Math.ceil(Math.log(n) / Math.log(2) - Math.log(32) / Math.log(2)) + 1.0;
            base = (long) (base * mult);
        }
        return base / 2 + random.nextLong(Math.max(1, base));
    }

    private void pushPullTick() {
        if (!running) {
            return;
        }
        List<Node> peer = randomNodes(1, n -> n != self && n.state == MemberState.ALIVE);
        if (!peer.isEmpty()) {
            pushPull(peer.getFirst().address(), false, error -> {
                if (error != null) {
                    LOG.debug("gossip: push-pull with {} failed: {}", peer.getFirst().name, error);
                }
            });
        }
        pushPullTimer = sched.schedule(pushPullDelay(), this::pushPullTick);
    }

    /** Serf's reconnect: now and then try a full sync with a failed member, so healed partitions merge. */
    private void reconnectTick() {
        if (!running) {
            return;
        }
        List<Node> failed = new ArrayList<>();
        for (Node n : nodeList) {
            if (n.state == MemberState.FAILED) {
                failed.add(n);
            }
        }
        if (!failed.isEmpty()) {
            double p = (double) failed.size() / Math.max(1, countNodes(n -> n.state == MemberState.ALIVE));
            if (random.nextDouble() < p) {
                Node t = failed.get(random.nextInt(failed.size()));
                pushPull(t.address(), false, error -> { });
            }
        }
        reconnectTimer = sched.schedule(cfg.reconnectInterval().toMillis(), this::reconnectTick);
    }

    private void pushPull(String addr, boolean join, Consumer<String> done) {
        stats.streamsOut++;
        stats.pushPulls++;
        byte[] req = wrap(Codec.encode(localState(join)));
        transport.exchange(addr, req, cfg.tcpTimeout().toMillis(), loopCallback(reply -> {
            if (reply == null || reply.length == 0) {
                done.accept("the member closed the stream without a reply (wrong or missing encrypt key on one side?)");
                return;
            }
            byte[] plain = unwrap(addr, reply, "push-pull reply");
            if (plain == null) {
                done.accept("its reply did not decrypt (wrong or missing encrypt key?)");
                return;
            }
            Msg m;
            try {
                m = Codec.decode(plain);
            } catch (Codec.Malformed e) {
                stats.droppedMalformed++;
                done.accept("malformed reply: " + e.getMessage());
                return;
            }
            if (!(m instanceof Msg.PushPull p)) {
                stats.droppedMalformed++;
                done.accept("unexpected reply type");
                return;
            }
            if (join) {
                events.joined(p.eventLTime());
            }
            mergeRemote(p);
            done.accept(null);
        }, error -> done.accept(error.contains("without a reply")
                ? error + " (it refused our request: wrong or missing encrypt key on one side?)" : error)));
    }

    Msg.PushPull localState(boolean join) {
        List<Msg.MemberEntry> entries = new ArrayList<>(nodeList.size());
        for (Node n : nodeList) {
            byte st = switch (n.state) {
                case ALIVE -> Msg.MemberEntry.ALIVE;
                case SUSPECT -> Msg.MemberEntry.SUSPECT;
                case FAILED -> Msg.MemberEntry.DEAD;
                case LEFT, LEAVING -> Msg.MemberEntry.LEFT;
            };
            entries.add(new Msg.MemberEntry(n.alive(), st));
        }
        return new Msg.PushPull(join, events.clock(), keys.clock(), entries, events.recent(), keys.recentOps(), keys.reports());
    }

    private void mergeRemote(Msg.PushPull p) {
        events.witness(p.eventLTime());
        keys.witness(p.keyLTime());
        for (Msg.MemberEntry e : p.members()) {
            Msg.Alive a = e.alive();
            switch (e.state()) {
                case Msg.MemberEntry.ALIVE -> onAlive(a);
                case Msg.MemberEntry.LEFT -> onDead(new Msg.Dead(a.incarnation(), a.node(), a.node(), false));
                default -> {
                    // Their "dead" may be our "alive": suspect rather than kill, and let the member refute.
                    if (!nodes.containsKey(a.node())) {
                        break;
                    }
                    onSuspect(new Msg.Suspect(a.incarnation(), a.node(), localName));
                }
            }
        }
        for (Msg.KeyOp k : p.keyOps()) {
            keys.onKeyOp(k);
        }
        for (Msg.KeyReport r : p.keyReports()) {
            keys.onReport(r);
        }
        for (Msg.UserEventMsg e : p.events()) {
            events.onEvent(e);
        }
    }

    // =================================================================== helpers

    /** Up to k distinct random nodes matching {@code filter}. */
    List<Node> randomNodes(int k, Predicate<Node> filter) {
        List<Node> out = new ArrayList<>(k);
        int size = nodeList.size();
        if (size <= 1 || k <= 0) {
            return out;
        }
        // Random probes first (cheap in big clusters), then a scan if that found too few.
        for (int tries = 0; tries < 3 * k + 8 && out.size() < k; tries++) {
            Node n = nodeList.get(random.nextInt(size));
            if (filter.test(n) && !out.contains(n)) {
                out.add(n);
            }
        }
        if (out.size() < k) {
            List<Node> all = new ArrayList<>();
            for (Node n : nodeList) {
                if (filter.test(n) && !out.contains(n)) {
                    all.add(n);
                }
            }
            Collections.shuffle(all, random);
            for (int i = 0; i < all.size() && out.size() < k; i++) {
                out.add(all.get(i));
            }
        }
        return out;
    }

    Node node(String name) {
        return nodes.get(name);
    }

    List<Node> nodeList() {
        return nodeList;
    }

    /** For tests: the names and states this member sees. */
    Map<String, MemberState> view() {
        Map<String, MemberState> v = new LinkedHashMap<>();
        for (Node n : nodeList) {
            v.put(n.name, n.state);
        }
        return v;
    }
}
