package io.roster.agent.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A parsed filter expression: a tree of {@code and}, {@code or}, {@code not} and match nodes.
 *
 * <p>The grammar, go-bexpr's ({@code grammar/grammar.peg}) written as EBNF, plus the ordering
 * operators {@code < <= > >=}, which Roster adds (go-bexpr has none):
 * <pre>
 * filter    = [ws] or [ws] EOF
 * or        = and { ws "or" ws and }
 * and       = unary { ws "and" ws unary }
 * unary     = "not" ws unary | primary
 * primary   = "(" [ws] or [ws] ")" | match
 * match     = selector [ws] cmp [ws] value
 *           | selector ws ["not" ws] ("contains" | "matches") ws value
 *           | selector ws "is" ws ["not" ws] "empty"
 *           | value ws ["not" ws] "in" ws selector
 * cmp       = "==" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;="
 * selector  = ident { "." ident | "[" [ws] string [ws] "]" }     (no whitespace between the steps)
 * ident     = letter { letter | digit | "_" | "/" }
 * value     = string | number | selector                          (an unquoted selector is its own text)
 * string    = '"' { char | escape } '"' | "`" { any char but "`" } "`"
 * number    = ["-"] ("0" | digit1-9 {digit}) ["." digit {digit}]   (followed by ws, ")" or EOF)
 * ws        = (" " | "\t" | "\n" | "\r") { " " | "\t" | "\n" | "\r" }
 * </pre>
 * {@code and} binds tighter than {@code or}, {@code not} tighter than both; keywords are
 * lower case. A selector step through a list applies to each element, and a match over several
 * values holds when any value matches; each negated operator ({@code !=}, {@code not in},
 * {@code not contains}, {@code not matches}, {@code is not empty}) is the negation of its positive twin.
 */
public sealed interface Expression {
    /** Whether {@code element} (one answer row as its wire JSON) satisfies this expression. */
    boolean eval(JsonNode element);

    /** A canonical, fully parenthesized rendering that parses back to an equal tree. */
    String render();

    /** Parses {@code text}; throws {@link FilterException} with {@code line:col (offset): what} on bad syntax. */
    static Expression parse(String text) {
        return new Parser(text).parseFilter();
    }

    /** {@code l and r}. */
    record And(Expression left, Expression right) implements Expression {
        @Override
        public boolean eval(JsonNode e) {
            return left.eval(e) && right.eval(e);
        }

        @Override
        public String render() {
            return "(" + left.render() + " and " + right.render() + ")";
        }
    }

    /** {@code l or r}. */
    record Or(Expression left, Expression right) implements Expression {
        @Override
        public boolean eval(JsonNode e) {
            return left.eval(e) || right.eval(e);
        }

        @Override
        public String render() {
            return "(" + left.render() + " or " + right.render() + ")";
        }
    }

    /** {@code not x}. */
    record Not(Expression inner) implements Expression {
        @Override
        public boolean eval(JsonNode e) {
            return !inner.eval(e);
        }

        @Override
        public String render() {
            return "(not " + inner.render() + ")";
        }
    }

    /** The match operators; a negated one is the negation of {@link #positive()}. */
    enum Op {
        EQ("=="), NE("!="), LT("<"), LE("<="), GT(">"), GE(">="), CONTAINS("contains"), NOT_CONTAINS("not contains"),
        IN("in"), NOT_IN("not in"), MATCHES("matches"), NOT_MATCHES("not matches"), EMPTY("is empty"),
        NOT_EMPTY("is not empty");

        final String text;

        Op(String text) {
            this.text = text;
        }

        boolean negated() {
            return this == NE || this == NOT_CONTAINS || this == NOT_IN || this == NOT_MATCHES || this == NOT_EMPTY;
        }

        Op positive() {
            return switch (this) {
                case NE -> EQ;
                case NOT_CONTAINS -> CONTAINS;
                case NOT_IN -> IN;
                case NOT_MATCHES -> MATCHES;
                case NOT_EMPTY -> EMPTY;
                default -> this;
            };
        }
    }

    /** A selector: its steps (field names or map keys) and its source text. */
    record Selector(List<String> path, String raw) {
        /** The values this selector reaches in {@code root}; a step through a list reaches into each element. */
        List<JsonNode> resolve(JsonNode root) {
            List<JsonNode> cur = List.of(root);
            for (String step : path) {
                List<JsonNode> next = new ArrayList<>();
                for (JsonNode n : cur) {
                    if (n.isArray()) {
                        n.forEach(el -> next.add(el.path(step)));
                    } else {
                        next.add(n.path(step));
                    }
                }
                cur = next;
            }
            return cur;
        }
    }

    /**
     * One match. {@code value} is the literal's text (a string's unquoted content, a number's
     * digits, an unquoted selector's source); {@code quoted} says it was a string literal.
     */
    record Match(Selector selector, Op op, String value, boolean quoted, Pattern regex) implements Expression {
        @Override
        public boolean eval(JsonNode e) {
            boolean r = positive(e);
            return op.negated() != r;
        }

