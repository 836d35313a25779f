package io.roster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.roster.api.Json;
import io.roster.api.KvPair;
import io.roster.api.QueryOptions;
import io.roster.api.QueryResult;
import io.roster.api.RosterClient;
import io.roster.api.RosterException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster watch -type=T [HANDLER...]}: Consul's watch plans over blocking queries. The first
 * result, and every result that differs from the previous one, is given to the handler as JSON on
 * its stdin (with {@code CONSUL_INDEX} set); without a handler the first result is printed
 * (indented JSON) and the command exits. A handler that fails stops the watch (exit 1), as in Consul.
 *
 * <p>Errors reading from the agent are retried with Consul's backoff (5s x failures², at most 3m).
 */
@Command(name = "watch", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster watch -type=TYPE [options] [HANDLER...]",
        description = {"Run a handler whenever a view of the data changes.",
                "Watches a view of the data: key, keyprefix, services, nodes, service or checks. "
                + "With a handler, runs it with the data as JSON on stdin on the first result and on every change; "
                + "without one, prints the data and exits. One HANDLER argument runs in $SHELL -c."},
        footer = {"", "Examples:", "  roster watch -type=key -key=config/app/db", "  roster watch -type=keyprefix -prefix=config/ ./reconfigure.sh",
                "  roster watch -type=service -service=web -passingonly=true 'jq -r .[].Service.Address > /etc/web.hosts'"})
final class WatchCommand extends ClientCommand {
    static final Duration RETRY = Duration.ofSeconds(5);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(3);

