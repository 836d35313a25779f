package io.roster.tools;

import io.roster.api.Durations;
import io.roster.tools.ctmpl.Child;
import io.roster.tools.ctmpl.Log;
import io.roster.tools.ctmpl.View;
import io.roster.tools.envexec.EnvExec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code roster envexec}: envconsul's command line over {@link EnvExec}. Exit codes: the child's; 1 for an error. */
@Command(name = "envexec", sortOptions = false, modelTransformer = EnvexecCommand.StopAtCommand.class,
        customSynopsis = "roster envexec -prefix PREFIX [-prefix ...] [-service NAME] [options] COMMAND [ARGS...]",
        description = {"Run a command with KV values and service addresses in its environment (envconsul).",
                "Each key under a prefix becomes a variable named after the key (the prefix removed); each -service NAME "
                        + "gives NAME/id, NAME/name, NAME/address, NAME/tag and NAME/port. The command is restarted when a value "
                        + "changes, and envexec exits with the command's exit code."},
        footer = {"", "Examples:",
                "  roster envexec -prefix redis/config -once env          prints ADDRESS=..., PORT=...",
                "  roster envexec -pristine -prefix common -prefix my-app yarn start",
                "  roster envexec -upcase -sanitize -prefix my-app -service db python app.py",
                "", "Environment: ROSTER_HTTP_ADDR or CONSUL_HTTP_ADDR (agent address), CONSUL_HTTP_TOKEN."})
public final class EnvexecCommand implements Callable<Integer> {
    @Option(names = {"-h", "-help", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;
    @Option(names = {"-prefix", "--prefix"}, paramLabel = "PREFIX", description = "A KV prefix to read; later ones override earlier. Repeatable.")
    List<String> prefixes = new ArrayList<>();
    @Option(names = {"-service", "--service", "-service-query", "--service-query"}, paramLabel = "[TAG.]NAME",
            description = "A service whose instances to read (catalog). Repeatable.")
    List<String> services = new ArrayList<>();
    @Option(names = {"-once", "--once"}, description = "Read the data once, run the command, exit with its code (no restarts).")
    boolean once;
    @Option(names = {"-sanitize", "--sanitize"}, description = "Replace characters not valid in a variable name with underscores.")
    boolean sanitize;
    @Option(names = {"-upcase", "--upcase"}, description = "Upper-case the variable names.")
    boolean upcase;
    @Option(names = {"-pristine", "--pristine"}, description = "Give the command only the variables read, not this process's environment.")
    boolean pristine;
    @Option(names = {"-kill-signal", "--kill-signal"}, paramLabel = "SIGNAL", description = "Signal that stops the command on a change (default SIGTERM).")
    String killSignal = "SIGTERM";
    @Option(names = {"-kill-timeout", "--kill-timeout"}, paramLabel = "DURATION", description = "Grace after the kill signal before SIGKILL (default 30s).")
    String killTimeout = "30s";
    @Option(names = {"-consul-addr", "--consul-addr", "-http-addr", "--http-addr"}, paramLabel = "ADDR",
            description = "The agent's HTTP address. Default: $ROSTER_HTTP_ADDR, $CONSUL_HTTP_ADDR, 127.0.0.1:8500.")
    String address;
    @Option(names = {"-token", "--token", "-consul-token", "--consul-token"}, paramLabel = "TOKEN", description = "ACL token. Default: $CONSUL_HTTP_TOKEN.")
    String token;
    @Option(names = {"-consul-retry-attempts", "--consul-retry-attempts"}, paramLabel = "N",
            description = "Failed requests in a row before giving up (default 12; 0: retry forever).")
    int retryAttempts = 12;
    @Option(names = {"-consul-retry-backoff", "--consul-retry-backoff"}, paramLabel = "DURATION", description = "First wait after a failure (default 250ms).")
    String retryBackoff = "250ms";
    @Option(names = {"-log-level", "--log-level"}, paramLabel = "LEVEL", description = "info (default) or debug.")
    String logLevel;
    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "The command and its arguments (one argument: run in /bin/sh -c).")
    List<String> command = new ArrayList<>();

    /** Everything after the first positional belongs to the command, as in envconsul. */
    static final class StopAtCommand implements CommandLine.IModelTransformer {
        @Override
        public CommandLine.Model.CommandSpec transform(CommandLine.Model.CommandSpec spec) {
            spec.parser().stopAtPositional(true);
            return spec;
        }
    }

    @Override
    public Integer call() throws Exception {
        Child.signalName(killSignal);
        Map<String, String> parent = new LinkedHashMap<>(System.getenv());
        Log log = new Log(System.err, "debug".equalsIgnoreCase(logLevel));
        EnvExec e = new EnvExec(new EnvExec.Options(prefixes, services, command, ToolEnv.address(address, null),
                ToolEnv.token(token, null), once, sanitize, upcase, pristine, killSignal, Durations.parse(killTimeout),
                new View.Retry(retryAttempts, Durations.parse(retryBackoff), Duration.ofMinutes(1)), parent, log));
        return TemplateCommand.runUntilSignal(e::run, e::stop);
    }
}
