package io.roster.tools.ctmpl;

import io.roster.api.Durations;
import io.roster.api.RosterClient;
import io.roster.tools.template.Funcs;
import io.roster.tools.template.Template;
import io.roster.tools.template.TemplateException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * {@code roster template}'s engine, consul-template's runner: parses every template, renders them
 * with the data the {@link View}s fetch, and keeps them rendered. A change to a dependency re-renders
 * only the templates that used it; a template is written only when every dependency it used has data
 * (so a missing {@code key} blocks, and the first write waits for all data), only when its text
 * differs from the file's, atomically (a temp file in the same folder, then rename), and its command
 * runs once per quiet period ({@code wait}). With {@code exec} a child is started after the first
 * complete render and is sent the reload signal (or restarted) when a template changes; when it
 * exits, the runner exits with its code.
 */
public final class Runner {
    /** {@code wait = "min:max"}: render only after min without changes, and at the latest max after the first. */
    public record Wait(Duration min, Duration max) {
        /** Parses {@code 5s} or {@code 5s:20s}; a lone min means max = 4 x min, as consul-template. */
        public static Wait parse(String s) {
            if (s == null || s.isBlank()) {
                return null;
            }
            String[] p = s.strip().split(":", 2);
            Duration min = Durations.parse(p[0]);
            Duration max = p.length > 1 ? Durations.parse(p[1]) : min.multipliedBy(4);
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("wait: min must be less than max: \"" + s + "\"");
            }
            return new Wait(min, max);
        }
    }

    /** One {@code template} block or {@code -template} flag. */
    public record Spec(String source, String contents, String destination, String command, Duration commandTimeout,
                       Integer perms, boolean backup, Wait quiet, String leftDelimiter, String rightDelimiter) {
        /** Parses {@code -template "in:out[:command]"}. */
        public static Spec parseFlag(String s) {
            String[] p = s.split(":", 3);
            if (p.length < 2 || p[0].isEmpty() || p[1].isEmpty()) {
                throw new IllegalArgumentException("invalid template declaration format \"" + s + "\": want \"in:out[:command]\"");
            }
            return new Spec(p[0], null, p[1], p.length > 2 ? p[2] : null, null, null, false, null, null, null);
        }
    }

    /** {@code exec { command reload_signal kill_signal kill_timeout }}. */
    public record Exec(List<String> command, String reloadSignal, String killSignal, Duration killTimeout) { }

    /** Everything the runner needs. */
    public record Options(List<Spec> templates, String address, String token, boolean once, boolean dry, Wait quiet,
                          View.Retry retry, Exec exec, UnaryOperator<String> env, PrintStream out, Log log) {
        public static View.Retry retry(int attempts, Duration backoff, Duration maxBackoff) {
            return new View.Retry(attempts, backoff, maxBackoff);
        }
    }

    private final class Managed {
        final Spec spec;
        final Template template;
        Set<Dependency> used = Set.of();
        Set<Dependency> missing = Set.of();
        boolean dirty = true;
        boolean rendered;
        long firstDirty;
        long lastDirty;

        Managed(Spec spec, Template template) {
            this.spec = spec;
            this.template = template;
        }

        Wait quietPeriod() {
            return spec.quiet() != null ? spec.quiet() : options.quiet();
        }

        long deadline() {
            Wait w = quietPeriod();
            if (w == null || !rendered) {
                return lastDirty;
            }
            return Math.min(lastDirty + w.min().toNanos(), firstDirty + w.max().toNanos());
        }
    }

    private final Options options;
    private final RosterClient client;
    private final CtFuncs.Brain brain = new CtFuncs.Brain();
    private final Map<Dependency, View> views = new HashMap<>();
    private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final List<Managed> managed = new ArrayList<>();
    private volatile boolean stopped;
    private Child child;

    public Runner(Options options) {
        this.options = options;
        this.client = RosterClient.create(options.address(), options.token());
    }

    /** Stops the runner from another thread (a signal, a test); {@link #run} returns 0. */
    public void stop() {
        stopped = true;
        events.add("stop");
    }

    /**
     * Runs until stopped, until {@code once} rendered everything, or until the exec child exits.
     *
     * @return the exit code: 0, the child's, or 1 for an error (printed as one line by the caller)
     * @throws TemplateException for a template that does not parse or fails to execute
     * @throws IOException for a template file that cannot be read or a destination that cannot be written
     */
    public int run() throws IOException, InterruptedException {
        if (options.templates().isEmpty()) {
            throw new IllegalArgumentException("no templates given: use -template \"in:out\" or a config file");
        }
        for (Spec s : options.templates()) {
            String text = s.contents() != null ? s.contents() : Files.readString(Path.of(s.source()), StandardCharsets.UTF_8);
            String name = s.source() != null ? s.source() : s.destination();
            CtFuncs.Render[] holder = new CtFuncs.Render[] {new CtFuncs.Render()};
            Funcs f = CtFuncs.create(brain, () -> holder[0], options.env());
            Managed m = new Managed(s, Template.parse(name, text, f, s.leftDelimiter(), s.rightDelimiter()));
            replaceHolder(m, holder);
            m.firstDirty = m.lastDirty = System.nanoTime();
            managed.add(m);
        }
        try {
            return loop();
        } finally {
            for (View v : views.values()) {
                v.stop();
            }
            views.clear();
            if (child != null && child.alive()) {
                child.stop(exec().killSignal(), killTimeout());
            }
        }
    }

    private final Map<Managed, CtFuncs.Render[]> holders = new HashMap<>();

    private void replaceHolder(Managed m, CtFuncs.Render[] holder) {
        holders.put(m, holder);
    }

    private int loop() throws IOException, InterruptedException {
        while (!stopped) {
            long now = System.nanoTime();
            Map<String, Duration> commands = new LinkedHashMap<>();
            boolean anyChanged = false;
            for (Managed m : managed) {
                if (m.dirty && m.deadline() <= now) {
                    m.dirty = false;
                    anyChanged |= render(m, commands);
                }
            }
            syncViews();
            runCommands(commands);
            boolean allRendered = managed.stream().allMatch(m -> m.rendered);
            if (allRendered && options.once() && exec() == null) {
                return 0;
            }
            if (allRendered && exec() != null) {
                Integer code = superviseChild(anyChanged);
                if (code != null) {
                    return code;
                }
                if (options.once() && child == null) {
                    return 0;
                }
            }
            long wait = TimeUnit.SECONDS.toNanos(1);
            for (Managed m : managed) {
                if (m.dirty) {
                    wait = Math.min(wait, Math.max(0, m.deadline() - System.nanoTime()));
                }
            }
            Object e = events.poll(Math.max(1, wait), TimeUnit.NANOSECONDS);
            while (e != null) {
                if (e instanceof String s && s.startsWith("fatal:")) {
                    throw new AgentUnreachableException(s.substring("fatal:".length()));
                }
                if (e instanceof Dependency d) {
                    long t = System.nanoTime();
                    for (Managed m : managed) {
                        if (m.used.contains(d) || m.missing.contains(d)) {
                            if (!m.dirty) {
                                m.dirty = true;
                                m.firstDirty = t;
                            }
                            m.lastDirty = t;
                        }
                    }
                }
                e = events.poll();
            }
        }
        return 0;
    }

    /** The error a view gives up with after its retries: the agent could not be reached or kept failing. */
    public static final class AgentUnreachableException extends IOException {
        private static final long serialVersionUID = 1L;

        AgentUnreachableException(String message) {
            super(message);
        }
    }

    /** Renders one template; returns true when its destination changed. */
    private boolean render(Managed m, Map<String, Duration> commands) throws IOException {
        CtFuncs.Render r = new CtFuncs.Render();
        holders.get(m)[0] = r;
        String text = m.template.execute(null);
        m.used = new LinkedHashSet<>(r.used);
        m.missing = new LinkedHashSet<>(r.missing);
        if (!r.missing.isEmpty()) {
            options.log().debug("(runner) " + m.spec.destination() + ": waiting for " + describe(r.missing));
            return false;
        }
        m.rendered = true;
        if (options.dry()) {
            options.out().print("> " + m.spec.destination() + "\n" + text);
            options.out().flush();
            return true;
        }
        Path dest = Path.of(m.spec.destination());
        if (Files.exists(dest) && Files.readString(dest, StandardCharsets.UTF_8).equals(text)) {
            options.log().debug("(runner) " + dest + ": unchanged");
            return false;
        }
        write(dest, text, m.spec);
        options.log().info("(runner) rendered \"" + (m.spec.source() == null ? "(contents)" : m.spec.source()) + "\" => \"" + dest + "\"");
        if (m.spec.command() != null && !m.spec.command().isBlank()) {
            commands.putIfAbsent(m.spec.command(), m.spec.commandTimeout() == null ? Duration.ofSeconds(30) : m.spec.commandTimeout());
        }
        return true;
    }

    private static String describe(Set<Dependency> deps) {
        List<String> s = new ArrayList<>();
        for (Dependency d : deps) {
            s.add(d.describe());
        }
        return String.join(", ", s);
    }

    /** Atomic write: a temp file beside the destination, its permissions set, then a rename over it. */
    static void write(Path dest, String text, Spec spec) throws IOException {
        Path dir = dest.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Set<PosixFilePermission> perms = spec.perms() != null ? fromMode(spec.perms())
                : Files.exists(dest) ? Files.getPosixFilePermissions(dest) : PosixFilePermissions.fromString("rw-r--r--");
        if (spec.backup() && Files.exists(dest)) {
            Files.copy(dest, dest.resolveSibling(dest.getFileName() + ".bak"), StandardCopyOption.REPLACE_EXISTING);
        }
        Path tmp = Files.createTempFile(dir, "." + dest.getFileName(), ".tmp");
        try {
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, perms);
            try {
                Files.move(tmp, dest, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dest, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static Set<PosixFilePermission> fromMode(int mode) {
        StringBuilder sb = new StringBuilder();
        String rwx = "rwx";
        for (int i = 8; i >= 0; i--) {
            sb.append((mode & (1 << i)) != 0 ? rwx.charAt(2 - i % 3) : '-');
        }
        return PosixFilePermissions.fromString(sb.toString());
    }

    /** Starts a view for every dependency some template uses now, and stops those no template uses any more. */
    private void syncViews() {
        Set<Dependency> wanted = new HashSet<>();
        for (Managed m : managed) {
            wanted.addAll(m.used);
        }
        for (Dependency d : wanted) {
            views.computeIfAbsent(d, k -> {
                View v = new View(k, client, brain, events::add, msg -> events.add("fatal:" + msg), options.retry(),
                        options.once(), options.log());
                v.start();
                return v;
            });
        }
        views.entrySet().removeIf(e -> {
            if (!wanted.contains(e.getKey())) {
                e.getValue().stop();
                brain.forget(e.getKey());
                return true;
            }
            return false;
        });
    }

    /** Runs each distinct command once (two templates with one command: one run), each bounded by its timeout. */
    private void runCommands(Map<String, Duration> commands) throws InterruptedException {
        for (Map.Entry<String, Duration> e : commands.entrySet()) {
            String c = e.getKey();
            options.log().info("(runner) executing command \"" + c + "\"");
            try {
                Child ch = Child.start(List.of(c), Map.of(), false, false);
                if (!ch.waitFor(e.getValue())) {
                    options.log().error("(runner) command \"" + c + "\" timed out after " + Log.goDuration(e.getValue()) + "; killing it");
                    ch.stop("SIGTERM", Duration.ofSeconds(5));
                } else if (ch.exitCode() != 0) {
                    options.log().error("(runner) command \"" + c + "\" failed: exit status " + ch.exitCode());
                }
            } catch (IOException ex) {
                options.log().error("(runner) command \"" + c + "\": " + ex.getMessage());
            }
        }
    }

    private Exec exec() {
        return options.exec();
    }

    private Duration killTimeout() {
        return exec().killTimeout() == null ? Duration.ofSeconds(30) : exec().killTimeout();
    }

    /** Starts the child after the first complete render, reloads it on change; returns its exit code once it has exited. */
    private Integer superviseChild(boolean changed) throws IOException, InterruptedException {
        if (child == null) {
            options.log().info("(child) spawning: " + String.join(" ", exec().command()));
            child = Child.start(exec().command(), new LinkedHashMap<>(), false, true);
            return null;
        }
        if (!child.alive()) {
            options.log().info("(child) exited with code " + child.exitCode());
            return child.exitCode();
        }
        if (changed) {
            if (exec().reloadSignal() != null && !exec().reloadSignal().isEmpty()) {
                options.log().info("(child) sending " + exec().reloadSignal());
                child.signal(exec().reloadSignal());
            } else {
                options.log().info("(child) restarting");
                child.stop(exec().killSignal(), killTimeout());
                child = Child.start(exec().command(), new LinkedHashMap<>(), false, true);
            }
        }
        return null;
    }
}