    @Option(names = {"-type", "--type"}, paramLabel = "TYPE", description = "key, keyprefix, services, nodes, service, checks, event.")
    String type;
    @Option(names = {"-key", "--key"}, paramLabel = "KEY", description = "The key to watch (type key).")
    String key;
    @Option(names = {"-prefix", "--prefix"}, paramLabel = "PREFIX", description = "The key prefix to watch (type keyprefix).")
    String prefix;
    @Option(names = {"-service", "--service"}, paramLabel = "NAME", description = "The service to watch (type service; optional for checks).")
    String service;
    @Option(names = {"-tag", "--tag"}, paramLabel = "TAG", description = "Only instances with this tag (type service; repeatable).")
    List<String> tags = new ArrayList<>();
    @Option(names = {"-passingonly", "--passingonly"}, paramLabel = "true|false", description = "Only instances passing all their checks (type service).")
    String passingOnly;
    @Option(names = {"-passing", "--passing"}, description = "Same as -passingonly=true (Roster only).")
    boolean passing;
    @Option(names = {"-state", "--state"}, paramLabel = "STATE", description = "Check state to watch: any, passing, warning, critical (type checks; default any).")
    String state;
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "Event name (type event).")
    String name;
    @Option(names = {"-shell", "--shell"},
            description = "Run a single HANDLER argument with $SHELL -c (default: true; -shell=false runs it as a program).")
    Boolean shell; // null means true; a Boolean so that a bare -shell means true, as in Go
    @Parameters(arity = "0..*", paramLabel = "HANDLER", hidden = true)
    List<String> handler = new ArrayList<>();

    private volatile Process running;

    /** One read of the watched view, blocking from {@code index}. */
    @FunctionalInterface
    private interface View {
        QueryResult<JsonNode> read(QueryOptions opts);
    }

    @Override
    int run() throws Exception {
        if (type == null || type.isEmpty()) {
            throw usage("Watch type must be specified");
        }
        View view = view();
        try {
            client().agent().nodeName();
        } catch (RosterException e) {
            return fail("Error querying Consul agent: " + describe(e));
        }
        Thread hook = new Thread(this::stopHandler, "roster-watch-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return loop(view);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs
            }
        }
    }

    private int loop(View view) throws IOException {
        Long last = null;
        JsonNode lastResult = null;
        int failures = 0;
        QueryOptions base = http.queryOptions();
        while (!Thread.currentThread().isInterrupted()) {
            QueryResult<JsonNode> r;
            try {
                r = view.read(last == null ? base : base.withIndex(last));
            } catch (RosterException e) {
                if (Thread.currentThread().isInterrupted()) {
                    break;
                }
                failures++;
                Duration retry = RETRY.multipliedBy((long) failures * failures);
                if (retry.compareTo(MAX_BACKOFF) > 0) {
                    retry = MAX_BACKOFF;
                }
                err.println("Watch errored: type=" + type + " error=\"" + describe(e) + "\" retry=" + io.roster.api.Durations.format(retry));
                if (!PrefixLock.pause(retry)) {
                    break;
                }
                continue;
            }
            failures = 0;
            if (last != null && last == r.index()) {
                continue;
            }
            Long old = last;
            last = r.index();
            if (old != null && r.value().equals(lastResult)) {
                continue;
            }
            lastResult = r.value();
            if (handler.isEmpty()) {
                out.println(GoFormat.indent(r.value(), "    "));
                return 0;
            }
            String problem = fire(r.index(), r.value());
            if (problem != null) {
                return fail(problem);
            }
        }
        return 0;
    }

    /** Runs the handler with the data on stdin; returns Consul's error text when it fails, else null. */
    private String fire(long index, JsonNode data) {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(ChildProcess.command(handler, shell == null || shell));
            pb.environment().put("CONSUL_INDEX", Long.toUnsignedString(index));
            pb.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.INHERIT);
            p = pb.start();
        } catch (IOException e) {
            return "Error starting handler: " + e.getMessage();
        }
        running = p;
        try {
            try (OutputStream in = p.getOutputStream()) {
                in.write((GoFormat.compact(data) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException handlerClosedItsStdin) {
                // A handler need not read its input.
            }
            int code = p.waitFor();
            return code == 0 ? null : "Error executing handler: " + ChildProcess.exitStatus(code);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            return null;
        } finally {
            running = null;
        }
    }

    /** SIGINT/SIGTERM: the running handler goes with us. */
    private void stopHandler() {
        Process p = running;
        if (p != null) {
            try {
                ChildProcess.terminate(p, LockCommand.KILL_GRACE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The read for {@code -type}, with Consul's messages for missing or conflicting parameters. */
    private View view() {
        switch (type) {
            case "key" -> {
                if (key == null || key.isEmpty()) {
                    throw usage("Must specify a single key to watch");
                }
                return opts -> {
                    QueryResult<Optional<KvPair>> r = client().kv().get(key, opts);
                    return new QueryResult<>(r.value().map(p -> (JsonNode) Json.mapper().valueToTree(p)).orElse(NullNode.getInstance()),
                            r.index(), r.knownLeader(), r.lastContact());
                };
            }
            case "keyprefix" -> {
                if (prefix == null || prefix.isEmpty()) {
                    throw usage("Must specify a single prefix to watch");
                }
                return opts -> {
                    QueryResult<List<KvPair>> r = client().kv().list(prefix, opts);
                    // Consul's api answers a prefix with no keys as nil, which the watch prints as null.
                    JsonNode v = r.value().isEmpty() ? NullNode.getInstance() : Json.mapper().valueToTree(r.value());
                    return new QueryResult<>(v, r.index(), r.knownLeader(), r.lastContact());
                };
            }
            case "services" -> {
                return opts -> tree(client().catalog().services(Map.of(), opts));
            }
            case "nodes" -> {
                return opts -> tree(client().catalog().nodes(Map.of(), opts));
            }
            case "service" -> {
                if (service == null || service.isEmpty()) {
                    throw usage("Must specify a single service to watch");
                }
                boolean only = passing || parseBool(passingOnly);
                return opts -> tree(client().health().service(service, tags, only, opts));
            }
            case "checks" -> {
                boolean hasService = service != null && !service.isEmpty();
                boolean hasState = state != null && !state.isEmpty();
                if (hasService && hasState) {
                    throw usage("Cannot specify service and state");
                }
                if (hasService) {
                    return opts -> tree(client().health().checks(service, opts));
                }
                String s = hasState ? state : "any";
                return opts -> tree(client().health().state(s, opts));
            }
            case "event" -> {
                // As Consul's event watch: the handler gets the events after the one last seen
                // (the index is a hash of the last event's ID), all of them the first time.
                return opts -> {
                    QueryResult<List<RosterClient.UserEvent>> r = client().event().list(name, opts);
                    List<RosterClient.UserEvent> events = r.value();
                    if (opts.index() != 0) {
                        for (int i = events.size() - 1; i >= 0; i--) {
                            if (eventIndex(events.get(i).id()) == opts.index()) {
                                events = events.subList(i + 1, events.size());
                                break;
                            }
                        }
                    }
                    return new QueryResult<>(Json.mapper().valueToTree(events), r.index(), r.knownLeader(), r.lastContact());
                };
            }
            default -> throw usage("Unsupported watch type: " + type);
        }
    }

    /** Consul's event index: the ID's two 64-bit halves XOR-ed. */
    static long eventIndex(String id) {
        try {
            java.util.UUID u = java.util.UUID.fromString(id);
            return u.getMostSignificantBits() ^ u.getLeastSignificantBits();
        } catch (IllegalArgumentException e) {
            return id.hashCode();
        }
    }

    private static <T> QueryResult<JsonNode> tree(QueryResult<T> r) {
        return new QueryResult<>(Json.mapper().valueToTree(r.value()), r.index(), r.knownLeader(), r.lastContact());
    }

    private static boolean parseBool(String v) {
        if (v == null || v.isEmpty()) {
            return false;
        }
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "1", "t", "true" -> true;
            case "0", "f", "false" -> false;
            default -> throw usage("Failed to parse passingonly flag: strconv.ParseBool: parsing \"" + v + "\": invalid syntax");
        };
    }
}
