package io.roster.agent.config;

import io.roster.agent.AgentConfig;
import io.roster.agent.config.Definitions.Sourced;
import io.roster.api.CheckDefinition;
import io.roster.api.ServiceDefinition;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the agent's configuration the way Consul does: files and directories in order, each
 * directory's {@code *.json} and {@code *.hcl} files in lexical order, later files overriding
 * earlier ones, and the command-line flags over all of them.
 *
 * <p>Stateless: call {@link #load} again with the same inputs to reload
 * ({@code /v1/agent/reload}). It reads the disk afresh; a file broken since throws
 * {@link ConfigException} and the caller keeps what it has.
 */
public final class ConfigLoader {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigLoader.class);

    private ConfigLoader() {
    }

    /**
     * Loads {@code files} (the {@code -config-file} values, in order), then {@code dirs} (the
     * {@code -config-dir} values, in order), then applies {@code flags}.
     *
     * @param flags receives a builder holding the defaults with every file applied, and sets what the
     *              command line gave on it: flags win over files. Only set what was given, so a flag
     *              left out does not undo a file's setting.
     * @throws ConfigException with a one-line message naming the file and the line or field
     */
    public static LoadedConfig load(List<Path> files, List<Path> dirs, UnaryOperator<AgentConfig.Builder> flags) {
        List<Path> paths = new ArrayList<>(files);
        paths.addAll(dirs);
        return load(paths, flags);
    }

    /**
     * Loads {@code paths} in order, each a file or a directory (Consul keeps {@code -config-file}
     * and {@code -config-dir} in one list, in command-line order), then applies {@code flags}.
     * {@link AgentConfig#configFiles()} of the result is {@code paths}, for a later reload.
     *
     * @throws ConfigException with a one-line message naming the file and the line or field
     */
    public static LoadedConfig load(List<Path> paths, UnaryOperator<AgentConfig.Builder> flags) {
        return load(paths, (String) null, flags);
    }

    /**
     * As {@link #load(List, UnaryOperator)}, with {@code -config-format}: {@code "json"} or
     * {@code "hcl"} reads every file (whatever its name ends in, in directories too) as that format;
     * null tells the format by the extension.
     */
    public static LoadedConfig load(List<Path> paths, String format, UnaryOperator<AgentConfig.Builder> flags) {
        if (format != null && !format.equals("json") && !format.equals("hcl")) {
            throw new ConfigException(null, "-config-format must be 'hcl' or 'json', not '" + format + "'");
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        List<Sourced<ServiceDefinition>> services = new ArrayList<>();
        List<Sourced<CheckDefinition>> checks = new ArrayList<>();
        List<Decoder.Ignored> ignored = new ArrayList<>();
        List<Path> files = expand(paths, format);
        for (Path file : files) {
            Decoder d = new Decoder(file);
            Map<String, Object> raw = ConfigFile.read(file, format);
            Map<String, Object> rest = new LinkedHashMap<>();
            Object service = null;
            Object serviceList = null;
            Object check = null;
            Object checkList = null;
            for (Map.Entry<String, Object> e : raw.entrySet()) {
                switch (e.getKey().toLowerCase(Locale.ROOT)) {
                    case "service" -> service = e.getValue();
                    case "services" -> serviceList = e.getValue();
                    case "check" -> check = e.getValue();
                    case "checks" -> checkList = e.getValue();
                    default -> rest.put(e.getKey(), e.getValue());
                }
            }
            Map<String, Object> fileSettings = Schema.TOP.decode(d, "", rest);
            Settings.check(d, fileSettings);
            // In a file, `services` come before the single `service`, as in Consul.
            Definitions.services(d, "services", serviceList, services);
            Definitions.services(d, "service", service, services);
            Definitions.checks(d, "checks", checkList, checks);
            Definitions.checks(d, "check", check, checks);
            Settings.merge(settings, fileSettings);
            ignored.addAll(d.ignored());
        }

        AgentConfig.Builder b = AgentConfig.builder();
        Settings.apply(settings, b);
        b.configFiles(paths);
        AgentConfig agent;
        try {
            agent = flags.apply(b).build();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(null, e.getMessage());
        }
        try {
            agent.tls().check(agent.httpsPort(), agent.server());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(null, e.getMessage());
        }
        requireScriptChecksEnabled(agent, services, checks);
        // Said only once everything loaded, so that a broken configuration gets one line: its error.
        for (Decoder.Ignored i : ignored) {
            if (i.warn()) {
                LOG.warn("{}: '{}' is not implemented by Roster yet and has no effect", i.file(), i.path());
            } else {
                LOG.debug("{}: '{}' is accepted but not used by Roster yet; ignoring it", i.file(), i.path());
            }
        }
        LOG.debug("configuration read from {} file(s): {} service(s), {} check(s)", files.size(), services.size(), checks.size());
        return new LoadedConfig(agent, services.stream().map(Sourced::value).toList(),
                checks.stream().map(Sourced::value).toList());
    }

    /** The files to read, in order; a directory gives its .json and .hcl files, sorted by name, not recursing. */
    static List<Path> expand(List<Path> paths) {
        return expand(paths, null);
    }

    /** With a {@code -config-format}, every regular file counts, whatever its name. */
    static List<Path> expand(List<Path> paths, String format) {
        List<Path> out = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> entries = Files.list(p)) {
                    entries.sorted(Comparator.comparing(e -> e.getFileName().toString()))
                            .forEach(e -> {
                                if (Files.isDirectory(e)) {
                                    return;
                                }
                                if (format != null || ConfigFile.isConfigFile(e)) {
                                    out.add(e);
                                } else {
                                    LOG.debug("{}: skipped: config files end in .json or .hcl", e);
                                }
                            });
                } catch (IOException e) {
                    throw new ConfigException(p, "cannot list directory: " + e.getMessage());
                }
            } else if (!Files.exists(p)) {
                throw new ConfigException(p, "no such file or directory");
            } else if (format == null && !ConfigFile.isConfigFile(p)) {
                throw new ConfigException(p, "not a config file: the name must end in .json or .hcl");
            } else {
                out.add(p);
            }
        }
        return out;
    }

    /** Consul refuses to start with script checks in its files unless they are enabled; so does Roster. */
    private static void requireScriptChecksEnabled(AgentConfig agent, List<Sourced<ServiceDefinition>> services,
                                                   List<Sourced<CheckDefinition>> checks) {
        if (agent.enableScriptChecks() || agent.enableLocalScriptChecks()) {
            return;
        }
        for (Sourced<ServiceDefinition> s : services) {
            if (isScript(s.value().check())) {
                throw scriptsDisabled(s.file(), s.path() + ".check.args");
            }
            List<CheckDefinition> list = s.value().checks() == null ? List.of() : s.value().checks();
            for (int i = 0; i < list.size(); i++) {
                if (isScript(list.get(i))) {
                    throw scriptsDisabled(s.file(), s.path() + ".checks[" + i + "].args");
                }
            }
        }
        for (Sourced<CheckDefinition> c : checks) {
            if (isScript(c.value())) {
                throw scriptsDisabled(c.file(), c.path() + ".args");
            }
        }
    }

    private static boolean isScript(CheckDefinition c) {
        return c != null && c.args() != null && !c.args().isEmpty();
    }

    private static ConfigException scriptsDisabled(Path file, String path) {
        return new ConfigException(file, path + ": script checks are disabled on this agent;"
                + " set enable_script_checks or enable_local_script_checks to true");
    }
}
