/**
 * How gossip bytes travel: the {@link io.roster.gossip.transport.Transport} interface (packets plus a
 * one-request-one-reply stream) and its real UDP+TCP implementation. Knows nothing of the protocol:
 * no parsing beyond stream framing.
 */
package io.roster.gossip.transport;
