package io.roster.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.api.AclLink;
import io.roster.api.AclNodeIdentity;
import io.roster.api.AclPolicy;
import io.roster.api.AclRole;
import io.roster.api.AclServiceIdentity;
import io.roster.api.AclToken;
import io.roster.api.Json;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * How the {@code acl} commands print tokens, policies and roles, and how they parse their
 * arguments, as Consul's {@code command/acl} packages do: the {@code pretty} format (labels padded
 * to one column, lists indented three spaces, {@code Hash} in hex, times as Go prints a
 * {@code time.Time}) and the {@code json} format (Go's {@code MarshalIndent} with four spaces).
 * Pure functions, so that every format can be pinned without an agent.
 */
final class AclFormat {
    static final String PRETTY = "pretty";
    static final String JSON = "json";

    private AclFormat() {
    }

    /** Checks a {@code -format} value; Consul's error otherwise. */
    static String format(String f) {
        if (!PRETTY.equals(f) && !JSON.equals(f)) {
            throw new IllegalArgumentException("Unknown format: " + f);
        }
        return f;
    }

    /** Go's {@code json.MarshalIndent(v, "", "    ")} of a wire record. */
    static String json(Object value) {
        JsonNode n = Json.mapper().valueToTree(value);
        return GoFormat.indent(n, "    ");
    }

    /** A token as {@code acl token read/create/update/clone} and {@code acl bootstrap} print it. */
    static String token(AclToken t, boolean meta) {
        StringBuilder b = new StringBuilder();
        line(b, "AccessorID:       ", t.accessorId());
        line(b, "SecretID:         ", t.secretId());
        line(b, "Description:      ", t.description());
        line(b, "Local:            ", Boolean.toString(t.local()));
        if (!t.authMethod().isEmpty()) {
            line(b, "Auth Method:      ", t.authMethod() + " (Namespace: )");
        }
        line(b, "Create Time:      ", goTime(t.createTime()));
        if (!t.expirationTime().isEmpty()) {
            line(b, "Expiration Time:  ", goTime(t.expirationTime()));
        }
        if (meta) {
            metaLines(b, "", "Hash:             ", "Create Index:     ", "Modify Index:     ", t.hash(), t.createIndex(), t.modifyIndex());
        }
        links(b, "", "Policies:", t.policies());
        links(b, "", "Roles:", t.roles());
        serviceIdentities(b, "", t.serviceIdentities());
        nodeIdentities(b, "", t.nodeIdentities());
        return b.toString();
    }

    /** One token of {@code acl token list}: the token's block with {@code Legacy}; entries are separated by a blank line. */
    static String tokenList(List<AclToken> tokens, boolean meta) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < tokens.size(); i++) {
            AclToken t = tokens.get(i);
            if (i > 0) {
                b.append('\n');
            }
            line(b, "AccessorID:       ", t.accessorId());
            line(b, "SecretID:         ", t.secretId());
            line(b, "Description:      ", t.description());
            line(b, "Local:            ", Boolean.toString(t.local()));
            if (!t.authMethod().isEmpty()) {
                line(b, "Auth Method:      ", t.authMethod() + " (Namespace: )");
            }
            line(b, "Create Time:      ", goTime(t.createTime()));
            if (!t.expirationTime().isEmpty()) {
                line(b, "Expiration Time:  ", goTime(t.expirationTime()));
            }
            line(b, "Legacy:           ", "false");
            if (meta) {
                metaLines(b, "", "Hash:             ", "Create Index:     ", "Modify Index:     ", t.hash(), t.createIndex(), t.modifyIndex());
            }
            links(b, "", "Policies:", t.policies());
            links(b, "", "Roles:", t.roles());
            serviceIdentities(b, "", t.serviceIdentities());
            nodeIdentities(b, "", t.nodeIdentities());
        }
        return b.toString();
    }

    /** A policy as {@code acl policy read/create/update} print it: its fields, then {@code Rules:} and the rules as written. */
    static String policy(AclPolicy p, boolean meta) {
        StringBuilder b = new StringBuilder();
        line(b, "ID:           ", p.id());
        line(b, "Name:         ", p.name());
        line(b, "Description:  ", p.description());
        line(b, "Datacenters:  ", String.join(", ", p.datacenters()));
        if (meta) {
            metaLines(b, "", "Hash:         ", "Create Index: ", "Modify Index: ", p.hash(), p.createIndex(), p.modifyIndex());
        }
        b.append("Rules:\n").append(p.rules());
        return b.toString();
    }

    /** {@code acl policy list}: a {@code Name:} header per policy and its fields indented. */
    static String policyList(List<AclPolicy.Stub> policies, boolean meta) {
        StringBuilder b = new StringBuilder();
        for (AclPolicy.Stub p : policies) {
            b.append(p.name()).append(":\n");
            line(b, "   ID:           ", p.id());
            line(b, "   Description:  ", nz(p.description()));
            line(b, "   Datacenters:  ", String.join(", ", p.datacenters() == null ? List.of() : p.datacenters()));
            if (meta) {
                metaLines(b, "   ", "Hash:         ", "Create Index: ", "Modify Index: ", nz(p.hash()), p.createIndex(), p.modifyIndex());
            }
        }
        return b.toString();
    }

    /** A role as {@code acl role read/create/update} print it. */
    static String role(AclRole r, boolean meta) {
        StringBuilder b = new StringBuilder();
        line(b, "ID:           ", r.id());
        line(b, "Name:         ", r.name());
        line(b, "Description:  ", r.description());
        if (meta) {
            metaLines(b, "", "Hash:         ", "Create Index: ", "Modify Index: ", r.hash(), r.createIndex(), r.modifyIndex());
        }
        links(b, "", "Policies:", r.policies());
        serviceIdentities(b, "", r.serviceIdentities());
        nodeIdentities(b, "", r.nodeIdentities());
        return b.toString();
    }

    /** {@code acl role list}: a {@code Name:} header per role and its fields indented. */
    static String roleList(List<AclRole> roles, boolean meta) {
        StringBuilder b = new StringBuilder();
        for (AclRole r : roles) {
            b.append(r.name()).append(":\n");
            line(b, "   ID:           ", r.id());
            line(b, "   Description:  ", r.description());
            if (meta) {
                metaLines(b, "   ", "Hash:         ", "Create Index: ", "Modify Index: ", r.hash(), r.createIndex(), r.modifyIndex());
            }
            links(b, "   ", "Policies:", r.policies());
            serviceIdentities(b, "   ", r.serviceIdentities());
            nodeIdentities(b, "   ", r.nodeIdentities());
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String label, String value) {
        b.append(label).append(value).append('\n');
    }

    private static void metaLines(StringBuilder b, String indent, String hash, String create, String modify,
                                  String h, long c, long m) {
        b.append(indent).append(hash).append(hex(h)).append('\n');
        b.append(indent).append(create).append(c).append('\n');
        b.append(indent).append(modify).append(m).append('\n');
    }

    private static void links(StringBuilder b, String indent, String heading, List<AclLink> links) {
        if (links.isEmpty()) {
            return;
        }
        b.append(indent).append(heading).append('\n');
        for (AclLink l : links) {
            b.append(indent).append("   ").append(l.id()).append(" - ").append(l.name()).append('\n');
        }
    }

    private static void serviceIdentities(StringBuilder b, String indent, List<AclServiceIdentity> ids) {
        if (ids.isEmpty()) {
            return;
        }
        b.append(indent).append("Service Identities:\n");
        for (AclServiceIdentity s : ids) {
            b.append(indent).append("   ").append(s.serviceName()).append(" (Datacenters: ")
                    .append(s.datacenters().isEmpty() ? "all" : String.join(", ", s.datacenters())).append(")\n");
        }
    }

    private static void nodeIdentities(StringBuilder b, String indent, List<AclNodeIdentity> ids) {
        if (ids.isEmpty()) {
            return;
        }
        b.append(indent).append("Node Identities:\n");
        for (AclNodeIdentity n : ids) {
            b.append(indent).append("   ").append(n.nodeName()).append(" (Datacenter: ").append(n.datacenter()).append(")\n");
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /**
     * The hash as Go's {@code %x} prints a byte slice: Consul's JSON carries it base64-encoded;
     * anything that is not base64 is printed as it came.
     */
    static String hex(String base64) {
        if (base64 == null || base64.isEmpty()) {
            return "";
        }
        try {
            return HexFormat.of().formatHex(Base64.getDecoder().decode(base64));
        } catch (IllegalArgumentException e) {
            return base64;
        }
    }

    /**
     * An RFC 3339 time as Go's {@code time.Time.String()} prints it:
     * {@code 2026-12-02 05:30:00.1234 +0000 UTC} (fraction without trailing zeros; a zone with no
     * name shows its offset twice, as Go's fixed zones do). Text that is not RFC 3339 is printed as it came.
     */
    static String goTime(String rfc3339) {
        if (rfc3339 == null || rfc3339.isEmpty()) {
            return "0001-01-01 00:00:00 +0000 UTC";
        }
        OffsetDateTime t;
        try {
            t = OffsetDateTime.parse(rfc3339, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            return rfc3339;
        }
        StringBuilder b = new StringBuilder(t.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT)));
        if (t.getNano() != 0) {
            String frac = BigDecimal.valueOf(t.getNano(), 9).stripTrailingZeros().toPlainString();
            b.append(frac.substring(1));
        }
        String offset = t.format(DateTimeFormatter.ofPattern("xx", Locale.ROOT));
        b.append(' ').append(offset).append(' ').append(t.getOffset().equals(ZoneOffset.UTC) ? "UTC" : offset);
        return b.toString();
    }

    /**
     * {@code -service-identity} values: {@code NAME} or {@code NAME:DC1,DC2}.
     *
     * @throws IllegalArgumentException with Consul's message for an empty name
     */
    static List<AclServiceIdentity> serviceIdentities(List<String> specs) {
        List<AclServiceIdentity> out = new ArrayList<>();
        for (String spec : specs) {
            String name = spec;
            List<String> dcs = List.of();
            int colon = spec.indexOf(':');
            if (colon >= 0) {
                name = spec.substring(0, colon);
                dcs = Arrays.stream(spec.substring(colon + 1).split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
            }
            if (name.isBlank()) {
                throw new IllegalArgumentException("Service identity \"" + spec + "\" must not be empty");
            }
            out.add(new AclServiceIdentity(name, dcs));
        }
        return out;
    }

    /**
     * {@code -node-identity} values: {@code NODENAME:DATACENTER}.
     *
     * @throws IllegalArgumentException with Consul's message for anything else
     */
    static List<AclNodeIdentity> nodeIdentities(List<String> specs) {
        List<AclNodeIdentity> out = new ArrayList<>();
        for (String spec : specs) {
            int colon = spec.indexOf(':');
            if (colon <= 0 || colon == spec.length() - 1 || spec.indexOf(':', colon + 1) >= 0) {
                throw new IllegalArgumentException("Node identity \"" + spec + "\" must be of the form NODENAME:DATACENTER");
            }
            out.add(new AclNodeIdentity(spec.substring(0, colon), spec.substring(colon + 1)));
        }
        return out;
    }

    /**
     * A {@code -rules} value as Consul reads a data source: {@code @FILE} is the file's content,
     * {@code -} is standard input, anything else is the rules themselves.
     */
    static String rules(String value, InputStream stdin) throws IOException {
        if (value == null || value.isEmpty()) {
            return "";
        }
        if (value.equals("-")) {
            return new String(stdin.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (value.startsWith("@")) {
            try {
                return Files.readString(Path.of(value.substring(1)), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IOException("Failed to read file: " + e.getMessage(), e);
            }
        }
        return value;
    }

    /**
     * An ID or a unique prefix of one among {@code ids} (Consul's {@code GetPolicyIDFromPartial}
     * and its twins): a full 36-character UUID is taken as is.
     *
     * @param kind "token", "policy" or "role", for the messages
     */
    static String fromPartial(String partial, String kind, java.util.function.Supplier<List<String>> ids) {
        if (partial.length() == 36) {
            return partial;
        }
        String found = null;
        for (String id : ids.get()) {
            if (id.startsWith(partial)) {
                if (found != null) {
                    throw new IllegalArgumentException("Partial " + kind + " ID is not unique");
                }
                found = id;
            }
        }
        if (found == null) {
            throw new IllegalArgumentException("No such " + kind + " ID with prefix: " + partial);
        }
        return found;
    }
}