        private boolean positive(JsonNode e) {
            List<JsonNode> vals = selector.resolve(e);
            Op p = op.positive();
            if (p == Op.EMPTY) {
                for (JsonNode v : vals) {
                    if (!isEmpty(v)) {
                        return false;
                    }
                }
                return true;
            }
            for (JsonNode v : vals) {
                if (one(p, v)) {
                    return true;
                }
            }
            return false;
        }

        private boolean one(Op p, JsonNode v) {
            return switch (p) {
                case EQ -> v.isArray() ? anyElement(v, Op.EQ) : compare(v) == 0;
                case LT -> compare(v) < 0 && compare(v) != NONE;
                case LE -> compare(v) <= 0 && compare(v) != NONE;
                case GT -> compare(v) > 0 && compare(v) != NONE;
                case GE -> compare(v) >= 0 && compare(v) != NONE;
                case CONTAINS, IN -> contains(v);
                case MATCHES -> v.isTextual() ? find(regex, v.asText())
                        : v.isArray() && anyElement(v, Op.MATCHES);
                default -> false;
            };
        }

        private boolean anyElement(JsonNode array, Op p) {
            for (JsonNode el : array) {
                if (!el.isArray() && one(p, el)) {
                    return true;
                }
            }
            return false;
        }

        private boolean contains(JsonNode v) {
            if (v.isArray()) {
                for (JsonNode el : v) {
                    if (!el.isContainerNode() && compare(el) == 0) {
                        return true;
                    }
                }
                return false;
            }
            if (v.isObject()) {
                return v.has(value);
            }
            return v.isTextual() && v.asText().contains(value);
        }

        /** Sentinel: the values cannot be compared. */
        static final int NONE = Integer.MIN_VALUE;

        /** Compares the leaf {@code v} with the value, coerced to the leaf's type; {@link #NONE} if it cannot be. */
        private int compare(JsonNode v) {
            if (v.isMissingNode() || v.isNull()) {
                // An absent field is Go's zero value: "" for a string, 0, false (Roster leaves empty
                // fields out of some answers where Consul writes the zero value).
                return value.isEmpty() || Boolean.FALSE.equals(parseBool(value))
                        || (parseNumber(value) != null && parseNumber(value).signum() == 0) ? 0 : NONE;
            }
            if (v.isTextual()) {
                return Integer.signum(v.asText().compareTo(value));
            }
            if (v.isBoolean()) {
                Boolean b = parseBool(value);
                return b == null ? NONE : (b == v.asBoolean() ? 0 : NONE);
            }
            if (v.isNumber()) {
                BigDecimal d = parseNumber(value);
                return d == null ? NONE : Integer.signum(v.decimalValue().compareTo(d));
            }
            return NONE;
        }

        static boolean isEmpty(JsonNode v) {
            if (v.isMissingNode() || v.isNull()) {
                return true;
            }
            if (v.isContainerNode()) {
                return v.isEmpty();
            }
            return v.isTextual() && v.asText().isEmpty();
        }

        @Override
        public String render() {
            String val = quoted ? Parser.quote(value) : value;
            return switch (op) {
                case EMPTY, NOT_EMPTY -> "(" + selector.raw() + " " + op.text + ")";
                case IN, NOT_IN -> "(" + val + " " + op.text + " " + selector.raw() + ")";
                default -> "(" + selector.raw() + " " + op.text + " " + val + ")";
            };
        }
    }

    /** Character reads one regex search may make; Java's backtracking regex could otherwise run for ever. */
    int MAX_REGEX_STEPS = 1_000_000;

    /** {@code regex.matcher(text).find()}, refused with a {@link FilterException} past {@link #MAX_REGEX_STEPS}. */
    static boolean find(Pattern regex, String text) {
        return regex.matcher(new Bounded(text)).find();
    }

    /** A string whose reads are counted, so a catastrophic backtracking search is stopped. */
    final class Bounded implements CharSequence {
        private final String text;
        private final int[] steps;

        Bounded(String text) {
            this(text, new int[1]);
        }

        private Bounded(String text, int[] steps) {
            this.text = text;
            this.steps = steps;
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public char charAt(int index) {
            if (++steps[0] > MAX_REGEX_STEPS) {
                throw new FilterException("regular expression search too long (more than " + MAX_REGEX_STEPS + " steps)");
            }
            return text.charAt(index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new Bounded(text.substring(start, end), steps);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Go's {@code strconv.ParseBool}; null when {@code s} is not a boolean. */
    static Boolean parseBool(String s) {
        return switch (s) {
            case "1", "t", "T", "TRUE", "true", "True" -> Boolean.TRUE;
            case "0", "f", "F", "FALSE", "false", "False" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** A decimal number; null when {@code s} is not one. */
    static BigDecimal parseNumber(String s) {
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** Compiles a {@code matches} value (Java regex syntax stands in for Go's RE2). */
    static Pattern regex(String value, int offset, String text) {
        try {
            return Pattern.compile(value);
        } catch (PatternSyntaxException e) {
            throw new FilterException(Parser.at(text, offset) + "error parsing regexp: " + e.getDescription());
        }
    }
}
