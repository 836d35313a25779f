package io.roster.it.hosts;

import java.nio.file.Path;
import java.util.List;

/**
 * A separate JVM for {@link NetHostsSelfTest}: makes a fixture with one host and a process in it,
 * prints the host's namespace, then, without closing the fixture, exits ({@code exit}) or waits to
 * be terminated ({@code wait}). The JVM shutdown hook must tear the fixture down either way.
 */
public final class HookProbe {
    private HookProbe() {
    }

    public static void main(String[] args) throws Exception {
        NetHosts hosts = NetHosts.create(Path.of(args[1]));
        Host a = hosts.addHost("a", "10.10.10.10");
        Host.Proc sleep = a.start("sleep", List.of("sleep", "300"));
        System.out.println("namespace " + a.namespace() + " bridge " + hosts.bridgeNamespace() + " pid " + sleep.pid());
        System.out.flush();
        if (args[0].equals("exit")) {
            System.exit(3);
        }
        Thread.sleep(120_000); // until SIGTERM; bounded if it never comes
    }
}
