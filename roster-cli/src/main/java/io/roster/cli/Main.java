package io.roster.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code roster} command. Exit codes: 0 ok, 1 error, 2 usage. Errors are one line on stderr.
 */
@Command(name = "roster", mixinStandardHelpOptions = false,
        description = "Roster: service registry, KV store and DNS server speaking Consul's API.",
        subcommands = {AgentCommand.class, AclCommand.class, KvCommand.class, CatalogCommand.class, ServicesCommand.class, MembersCommand.class,
                InfoCommand.class, ReloadCommand.class, LeaveCommand.class, JoinCommand.class, ForceLeaveCommand.class,
                EventCommand.class, KeygenCommand.class, KeyringCommand.class, MaintCommand.class, LockCommand.class, WatchCommand.class,
                SnapshotCommand.class, OperatorCommand.class, TlsCommand.class, RttCommand.class,
                io.roster.tools.TemplateCommand.class, io.roster.tools.EnvexecCommand.class, io.roster.tools.ShardProxyCommand.class,
                VersionCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Example:", "  roster agent -dev        start a single in-memory dev agent on 127.0.0.1:8500"})
public final class Main implements Runnable {
    @CommandLine.Option(names = {"-h", "--help", "-help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    /** Builds the command line with Roster's conventions: one-line errors, exit code 2 for usage. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        // "@file" is data in Consul's commands (kv put KEY @file, kv import @file), not a picocli argument file.
        cl.setExpandAtFiles(false);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            System.err.println(name + ": " + Main.oneLine(ex.getMessage()) + " (see '" + name + " -h')");
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parsed) -> {
            System.err.println(c.getCommandSpec().qualifiedName() + ": " + Main.oneLine(
                    ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return 1;
        });
        return cl;
    }

    static String oneLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl >= 0 ? s.substring(0, nl) : s).strip();
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        if (code != 0 || !AgentCommand.running()) {
            System.exit(code);
        }
    }
}
