/**
 * Gossip membership for Roster's LAN/WAN pools: SWIM failure detection with Lifeguard's refinements,
 * piggy-backed dissemination, push-pull state sync, user events, and an AES-GCM keyring.
 *
 * <p>Owns: the member list and its states, incarnations, suspicion, the event and key clocks, the wire
 * format. Does not know the catalog, services, checks or the agent: the agent reads
 * {@link io.roster.gossip.Gossip#members()} and listens through {@link io.roster.gossip.Listener}.
 * Depends on nothing of Roster's and on SLF4J only.
 *
 * <p>Theory of operation. Each member runs its protocol core ({@code GossipCore}) on one event loop
 * ({@link io.roster.gossip.time.Scheduler}): packets, stream requests, timers and API calls are all
 * tasks on that loop, so the core has no locks. Time comes only from the scheduler, which is what lets
 * {@link io.roster.gossip.sim} run hundreds of members in virtual time. Bytes come only through a
 * {@link io.roster.gossip.transport.Transport}. Inbound bytes are untrusted: every decode is
 * bounds-checked, and anything that does not decrypt or decode is counted in
 * {@link io.roster.gossip.GossipStats} and dropped, never thrown. {@code docs/gossip.md} describes the
 * protocol and its timings.
 */
package io.roster.gossip;
