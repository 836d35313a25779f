package io.roster.tools;

import io.roster.api.Durations;
import io.roster.tools.ctmpl.ConfigFile;
import io.roster.tools.ctmpl.Log;
import io.roster.tools.ctmpl.Runner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code roster template}: consul-template's command line over {@link Runner}. Exit codes: 0 done
 * (or stopped by a signal), 1 an error (one line on stderr), the child's code with {@code -exec}.
 */
@Command(name = "template", sortOptions = false,
        customSynopsis = "roster template -template \"IN:OUT[:COMMAND]\" [-template ...] [options]",
        description = {"Render templates from the KV store, the catalog and health, and keep them rendered (consul-template).",
                "Templates use Go's text/template language with consul-template's functions (key, ls, tree, service, "
                        + "services, node, nodes, ...). Every dependency is watched with blocking queries; a change re-renders "
                        + "only the templates that used it, writes them atomically and runs their command once per quiet period."},
        footer = {"", "Examples:",
                "  roster template -template \"haproxy.ctmpl:haproxy.cfg:systemctl reload haproxy\"",
                "  roster template -once -dry -template \"in.ctmpl:out.txt\"         print the rendering, write nothing",
                "  roster template -wait 2s:10s -config /etc/roster-template.hcl",
                "  roster template -template \"app.ctmpl:app.conf\" -exec \"./app -c app.conf\" -exec-reload-signal SIGHUP",
                "", "Environment: ROSTER_HTTP_ADDR or CONSUL_HTTP_ADDR (agent address), CONSUL_HTTP_TOKEN."})
public final class TemplateCommand implements Callable<Integer> {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
    @Option(names = {"-template", "--template"}, paramLabel = "IN:OUT[:COMMAND]",
            description = "A template to render: source file, destination file, optional command to run after a change. Repeatable.")
    List<String> templates = new ArrayList<>();
    @Option(names = {"-config", "--config"}, paramLabel = "FILE", description = "HCL config file (template, consul, wait, exec blocks). Repeatable.")
    List<Path> configs = new ArrayList<>();
    @Option(names = {"-once", "--once"}, description = "Render each template once, run the commands, and exit.")
    boolean once;
    @Option(names = {"-dry", "--dry"}, description = "Print each rendering to stdout (\"> destination\" first) instead of writing files.")
    boolean dry;
    @Option(names = {"-wait", "--wait"}, paramLabel = "MIN[:MAX]",
            description = "Quiet period: render after MIN without changes, at the latest MAX after the first (default MAX: 4 x MIN).")
    String wait;
    @Option(names = {"-consul-addr", "--consul-addr", "-http-addr", "--http-addr"}, paramLabel = "ADDR",
            description = "The agent's HTTP address. Default: $ROSTER_HTTP_ADDR, $CONSUL_HTTP_ADDR, 127.0.0.1:8500.")
    String address;
    @Option(names = {"-token", "--token", "-consul-token", "--consul-token"}, paramLabel = "TOKEN",
            description = "ACL token. Default: $CONSUL_HTTP_TOKEN.")
    String token;
    @Option(names = {"-retry", "--retry", "-consul-retry-backoff", "--consul-retry-backoff"}, paramLabel = "DURATION",
            description = "First wait after a failed request to the agent; doubles per attempt (default 250ms).")
    String retry;
    @Option(names = {"-consul-retry-attempts", "--consul-retry-attempts"}, paramLabel = "N",
            description = "Failed requests in a row before giving up (default 12; 0: retry forever).")
    Integer retryAttempts;
    @Option(names = {"-consul-retry-max-backoff", "--consul-retry-max-backoff"}, paramLabel = "DURATION",
            description = "Longest wait between retries (default 1m).")
    String retryMaxBackoff;
    @Option(names = {"-exec", "--exec"}, paramLabel = "COMMAND",
            description = "Run COMMAND as a child after the first complete render; exit with its code when it exits.")
    String exec;
    @Option(names = {"-exec-reload-signal", "--exec-reload-signal"}, paramLabel = "SIGNAL",
            description = "Signal the child gets when a template changes (default: restart the child).")
    String reloadSignal;
    @Option(names = {"-exec-kill-signal", "--exec-kill-signal"}, paramLabel = "SIGNAL", description = "Signal that stops the child (default SIGTERM).")
    String killSignal;
    @Option(names = {"-exec-kill-timeout", "--exec-kill-timeout"}, paramLabel = "DURATION",
            description = "How long the child may take to stop before SIGKILL (default 30s).")
    String killTimeout;
    @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL", description = "info (default) or debug.")
    String logLevel;

