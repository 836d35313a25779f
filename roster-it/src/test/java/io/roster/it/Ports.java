package io.roster.it;

import java.io.IOException;

/**
 * Free local ports for the agents a test starts: the testkit's {@link io.roster.testkit.Ports}
 * (ports from 20000-32767, below Linux's ephemeral range, checked free for TCP and UDP), kept
 * under this name so that roster-it's tests keep one short import.
 */
public final class Ports {
    private Ports() {
    }

    /** See {@link io.roster.testkit.Ports#free()}. */
    public static int free() throws IOException {
        return io.roster.testkit.Ports.free();
    }

    /** See {@link io.roster.testkit.Ports#freePair()}. */
    public static int freePair() throws IOException {
        return io.roster.testkit.Ports.freePair();
    }
}
