/**
 * Clocks and event loops for gossip members: a real single-threaded loop, and a discrete-event
 * scheduler in virtual time for simulations. Knows nothing of the protocol.
 */
package io.roster.gossip.time;
