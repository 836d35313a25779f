package io.roster.agent.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.roster.api.HealthCheck;
import io.roster.api.Node;
import io.roster.api.NodeService;
import io.roster.api.ServiceEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The filter language: operators, precedence, errors with positions, schema checks, seeded random expressions. */
class FilterTest {
    private static final ObjectMapper M = new ObjectMapper();

    /** A service-like element: strings, an int, a bool, a list, a map, a list of structs. */
    private static final Schema SCHEMA = Schema.struct(Map.of(
            "Name", Schema.STRING, "Port", Schema.INT, "Weight", Schema.FLOAT, "Enabled", Schema.BOOL,
            "Tags", Schema.list(Schema.STRING), "Meta", Schema.map(Schema.STRING),
            "Checks", Schema.list(Schema.struct(Map.of("Status", Schema.STRING, "CheckID", Schema.STRING)))));

    private static JsonNode el(String json) {
        try {
            return M.readTree(json.replace('\'', '"'));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static final JsonNode WEB = el("{'Name':'web','Port':8080,'Weight':1.5,'Enabled':true,'Tags':['v1','blue'],"
            + "'Meta':{'env':'prod','x-y':'1'},'Checks':[{'Status':'passing','CheckID':'a'},{'Status':'critical','CheckID':'b'}]}");
    private static final JsonNode DB = el("{'Name':'db','Port':5432,'Weight':0,'Enabled':false,'Tags':[],"
            + "'Meta':{},'Checks':[]}");

    private static boolean t(String expr, JsonNode e) {
        return Filter.compile(expr, SCHEMA).test(e);
    }

    @Test
    void equalityCoercesToTheFieldsType() {
        assertThat(t("Name == web", WEB)).isTrue();
        assertThat(t("Name == \"web\"", WEB)).isTrue();
        assertThat(t("Name == `web`", WEB)).isTrue();
        assertThat(t("Name==web", DB)).isFalse();
        assertThat(t("Name != web", DB)).isTrue();
        assertThat(t("Port == 8080", WEB)).isTrue();
        assertThat(t("Port == \"8080\"", WEB)).isTrue();
        assertThat(t("Enabled == true", WEB)).isTrue();
        assertThat(t("Enabled == T", WEB)).isTrue();
        assertThat(t("Enabled == false", DB)).isTrue();
        assertThat(t("Enabled != true", DB)).isTrue();
        assertThat(t("Weight == 1.5", WEB)).isTrue();
        assertThat(t("Weight == 0", DB)).isTrue();
    }

    @Test
    void anAbsentFieldIsGosZeroValue() {
        JsonNode bare = el("{'Tags':[],'Meta':{},'Checks':[]}");
        assertThat(t("Name == \"\"", bare)).isTrue();
        assertThat(t("Name != \"\"", bare)).isFalse();
        assertThat(t("Name == web", bare)).isFalse();
        assertThat(t("Port == 0", bare)).isTrue();
        assertThat(t("Enabled == false", bare)).isTrue();
        assertThat(t("Enabled == true", bare)).isFalse();
        assertThat(t("Name is empty", bare)).isTrue();
    }

    @Test
    void orderingComparesNumbersNumericallyAndStringsLexically() {
        assertThat(t("Port < 8081", WEB)).isTrue();
        assertThat(t("Port < 8080", WEB)).isFalse();
        assertThat(t("Port <= 8080", WEB)).isTrue();
        assertThat(t("Port > 10000", WEB)).isFalse();
        assertThat(t("Port >= 5432", DB)).isTrue();
        assertThat(t("Weight > 1.25", WEB)).isTrue();
        assertThat(t("Name < x", WEB)).isTrue();
        assertThat(t("Name > web", WEB)).isFalse();
    }

    @Test
    void containsAndInOverListsMapsAndStrings() {
        assertThat(t("Tags contains v1", WEB)).isTrue();
        assertThat(t("\"v1\" in Tags", WEB)).isTrue();
        assertThat(t("v1 in Tags", WEB)).isTrue();
        assertThat(t("\"v1\" in Tags", DB)).isFalse();
        assertThat(t("\"v1\" not in Tags", DB)).isTrue();
        assertThat(t("Tags not contains green", WEB)).isTrue();
        assertThat(t("Meta contains env", WEB)).isTrue();
        assertThat(t("\"env\" in Meta", DB)).isFalse();
        assertThat(t("\"eb\" in Name", WEB)).isTrue();
        assertThat(t("Name contains \"we\"", WEB)).isTrue();
        assertThat(t("Name not contains \"we\"", DB)).isTrue();
    }

    @Test
    void matchesIsARegexSearch() {
        assertThat(t("Name matches \"^w.b$\"", WEB)).isTrue();
        assertThat(t("Name matches \"^d\"", WEB)).isFalse();
        assertThat(t("Name not matches \"^d\"", WEB)).isTrue();
        assertThat(t("Meta.env matches `pr.d`", WEB)).isTrue();
    }

    @Test
    void aCatastrophicRegexIsStoppedNotRunForEver() {
        // Java's regex engine memoizes the classic (a+)+ cases; this one still grows polynomially (~18M reads at 300).
        JsonNode longName = el("{'Name':'" + "x".repeat(300) + "','Tags':[],'Meta':{},'Checks':[]}");
        Filter f = Filter.compile("Name matches \"(x+x+)+y\"", SCHEMA);
        assertThatThrownBy(() -> f.test(longName)).isInstanceOf(FilterException.class).hasMessageContaining("too long");
        assertThat(f.test(el("{'Name':'xxy'}"))).isTrue();
    }

    @Test
    void emptinessOfStringsListsMapsAndMissingKeys() {
        assertThat(t("Tags is empty", DB)).isTrue();
        assertThat(t("Tags is not empty", WEB)).isTrue();
        assertThat(t("Meta is empty", DB)).isTrue();
        assertThat(t("Meta.env is empty", DB)).isTrue();
        assertThat(t("Meta.env is not empty", WEB)).isTrue();
        assertThat(t("Name is empty", WEB)).isFalse();
    }

    @Test
    void mapKeysWithDotsOrBrackets() {
        assertThat(t("Meta.env == prod", WEB)).isTrue();
        assertThat(t("Meta[\"env\"] == prod", WEB)).isTrue();
        assertThat(t("Meta[\"x-y\"] == \"1\"", WEB)).isTrue();
        assertThat(t("Meta.missing == prod", WEB)).isFalse();
        assertThat(t("Meta.missing != prod", WEB)).isTrue();
    }

    @Test
    void aSelectorThroughAListMatchesWhenAnyElementDoes() {
        assertThat(t("Checks.Status == critical", WEB)).isTrue();
        assertThat(t("Checks.Status == warning", WEB)).isFalse();
        assertThat(t("Checks.Status != warning", WEB)).isTrue();
        assertThat(t("Checks.Status == passing", DB)).isFalse();
    }

    @Test
    void precedenceNotThenAndThenOr() {
        assertThat(Expression.parse("a == 1 or b == 2 and c == 3").render()).isEqualTo("((a == 1) or ((b == 2) and (c == 3)))");
        assertThat(Expression.parse("not a == 1 and b == 2").render()).isEqualTo("((not (a == 1)) and (b == 2))");
        assertThat(Expression.parse("(a == 1 or b == 2) and c == 3").render()).isEqualTo("(((a == 1) or (b == 2)) and (c == 3))");
        assertThat(Expression.parse("not not a is empty").render()).isEqualTo("(not (not (a is empty)))");
        // Evaluated: "false or true and false" is false, "(false or true) and true" is true.
        assertThat(t("Name == db or Port == 8080 and Enabled == false", WEB)).isFalse();
        assertThat(t("(Name == db or Port == 8080) and Enabled == true", WEB)).isTrue();
        assertThat(t("not Name == db and not Tags is empty", WEB)).isTrue();
    }

    @Test
    void syntaxErrorsNameThePosition() {
        assertThatThrownBy(() -> Filter.compile("Name ==", SCHEMA)).isInstanceOf(FilterException.class)
                .hasMessageStartingWith("Failed to create boolean expression evaluator: 1:8 (7): ");
        assertThatThrownBy(() -> Filter.compile("Name = web", SCHEMA))
                .hasMessageStartingWith("Failed to create boolean expression evaluator: 1:6 (5): ");
        assertThatThrownBy(() -> Filter.compile("(Name == web", SCHEMA)).hasMessageContaining("1:13 (12): unmatched parenthesis");
        assertThatThrownBy(() -> Filter.compile("Name == web)", SCHEMA)).hasMessageContaining("1:12 (11): unmatched parenthesis");
        assertThatThrownBy(() -> Filter.compile("Name == \"web", SCHEMA)).hasMessageContaining("1:9 (8): Unterminated string literal");
        assertThatThrownBy(() -> Filter.compile("Port == 80x", SCHEMA)).hasMessageContaining("1:9 (8): Invalid number literal");
        assertThatThrownBy(() -> Filter.compile("Name == web\nand Port ~ 1", SCHEMA)).hasMessageContaining("2:10 (21): ");
        assertThatThrownBy(() -> Filter.compile("Meta[env] == x", SCHEMA)).hasMessageContaining("1:6 (5): Invalid index");
        assertThatThrownBy(() -> Filter.compile("Name matches \"(\"", SCHEMA)).hasMessageContaining("error parsing regexp");
        assertThatThrownBy(() -> Filter.compile("", SCHEMA)).hasMessageContaining("1:1 (0)");
        assertThatThrownBy(() -> Filter.compile("Name is web", SCHEMA)).hasMessageContaining("1:9 (8)");
    }

    @Test
    void selectorsAndOperatorsAreCheckedAgainstTheFields() {
        assertThatThrownBy(() -> Filter.compile("Nmae == web", SCHEMA))
                .hasMessage("Failed to create boolean expression evaluator: Selector \"Nmae\" is not valid");
        assertThatThrownBy(() -> Filter.compile("Name.x == web", SCHEMA)).hasMessageContaining("Selector \"Name.x\" is not valid");
        assertThatThrownBy(() -> Filter.compile("Checks.Nope == a", SCHEMA)).hasMessageContaining("Selector \"Checks.Nope\" is not valid");
        assertThatThrownBy(() -> Filter.compile("Tags == v1", SCHEMA)).hasMessageContaining("Invalid match operator \"==\" for selector \"Tags\"");
        assertThatThrownBy(() -> Filter.compile("Port matches 1", SCHEMA)).hasMessageContaining("Invalid match operator");
        assertThatThrownBy(() -> Filter.compile("Enabled < true", SCHEMA)).hasMessageContaining("Invalid match operator");
        assertThatThrownBy(() -> Filter.compile("Port == abc", SCHEMA)).hasMessageContaining("Failed to coerce value \"abc\" to int");
        assertThatThrownBy(() -> Filter.compile("Enabled == yes", SCHEMA)).hasMessageContaining("to bool");
    }

    @Test
    void schemasOfTheApiRecordsUseTheWireNames() {
        Schema entry = Schema.of(ServiceEntry.class);
        assertThat(entry.fields()).containsKeys("Node", "Service", "Checks");
        assertThat(entry.fields().get("Service").fields()).containsKeys("ID", "Service", "Tags", "Meta", "Port", "Weights");
        assertThat(Schema.of(Node.class).fields()).containsKeys("Node", "Address", "Meta", "TaggedAddresses", "Datacenter");
        assertThat(Schema.of(HealthCheck.class).fields()).containsKeys("CheckID", "Status", "ServiceName", "ServiceTags");
        Filter.compile("Service.Meta.env == prod and Node.Meta[\"rack\"] == r1 and Checks.Status == passing and Service.Port > 80", entry);
        Filter.compile("Weights.Passing == 1 and \"v1\" in Tags", Schema.of(NodeService.class));
        assertThatThrownBy(() -> Filter.compile("ServiceName == web", Schema.of(NodeService.class)))
                .hasMessageContaining("Selector \"ServiceName\" is not valid");
    }

    // ------------------------------------------------------------------ seeded random expressions

    /** A generated expression: its text and a reference evaluator written over plain maps, not JSON trees. */
    private record Gen(String text, Predicate<Map<String, Object>> ref) {
    }

    private static final List<String> NAMES = List.of("web", "db", "api", "cache", "");
    private static final List<String> TAGS = List.of("v1", "v2", "blue", "green");

    private static Map<String, Object> randomElement(Random r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", NAMES.get(r.nextInt(NAMES.size())));
        m.put("Port", (long) r.nextInt(5));
        m.put("Enabled", r.nextBoolean());
        List<String> tags = new ArrayList<>();
        for (String t : TAGS) {
            if (r.nextInt(3) == 0) {
                tags.add(t);
            }
        }
        m.put("Tags", tags);
        Map<String, String> meta = new LinkedHashMap<>();
        if (r.nextBoolean()) {
            meta.put("env", r.nextBoolean() ? "prod" : "dev");
        }
        m.put("Meta", meta);
        return m;
    }

    private static String quoteRandomly(Random r, String s) {
        if (!s.isEmpty() && r.nextBoolean()) {
            return s;
        }
        return r.nextBoolean() ? "`" + s + "`" : "\"" + s + "\"";
    }

    @SuppressWarnings("unchecked")
    private static Gen leaf(Random r) {
        String name = NAMES.get(r.nextInt(NAMES.size()));
        String tag = TAGS.get(r.nextInt(TAGS.size()));
        long port = r.nextInt(5);
        boolean b = r.nextBoolean();
        return switch (r.nextInt(13)) {
            case 0 -> new Gen("Name == " + quoteRandomly(r, name), m -> m.get("Name").equals(name));
            case 1 -> new Gen("Name != " + quoteRandomly(r, name), m -> !m.get("Name").equals(name));
            case 2 -> new Gen("Port < " + port, m -> (Long) m.get("Port") < port);
            case 3 -> new Gen("Port <= " + port, m -> (Long) m.get("Port") <= port);
            case 4 -> new Gen("Port > " + port, m -> (Long) m.get("Port") > port);
            case 5 -> new Gen("Port >= " + port, m -> (Long) m.get("Port") >= port);
            case 6 -> new Gen("Enabled == " + b, m -> m.get("Enabled").equals(b));
            case 7 -> new Gen(quoteRandomly(r, tag) + " in Tags", m -> ((List<String>) m.get("Tags")).contains(tag));
            case 8 -> new Gen("Tags not contains " + quoteRandomly(r, tag), m -> !((List<String>) m.get("Tags")).contains(tag));
            case 9 -> new Gen("Tags is " + (b ? "" : "not ") + "empty", m -> ((List<String>) m.get("Tags")).isEmpty() == b);
            case 10 -> new Gen("Meta.env == prod", m -> "prod".equals(((Map<String, String>) m.get("Meta")).get("env")));
            case 11 -> new Gen("Meta[\"env\"] is empty", m -> {
                String v = ((Map<String, String>) m.get("Meta")).get("env");
                return v == null || v.isEmpty();
            });
            default -> new Gen("Name matches \"^" + name.substring(0, Math.min(1, name.length())) + "\"",
                    m -> ((String) m.get("Name")).startsWith(name.substring(0, Math.min(1, name.length()))));
        };
    }

    private static Gen gen(Random r, int depth) {
        if (depth == 0 || r.nextInt(3) == 0) {
            return leaf(r);
        }
        Gen a = gen(r, depth - 1);
        return switch (r.nextInt(4)) {
            case 0 -> {
                Gen b = gen(r, depth - 1);
                yield new Gen("(" + a.text + ") and (" + b.text + ")", a.ref.and(b.ref));
            }
            case 1 -> {
                Gen b = gen(r, depth - 1);
                yield new Gen("(" + a.text + ") or (" + b.text + ")", a.ref.or(b.ref));
            }
            case 2 -> new Gen("not (" + a.text + ")", a.ref.negate());
            default -> new Gen(" ( " + a.text + " ) ", a.ref);
        };
    }

    @Test
    void seededRandomExpressionsAgreeWithAReferenceEvaluatorAndRoundTrip() {
        Schema schema = Schema.struct(Map.of("Name", Schema.STRING, "Port", Schema.INT, "Enabled", Schema.BOOL,
                "Tags", Schema.list(Schema.STRING), "Meta", Schema.map(Schema.STRING)));
        long seed = 20261202L;
        Random r = new Random(seed);
        int agreed = 0;
        for (int i = 0; i < 2000; i++) {
            Gen g = gen(r, 4);
            Filter f = Filter.compile(g.text, schema);
            String canonical = f.expression().render();
            assertThat(Expression.parse(canonical).render()).as("round trip of %s (seed %d)", g.text, seed).isEqualTo(canonical);
            for (int j = 0; j < 5; j++) {
                Map<String, Object> m = randomElement(r);
                JsonNode tree = M.valueToTree(m);
                assertThat(f.test(tree)).as("%s on %s (seed %d)", g.text, m, seed).isEqualTo(g.ref.test(m));
                assertThat(Filter.compile(canonical, schema).test(tree)).isEqualTo(g.ref.test(m));
                agreed++;
            }
        }
        assertThat(agreed).isEqualTo(10_000);
    }

    @Test
    void fuzzedTextOnlyEverFailsWithAFilterException() {
        String alphabet = "ab.Name Tags Meta[]()\"`\\=!<>-09 in not and or is empty contains matches\n\t";
        String[] words = {"Name", "==", "!=", "(", ")", "and", "or", "not", "in", "\"x\"", "`y`", "Tags", "Meta.env",
            "Meta[\"k\"]", "is", "empty", "contains", "matches", "12", "-3.5", "<", ">=", "[", "]", "."};
        Random r = new Random(7);
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder sb = new StringBuilder();
            int len = r.nextInt(12);
            for (int k = 0; k < len; k++) {
                if (r.nextBoolean()) {
                    sb.append(words[r.nextInt(words.length)]).append(r.nextInt(4) == 0 ? "" : " ");
                } else {
                    sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
            }
            try {
                Filter.compile(sb.toString(), SCHEMA).test(WEB);
                parsed++;
            } catch (FilterException e) {
                assertThat(e.getMessage()).startsWith(Filter.ERROR_PREFIX).doesNotContain("\n").doesNotContain("java.");
            }
        }
        assertThat(parsed).as("some fuzzed inputs are valid filters").isGreaterThan(0);
        // Deep nesting is refused, not a stack overflow.
        assertThatThrownBy(() -> Filter.compile("(".repeat(100_000) + "Name == a" + ")".repeat(100_000), SCHEMA))
                .isInstanceOf(FilterException.class);
        assertThatThrownBy(() -> Filter.compile("not ".repeat(5_000) + "Name == a", SCHEMA)).isInstanceOf(FilterException.class);
    }
}
