package io.roster.cli;

import io.roster.agent.config.ConfigException;
import io.roster.agent.config.ConfigLoader;
import io.roster.api.RosterException;
import io.roster.api.ServiceDefinition;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster services register}: registers services with the local agent
 * ({@code PUT /v1/agent/service/register}), from service definition files or from flags.
 *
 * <p>Files are read by the agent's own configuration loader, as Consul reads them with its agent's:
 * JSON or HCL, {@code service} or {@code services}, snake_case or PascalCase field names, and the
 * same one-line errors naming the file and field. Script checks are passed on; the agent decides
 * whether it runs them.
 */
@Command(name = "register", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster services register [options] [FILE...]",
        description = {"Register services with the local agent.",
                "From service definition files (JSON or HCL, {\"service\": {...}} or {\"services\": [...]}), or from flags. "
                        + "Values given by flags fill in what a file leaves out."},
        footer = {"", "Examples:", "  roster services register web.json",
                "  roster services register -name=web -port=8080 -tag=v1 -meta=team=payments"})
final class ServicesRegisterCommand extends ClientCommand {
    @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "Service ID (default: the name).")
    String id;
    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "Service name, to register from flags.")
    String name;
    @Option(names = {"-address", "--address"}, paramLabel = "ADDR", description = "Service address (default: the node's).")
    String address;
    @Option(names = {"-port", "--port"}, paramLabel = "PORT", description = "Service port.")
    int port;
    @Option(names = {"-kind", "--kind"}, paramLabel = "KIND", description = "Service kind (default: a typical service).")
    String kind;
    @Option(names = {"-tag", "--tag"}, paramLabel = "TAG", description = "A tag (repeatable).")
    List<String> tags = new ArrayList<>();
    @Option(names = {"-meta", "--meta"}, paramLabel = "KEY=VALUE", description = "A metadata pair (repeatable).")
    List<String> meta = new ArrayList<>();
    @Option(names = {"-tagged-address", "--tagged-address"}, paramLabel = "KEY=ADDR[:PORT]", description = "A tagged address (repeatable).")
    List<String> taggedAddresses = new ArrayList<>();
    @Parameters(arity = "0..*", paramLabel = "FILE", hidden = true)
    List<String> files = new ArrayList<>();

    @Override
    int run() {
        Map<String, String> metaMap = CatalogNodesCommand.keyValues("-meta", meta);
        Map<String, ServiceDefinition.ServiceAddress> tagged = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : CatalogNodesCommand.keyValues("-tagged-address", taggedAddresses).entrySet()) {
            try {
                tagged.put(e.getKey(), parseServiceAddress(e.getValue()));
            } catch (IllegalArgumentException ex) {
                return fail("Invalid Tagged Address: " + ex.getMessage());
            }
        }
        boolean hasName = name != null && !name.isEmpty();
        if (files.isEmpty() && !hasName) {
            throw usage("Service registration requires at least one argument or flags.");
        }
        if (!files.isEmpty() && hasName) {
            throw usage("Service registration requires arguments or -id, not both.");
        }
        List<ServiceDefinition> services = new ArrayList<>();
        if (files.isEmpty()) {
            services.add(new ServiceDefinition(id, name, kind, new ArrayList<>(tags), address,
                    tagged.isEmpty() ? null : tagged, metaMap.isEmpty() ? null : metaMap, port == 0 ? null : port,
                    null, null, null, null));
        } else {
            List<ServiceDefinition> fromFiles;
            try {
                fromFiles = fromFiles(files);
            } catch (ConfigException e) {
                return fail("Error: " + e.getMessage());
            }
            for (ServiceDefinition s : fromFiles) {
                services.add(combine(s, tagged, metaMap));
            }
        }
        for (ServiceDefinition s : services) {
            try {
                client().agent().serviceRegister(s);
            } catch (RosterException e) {
                return fail("Error registering service \"" + s.name() + "\": " + describe(e));
            }
            out.println("Registered service: " + s.name());
        }
        return 0;
    }

    /** The services the files define, read as the agent reads its configuration (dev mode, so nothing else is needed). */
    static List<ServiceDefinition> fromFiles(List<String> files) {
        List<Path> paths = files.stream().map(Path::of).toList();
        return ConfigLoader.load(paths, b -> b.dev(true).enableScriptChecks(true)).services();
    }

    /** A file's service with the flags' values where the file has none (Consul's CombineArgs). */
    private ServiceDefinition combine(ServiceDefinition s, Map<String, ServiceDefinition.ServiceAddress> tagged,
                                      Map<String, String> metaMap) {
        Map<String, String> m = new LinkedHashMap<>(s.meta() == null ? Map.of() : s.meta());
        m.putAll(metaMap);
        Map<String, ServiceDefinition.ServiceAddress> t = new LinkedHashMap<>(s.taggedAddresses() == null ? Map.of() : s.taggedAddresses());
        t.putAll(tagged);
        List<String> allTags = new ArrayList<>(s.tags() == null ? List.of() : s.tags());
        allTags.addAll(tags);
        return new ServiceDefinition(
                empty(s.id()) && !empty(id) ? id : s.id(),
                s.name(),
                empty(s.kind()) && !empty(kind) ? kind : s.kind(),
                allTags,
                empty(s.address()) && !empty(address) ? address : s.address(),
                t.isEmpty() ? null : t,
                m.isEmpty() ? null : m,
                (s.port() == null || s.port() == 0) && port != 0 ? Integer.valueOf(port) : s.port(),
                s.weights(), s.enableTagOverride(), s.check(), s.checks());
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    /** {@code host:port}, {@code [v6]:port} or a bare address (port 0), as Consul's ParseServiceAddr. */
    static ServiceDefinition.ServiceAddress parseServiceAddress(String value) {
        String host = value;
        String portText = null;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close > 0 && value.length() > close + 1 && value.charAt(close + 1) == ':') {
                host = value.substring(1, close);
                portText = value.substring(close + 2);
            }
        } else if (value.indexOf(':') > 0 && value.indexOf(':') == value.lastIndexOf(':')) {
            host = value.substring(0, value.indexOf(':'));
            portText = value.substring(value.indexOf(':') + 1);
        }
        int p = 0;
        if (portText != null) {
            try {
                p = Integer.parseInt(portText);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid port \"" + portText + "\"");
            }
        }
        return new ServiceDefinition.ServiceAddress(host, p);
    }
}
