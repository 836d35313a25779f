package io.roster.it.hosts;

import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * JUnit 5 extension that gives a test a fresh {@link NetHosts} and tears it down however the test
 * ends (the fixture is an {@code AutoCloseable} in the test's, or the class's, extension
 * store, which JUnit closes when that context ends). Tests are skipped, with the reason, where hosts cannot be made (not root, no
 * {@code ip netns}).
 *
 * <pre>{@code
 * @RegisterExtension static final NetHostsExtension HOSTS = NetHostsExtension.perTest();
 * @Test void t(NetHosts hosts) { Host a = hosts.addHost("a", "10.10.10.10"); ... }
 * }</pre>
 *
 * When a test fails, the last lines of every process log of its hosts are printed, with the
 * directory that holds the whole logs. {@link #perClass()} shares one fixture among the tests of a class (it is closed after the last);
 * {@link #hosts()} returns the current one.
 */
public final class NetHostsExtension implements BeforeAllCallback, BeforeEachCallback, ParameterResolver, TestWatcher {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(NetHostsExtension.class);
    private final boolean perClass;
    private volatile NetHosts current;

    private NetHostsExtension(boolean perClass) {
        this.perClass = perClass;
    }

    public static NetHostsExtension perTest() {
        return new NetHostsExtension(false);
    }

    public static NetHostsExtension perClass() {
        return new NetHostsExtension(true);
    }

    /** The fixture of the running test (or class). */
    public NetHosts hosts() {
        if (current == null) {
            throw new IllegalStateException("no NetHosts yet (register the extension with @RegisterExtension on a static field)");
        }
        return current;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        assumeAvailable();
        if (perClass) {
            open(context);
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        assumeAvailable();
        if (!perClass) {
            open(context);
        }
    }

    private void open(ExtensionContext context) {
        NetHosts h = NetHosts.create(NetHosts.defaultLogRoot());
        current = h;
        System.out.println("NetHosts " + h.runId() + ": logs in " + h.logDir());
        // JUnit (5.13+) closes an AutoCloseable in the store when its context ends, whether the tests passed, failed or threw.
        context.getStore(NS).put("hosts", h);
    }

    private static void assumeAvailable() {
        Optional<String> reason = NetHosts.unavailableReason();
        Assumptions.assumeTrue(reason.isEmpty(), () -> "multi-host tests skipped: " + reason.orElse(""));
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
        return p.getParameter().getType() == NetHosts.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext c) {
        return hosts();
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        NetHosts h = current;
        if (h == null) {
            return;
        }
        StringBuilder b = new StringBuilder("NetHosts " + h.runId() + ": " + context.getDisplayName() + " failed; logs in " + h.logDir() + "\n");
        for (Host host : h.hosts()) {
            for (Host.Proc p : host.processes()) {
                String[] lines = p.logTail().split("\n");
                b.append("---- ").append(p).append(p.isAlive() ? "" : " (exited)").append(", last lines:\n");
                for (int i = Math.max(0, lines.length - 15); i < lines.length; i++) {
                    b.append("  ").append(lines[i]).append('\n');
                }
            }
        }
        System.out.print(b);
    }
}