    @Override
    public Integer call() throws Exception {
        List<Runner.Spec> specs = new ArrayList<>();
        String cfgAddress = null;
        String cfgToken = null;
        Runner.Wait cfgWait = null;
        Runner.Exec cfgExec = null;
        Integer cfgAttempts = null;
        Duration cfgBackoff = null;
        Duration cfgMax = null;
        for (Path p : configs) {
            ConfigFile c = ConfigFile.read(p);
            specs.addAll(c.templates());
            cfgAddress = ToolEnv.first(c.address(), cfgAddress);
            cfgToken = ToolEnv.first(c.token(), cfgToken);
            cfgWait = c.quiet() != null ? c.quiet() : cfgWait;
            cfgExec = c.exec() != null ? c.exec() : cfgExec;
            cfgAttempts = c.retryAttempts() != null ? c.retryAttempts() : cfgAttempts;
            cfgBackoff = c.retryBackoff() != null ? c.retryBackoff() : cfgBackoff;
            cfgMax = c.retryMaxBackoff() != null ? c.retryMaxBackoff() : cfgMax;
        }
        for (String t : templates) {
            specs.add(Runner.Spec.parseFlag(t));
        }
        Runner.Wait w = wait != null ? Runner.Wait.parse(wait) : cfgWait;
        Runner.Exec ex = cfgExec;
        if (exec != null && !exec.isBlank()) {
            ex = new Runner.Exec(List.of(exec), null, null, null);
        }
        if (ex != null) {
            ex = new Runner.Exec(ex.command(), check(ToolEnv.first(reloadSignal, ex.reloadSignal())),
                    check(ToolEnv.first(killSignal, ex.killSignal())),
                    killTimeout != null ? Durations.parse(killTimeout) : ex.killTimeout());
        }
        int attempts = retryAttempts != null ? retryAttempts : cfgAttempts != null ? Math.max(cfgAttempts, 0) : 12;
        Duration backoff = retry != null ? Durations.parse(retry) : cfgBackoff != null ? cfgBackoff : Duration.ofMillis(250);
        Duration max = retryMaxBackoff != null ? Durations.parse(retryMaxBackoff) : cfgMax != null ? cfgMax : Duration.ofMinutes(1);
        Log log = new Log(System.err, "debug".equalsIgnoreCase(logLevel) || "trace".equalsIgnoreCase(logLevel));
        Runner runner = new Runner(new Runner.Options(specs, ToolEnv.address(address, cfgAddress), ToolEnv.token(token, cfgToken),
                once, dry, w, Runner.Options.retry(attempts, backoff, max), ex, ToolEnv.env, System.out, log));
        return runUntilSignal(runner::run, runner::stop);
    }

    private static String check(String signal) {
        if (signal != null) {
            io.roster.tools.ctmpl.Child.signalName(signal);
        }
        return signal;
    }

    /** A body that returns an exit code. */
    interface Body {
        int run() throws Exception;
    }

    /** Runs {@code body}; SIGTERM/SIGINT call {@code stop} and wait (bounded) for the body to clean up (its child, its views). */
    static int runUntilSignal(Body body, Runnable stop) throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            stop.run();
            try {
                done.await(40, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "roster-tool-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return body.run();
        } finally {
            done.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook is running and now sees done
            }
        }
    }
}
