package io.roster.agent.checks;

/**
 * One kind of active check (HTTP, TCP, UDP, script, gRPC, alias). {@link #run} blocks: it is
 * called on a virtual thread, one run at a time per check, and must return within the check's
 * timeout (each probe enforces its own deadline). An interrupt means the check was stopped.
 */
interface Probe {
    Result run() throws InterruptedException;
}
