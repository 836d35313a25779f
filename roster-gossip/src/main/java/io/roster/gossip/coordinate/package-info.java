/**
 * Network coordinates: a Vivaldi client ({@link io.roster.gossip.coordinate.VivaldiClient}) as Serf
 * runs one per member, fed with the round trips of the gossip layer's direct probes and the
 * coordinate each peer sends with its ack. Pure computation: no I/O, no clock, no threads; the
 * caller passes every round trip and a random source. Knows nothing of the catalog.
 */
package io.roster.gossip.coordinate;
