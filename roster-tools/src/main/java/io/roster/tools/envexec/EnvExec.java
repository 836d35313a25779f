package io.roster.tools.envexec;

import io.roster.api.RosterClient;
import io.roster.tools.ctmpl.Child;
import io.roster.tools.ctmpl.CtFuncs;
import io.roster.tools.ctmpl.Dependency;
import io.roster.tools.ctmpl.Log;
import io.roster.tools.ctmpl.Struct;
import io.roster.tools.ctmpl.View;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code roster envexec}'s engine, envconsul's runner: watches KV prefixes and services with
 * blocking queries, and runs a child with them in its environment. The child starts once every
 * prefix and service has answered; when a value changes the child is stopped (kill signal, grace,
 * SIGKILL) and started again with the new environment; when the child exits, so does envexec, with
 * its code. Later prefixes override earlier ones, services override prefixes, as in envconsul.
 */
public final class EnvExec {
    /** envconsul's {@code InvalidRegexp}: what {@code -sanitize} turns into underscores. */
    static final Pattern INVALID = Pattern.compile("[^a-zA-Z0-9_]");

    /** Everything envexec needs. */
    public record Options(List<String> prefixes, List<String> services, List<String> command, String address, String token,
                          boolean once, boolean sanitize, boolean upcase, boolean pristine, String killSignal, Duration killTimeout,
                          View.Retry retry, Map<String, String> parentEnv, Log log) { }

    private final Options options;
    private final CtFuncs.Brain brain = new CtFuncs.Brain();
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final List<Dependency> deps = new ArrayList<>();
    private final List<View> views = new ArrayList<>();
    private volatile boolean stopped;

    public EnvExec(Options options) {
        this.options = options;
        for (String p : options.prefixes()) {
            String prefix = p.startsWith("/") ? p.substring(1) : p;
            deps.add(new Dependency.KvList(prefix, null));
        }
        for (String s : options.services()) {
            String name = s;
            String tag = null;
            int dot = s.indexOf('.');
            if (dot > 0) {
                tag = s.substring(0, dot);
                name = s.substring(dot + 1);
            }
            deps.add(new Dependency.CatalogServiceInstances(name, tag, null));
        }
    }

    public void stop() {
        stopped = true;
        events.add("stop");
    }

    /** Runs until the child exits (its code), until stopped (0), or until the agent cannot be reached (an exception). */
    public int run() throws IOException, InterruptedException {
        if (options.command().isEmpty()) {
            throw new IllegalArgumentException("no command given: roster envexec [options] COMMAND [ARGS...]");
        }
        if (deps.isEmpty()) {
            throw new IllegalArgumentException("nothing to read: give at least one -prefix or -service");
        }
        RosterClient client = RosterClient.create(options.address(), options.token());
        for (Dependency d : deps) {
            View v = new View(d, client, brain, events::add, msg -> events.add("fatal:" + msg), options.retry(), options.once(), options.log());
            views.add(v);
            v.start();
        }
        Child child = null;
        Map<String, String> current = null;
        try {
            while (!stopped) {
                Object e = events.poll(1, TimeUnit.SECONDS);
                if (e instanceof String s && s.startsWith("fatal:")) {
                    throw new IOException(s.substring("fatal:".length()));
                }
                if (child != null && !child.alive()) {
                    return child.exitCode();
                }
                if (!deps.stream().allMatch(brain::has)) {
                    continue;
                }
                Map<String, String> env = environment();
                if (env.equals(current)) {
                    continue;
                }
                if (child != null) {
                    options.log().info("(runner) environment changed; restarting the child");
                    child.stop(options.killSignal(), options.killTimeout());
                }
                current = env;
                Map<String, String> childEnv = new LinkedHashMap<>();
                if (!options.pristine()) {
                    childEnv.putAll(options.parentEnv());
                }
                childEnv.putAll(env);
                child = Child.start(options.command(), childEnv, true, true);
                if (options.once()) {
                    child.waitFor(Duration.ofDays(3650));
                    return child.exitCode();
                }
            }
            return 0;
        } finally {
            views.forEach(View::stop);
            if (child != null && child.alive()) {
                child.stop(options.killSignal(), options.killTimeout());
            }
        }
    }

    /** The variables from Consul's data, in envconsul's names. */
    @SuppressWarnings("unchecked")
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (Dependency d : deps) {
            List<Struct> data = (List<Struct>) brain.recall(d);
            if (data == null) {
                continue;
            }
            if (d instanceof Dependency.KvList) {
                for (Struct p : data) {
                    String key = (String) p.get("Key");
                    if (key.isBlank() || key.endsWith("/")) {
                        continue;
                    }
                    env.put(name(key), (String) p.get("Value"));
                }
            } else {
                for (Struct s : data) {
                    String svc = (String) s.get("ServiceName");
                    env.put(name(svc + "/id"), (String) s.get("ServiceID"));
                    env.put(name(svc + "/name"), svc);
                    env.put(name(svc + "/address"), (String) s.get("ServiceAddress"));
                    env.put(name(svc + "/tag"), String.join(",", (List<String>) s.get("ServiceTags")));
                    env.put(name(svc + "/port"), String.valueOf(s.get("ServicePort")));
                }
            }
        }
        return env;
    }

    private String name(String key) {
        String k = key;
        if (options.sanitize()) {
            k = INVALID.matcher(k).replaceAll("_");
        }
        if (options.upcase()) {
            k = k.toUpperCase(Locale.ROOT);
        }
        return k;
    }
}
