package io.roster.cli;

import io.roster.api.RosterClient.Member;
import io.roster.api.RosterException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code roster members}: the gossip pool as Consul prints it, columns
 * {@code Node Address Status Type Build Protocol DC Partition Segment} (or {@code Node Address
 * Status Tags} with {@code -detailed}), servers first. Exit code 2 when no member matches
 * {@code -status}, as Consul.
 */
@Command(name = "members", modelTransformer = ClientCommand.GoFlags.class, sortOptions = false,
        customSynopsis = "roster members [options]",
        description = {"List the members of the cluster.", "Exit code 2 when no member matches -status."},
        footer = {"", "Examples:", "  roster members", "  roster members -detailed -status=alive"})
final class MembersCommand extends ClientCommand {
    @Option(names = {"-detailed", "--detailed"}, description = "Show every tag of each member.")
    boolean detailed;
    @Option(names = {"-status", "--status"}, paramLabel = "REGEXP", description = "Only members whose status matches (default: .*).")
    String status = ".*";
    @Option(names = {"-wan", "--wan"}, description = "List the WAN pool of servers instead.")
    boolean wan;
    @Option(names = {"-segment", "--segment"}, paramLabel = "NAME", description = "Network segment (Enterprise; accepted, ignored).")
    String segment;
    @Option(names = {"-partition", "--partition"}, paramLabel = "NAME", description = "Admin partition (Enterprise; accepted, ignored).")
    String partition;
    @Parameters(arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    int run() {
        maxArgs(args, 0);
        Pattern statusRe;
        try {
            statusRe = Pattern.compile(status);
        } catch (PatternSyntaxException e) {
            return fail("Failed to compile status regexp: " + Main.oneLine(e.getMessage()));
        }
        List<Member> members;
        try {
            members = client().agent().members(wan);
        } catch (RosterException e) {
            return fail("Error retrieving members: " + describe(e));
        }
        List<Member> shown = new ArrayList<>();
        for (Member m : members) {
            Map<String, String> tags = new HashMap<>(m.tags());
            if (tags.getOrDefault("ap", "").isEmpty()) {
                tags.put("ap", "default");
            }
            if (tags.get("ap").equals("default")) {
                if ("consul".equals(tags.get("role"))) {
                    tags.put("segment", "<all>");
                } else if (tags.getOrDefault("segment", "").isEmpty()) {
                    tags.put("segment", "<default>");
                }
            } else {
                tags.put("segment", "");
            }
            if (statusRe.matcher(status(m.status())).find()) {
                shown.add(new Member(m.name(), m.addr(), m.port(), tags, m.status(), m.protocolMin(), m.protocolMax(),
                        m.protocolCur(), m.delegateMin(), m.delegateMax(), m.delegateCur()));
            }
        }
        if (shown.isEmpty()) {
            return 2;
        }
        shown.sort(ORDER);
        List<List<String>> rows = new ArrayList<>();
        if (detailed) {
            rows.add(List.of("Node", "Address", "Status", "Tags"));
            for (Member m : shown) {
                List<String> pairs = new ArrayList<>();
                m.tags().keySet().stream().sorted().forEach(k -> pairs.add(k + "=" + m.tags().get(k)));
                rows.add(List.of(m.name(), address(m), status(m.status()), String.join(",", pairs)));
            }
        } else {
            rows.add(List.of("Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Partition", "Segment"));
            for (Member m : shown) {
                Map<String, String> t = m.tags();
                String build = t.getOrDefault("build", "");
                if (build.isEmpty()) {
                    build = "< 0.3";
                } else if (build.contains(":")) {
                    build = build.substring(0, build.indexOf(':'));
                }
                String role = t.getOrDefault("role", "");
                String type = role.equals("consul") ? "server" : role.equals("node") ? "client" : "unknown";
                if (type.equals("unknown")) {
                    rows.add(List.of(m.name(), address(m), status(m.status()), type, "", "", "", "", ""));
                } else {
                    rows.add(List.of(m.name(), address(m), status(m.status()), type, build, t.getOrDefault("vsn", ""),
                            t.getOrDefault("dc", ""), t.getOrDefault("ap", ""), t.getOrDefault("segment", "")));
                }
            }
        }
        out.println(GoFormat.columnize(rows));
        return 0;
    }

    /** Servers first, then the default partition, then by segment, partition and name (Consul's order). */
    private static final Comparator<Member> ORDER = Comparator
            .comparing((Member m) -> !"consul".equals(m.tags().get("role")))
            .thenComparing(m -> !isDefault(m.tags().get("ap")))
            .thenComparing(m -> m.tags().getOrDefault("segment", ""))
            .thenComparing(m -> m.tags().getOrDefault("ap", ""))
            .thenComparing(Member::name);

    private static boolean isDefault(String partition) {
        return partition == null || partition.isEmpty() || partition.equals("default");
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    private static String address(Member m) {
        String a = m.addr() == null ? "" : m.addr();
        return (a.contains(":") ? "[" + a + "]" : a) + ":" + m.port();
    }

    /** Serf's member status names. */
    static String status(int s) {
        return switch (s) {
            case 0 -> "none";
            case 1 -> "alive";
            case 2 -> "leaving";
            case 3 -> "left";
            case 4 -> "failed";
            default -> "unknown";
        };
    }
}
