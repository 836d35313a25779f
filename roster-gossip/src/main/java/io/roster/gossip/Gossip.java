package io.roster.gossip;

import io.roster.gossip.time.LoopScheduler;
import io.roster.gossip.time.Scheduler;
import io.roster.gossip.time.SimScheduler;
import io.roster.gossip.transport.Transport;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One member of a gossip pool: the public face of the protocol core. Every call is handed to the
 * member's event loop (its {@link Scheduler}), so this class is thread-safe while the core stays
 * single-threaded.
 *
 * <pre>{@code
 * var transport = UdpTcpTransport.bind("0.0.0.0", 8301, "10.0.0.1"); // bind, advertise
 * var gossip = Gossip.create(GossipConfig.lan("node-1"), transport, listener);
 * gossip.start();
 * gossip.join(List.of("10.0.0.2:8301"));
 * ...
 * gossip.leave(Duration.ofSeconds(5));
 * gossip.shutdown();
 * }</pre>
 *
 * <p>In a simulation ({@link SimScheduler}) use the {@code ...Async} variants and run the scheduler
 * until their futures complete: the blocking variants would wait for a clock nobody advances.
 */
public final class Gossip implements AutoCloseable {
    private final GossipCore core;
    private final Scheduler scheduler;
    private final Transport transport;
    private final boolean ownsScheduler;
    private final KeyManager keyManager;

    private Gossip(GossipConfig config, Transport transport, Scheduler scheduler, Listener listener, boolean ownsScheduler) {
        this.scheduler = scheduler;
        this.transport = transport;
        this.ownsScheduler = ownsScheduler;
        this.core = new GossipCore(config, transport, scheduler, listener == null ? Listener.NONE : listener);
        this.keyManager = new KeyManager(this);
    }

    /** A member on the given scheduler (a {@link LoopScheduler} of its own, or a shared {@link SimScheduler}). */
    public static Gossip create(GossipConfig config, Transport transport, Scheduler scheduler, Listener listener) {
        return new Gossip(config, transport, scheduler, listener, false);
    }

    /** A member with an event loop thread of its own ("gossip-" + name), closed by {@link #shutdown()}. */
    public static Gossip create(GossipConfig config, Transport transport, Listener listener) {
        return new Gossip(config, transport, new LoopScheduler("gossip-" + config.name()), listener, true);
    }

    /** Starts the transport and the protocol (probing, gossip, push-pull, reconnect, reap). */
    public void start() throws IOException {
        transport.start(new Transport.Handler() {
            @Override
            public void onPacket(String from, byte[] packet) {
                scheduler.execute(() -> core.onPacket(from, packet));
            }

            @Override
            public void onStream(String from, byte[] request, Consumer<byte[]> reply) {
                scheduler.execute(() -> core.onStream(from, request, reply));
            }
        });
        scheduler.call(() -> {
            core.start();
            return null;
        });
    }

    /**
     * Joins the pool through the given {@code host:port} addresses (a full state sync with each).
     * Returns how many answered; throws {@link GossipException} naming each failure when none did.
     */
    public int join(List<String> addresses) {
        return await(joinAsync(addresses), core.cfg.tcpTimeout().multipliedBy(2).plusSeconds(5));
    }

    public CompletableFuture<Integer> joinAsync(List<String> addresses) {
        return scheduler.call(() -> core.join(List.copyOf(addresses)));
    }

    /**
     * Leaves gracefully: tells the pool this member "left" (not failed) and waits, at most
     * {@code timeout}, for that news to be sent enough times; then stops probing and gossiping.
     * Call {@link #shutdown()} afterwards.
     */
    public void leave(Duration timeout) {
        await(leaveAsync(timeout), timeout.plusSeconds(5));
    }

    public CompletableFuture<Void> leaveAsync(Duration timeout) {
        return scheduler.call(() -> core.leave(timeout.toMillis()));
    }

    /** Stops everything at once, without telling anyone (others will detect a failure unless we left). */
    public void shutdown() {
        try {
            scheduler.call(() -> {
                core.shutdown();
                return null;
            });
        } catch (RuntimeException alreadyDown) {
            // the loop is gone: nothing left to stop there
        }
        transport.close();
        if (ownsScheduler && scheduler instanceof LoopScheduler loop) {
            loop.close();
        }
    }

    @Override
    public void close() {
        shutdown();
    }

    /** Every known member, this one included, as this member sees them. */
    public List<Member> members() {
        return scheduler.call(core::members);
    }

    /** One member as this member sees it, if known. */
    public java.util.Optional<Member> member(String name) {
        return scheduler.call(() -> {
            GossipCore.Node n = core.node(name);
            return java.util.Optional.ofNullable(n == null ? null : n.snapshot());
        });
    }

    /** This member's network coordinate now (Vivaldi, from its direct probes' round trips). */
    public io.roster.gossip.coordinate.Coordinate coordinate() {
        return core.coordinate;
    }

    /** The last coordinate each peer sent with its ack to one of this member's probes. */
    public Map<String, io.roster.gossip.coordinate.Coordinate> peerCoordinates() {
        return Map.copyOf(core.peerCoordinates);
    }

    public Member localMember() {
        return scheduler.call(core::localMember);
    }

    /** Replaces this member's tags and gossips them (with an incarnation bump). */
    public void setTags(Map<String, String> tags) {
        Map<String, String> copy = Map.copyOf(tags);
        scheduler.call(() -> {
            core.setTags(copy);
            return null;
        });
    }

    /**
     * Marks a member as left on behalf of it (Consul's force-leave), telling the pool. With
     * {@code prune}, it is also forgotten at once everywhere. An alive member will refute it.
     * Returns false if the member is unknown.
     */
    public boolean forceLeave(String name, boolean prune) {
        return scheduler.call(() -> core.forceLeave(name, prune));
    }

    /** Fires a user event to the whole pool (delivered here too). Throws if name + payload exceed the limit. */
    public void fireEvent(String name, byte[] payload) {
        fireEvent(name, payload, false);
    }

    public void fireEvent(String name, byte[] payload, boolean coalesce) {
        byte[] copy = payload.clone();
        scheduler.call(() -> {
            core.events.fire(name, copy, coalesce);
            return null;
        });
    }

    /** Cluster-wide keyring operations. */
    public KeyManager keyring() {
        return keyManager;
    }

    public GossipStats stats() {
        return scheduler.call(core::statsSnapshot);
    }

    /** This member's name. */
    public String name() {
        return core.localName;
    }

    /** The {@code host:port} others reach this member at. */
    public String address() {
        return transport.host() + ":" + transport.port();
    }

    <T> T onLoop(java.util.concurrent.Callable<T> task) {
        return scheduler.call(task);
    }

    GossipCore core() {
        return core;
    }

    private <T> T await(CompletableFuture<T> f, Duration max) {
        if (scheduler instanceof SimScheduler) {
            throw new IllegalStateException("gossip: in a simulation use the ...Async method and run the scheduler");
        }
        try {
            return f.get(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new GossipException(e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new GossipException("gossip: timed out after " + max.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GossipException("gossip: interrupted", e);
        }
    }
}
