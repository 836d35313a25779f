package io.roster.gossip;

/**
 * Counters since the member started. Drops are counted by cause; every dropped input is counted
 * exactly once.
 */
public record GossipStats(
        long packetsIn, long packetsOut, long bytesIn, long bytesOut,
        long streamsIn, long streamsOut,
        long droppedMalformed, long droppedDecrypt, long droppedOversize,
        long probes, long probeFailures, long indirectProbes, long tcpFallbackProbes, long nacksReceived,
        long suspicions, long refutations, long failuresDeclared,
        long pushPulls, long broadcastsQueued, long eventsFired, long eventsDelivered,
        int awareness, int queuedBroadcasts) {
}
