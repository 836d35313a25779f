package io.roster.agent.query;

import io.roster.api.PreparedQuery;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Prepared query templates ({@code Template.Type = name_prefix_match}): checked when stored, rendered
 * for the name an execute asked for. Every string of the query (service, tags, metadata values,
 * filter, near, failover datacenters) may hold {@code ${name.full}}, {@code ${name.prefix}} (the
 * template's name), {@code ${name.suffix}} (the rest), {@code ${match(N)}} (group N of
 * {@code Template.Regexp} matched against the full name, empty when it does not match) and
 * {@code ${agent.segment}} (always empty: Roster has no segments). {@code RemoveEmptyTags} drops the
 * tags that render empty. The template part itself is not rendered.
 */
public final class Templates {
    public static final String NAME_PREFIX_MATCH = "name_prefix_match";
    private static final Pattern VAR = Pattern.compile("\\$\\{\\s*([^}]*?)\\s*}");
    private static final Pattern MATCH = Pattern.compile("match\\(\\s*(\\d+)\\s*\\)");

    private Templates() {
    }

    /** A one-line reason the template cannot be used, or null when it is fine (or not a template). */
    public static String check(PreparedQuery q) {
        String type = q.template().type();
        if (type.isEmpty()) {
            return null;
        }
        if (!type.equals(NAME_PREFIX_MATCH)) {
            return "Bad Template.Type '" + type + "'";
        }
        if (!q.template().regexp().isEmpty()) {
            try {
                Pattern.compile(q.template().regexp());
            } catch (PatternSyntaxException e) {
                return "Bad Regexp: " + e.getDescription();
            }
        }
        List<String> bad = new ArrayList<>();
        walk(q, s -> {
            Matcher m = VAR.matcher(s);
            while (m.find()) {
                String v = m.group(1);
                if (!known(v)) {
                    bad.add(v);
                }
            }
            return s;
        });
        return bad.isEmpty() ? null : "unknown variable or function '" + bad.getFirst() + "'";
    }

    private static boolean known(String v) {
        return v.equals("name.full") || v.equals("name.prefix") || v.equals("name.suffix") || v.equals("agent.segment")
                || MATCH.matcher(v).matches();
    }

    /** The template rendered for {@code name} (which starts with the template's name). */
    public static PreparedQuery render(PreparedQuery t, String name) {
        String prefix = name.length() >= t.name().length() ? name.substring(0, t.name().length()) : name;
        String suffix = name.length() >= t.name().length() ? name.substring(t.name().length()) : "";
        Matcher groups = null;
        if (!t.template().regexp().isEmpty()) {
            Matcher m = Pattern.compile(t.template().regexp()).matcher(name);
            groups = m.find() ? m : null;
        }
        Matcher g = groups;
        PreparedQuery out = walk(t, s -> {
            Matcher m = VAR.matcher(s);
            StringBuilder b = new StringBuilder();
            while (m.find()) {
                String v = m.group(1);
                String value;
                Matcher mm = MATCH.matcher(v);
                if (v.equals("name.full")) {
                    value = name;
                } else if (v.equals("name.prefix")) {
                    value = prefix;
                } else if (v.equals("name.suffix")) {
                    value = suffix;
                } else if (mm.matches()) {
                    int n = Integer.parseInt(mm.group(1));
                    value = g != null && n <= g.groupCount() && g.group(n) != null ? g.group(n) : "";
                } else {
                    value = "";
                }
                m.appendReplacement(b, Matcher.quoteReplacement(value));
            }
            m.appendTail(b);
            return b.toString();
        });
        if (t.template().removeEmptyTags()) {
            PreparedQuery.ServiceQuery s = out.service();
            List<String> tags = s.tags().stream().filter(x -> !x.isEmpty()).toList();
            out = new PreparedQuery(out.id(), out.name(), out.session(), out.token(),
                    new PreparedQuery.ServiceQuery(s.service(), s.near(), s.filter(), s.failover(), s.ignoreCheckIds(),
                            s.onlyPassing(), tags, s.nodeMeta(), s.serviceMeta()),
                    out.dns(), out.template(), out.createIndex(), out.modifyIndex());
        }
        return out;
    }

    /** The query with {@code f} applied to each string a template may hold. */
    private static PreparedQuery walk(PreparedQuery q, UnaryOperator<String> f) {
        PreparedQuery.ServiceQuery s = q.service();
        PreparedQuery.Failover fo = s.failover();
        PreparedQuery.ServiceQuery rs = new PreparedQuery.ServiceQuery(f.apply(s.service()), f.apply(s.near()),
                f.apply(s.filter()), new PreparedQuery.Failover(fo.nearestN(), each(fo.datacenters(), f), fo.targets()),
                each(s.ignoreCheckIds(), f), s.onlyPassing(), each(s.tags(), f), values(s.nodeMeta(), f),
                values(s.serviceMeta(), f));
        return new PreparedQuery(q.id(), q.name(), q.session(), q.token(), rs, new PreparedQuery.Dns(f.apply(q.dns().ttl())),
                q.template(), q.createIndex(), q.modifyIndex());
    }

    private static List<String> each(List<String> in, UnaryOperator<String> f) {
        List<String> out = new ArrayList<>(in.size());
        for (String s : in) {
            out.add(f.apply(s));
        }
        return out;
    }

    private static Map<String, String> values(Map<String, String> in, UnaryOperator<String> f) {
        Map<String, String> out = new LinkedHashMap<>();
        in.forEach((k, v) -> out.put(k, f.apply(v)));
        return out;
    }
}
