package io.roster.agent.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.roster.agent.filter.Expression.Match;
import io.roster.agent.filter.Expression.Op;
import io.roster.agent.filter.Schema.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A filter expression checked against one endpoint's {@link Schema}, ready to test answer rows.
 *
 * <p>Checking is what go-bexpr does when Consul creates an evaluator: every selector must name
 * fields the element type has, the operator must suit the selected value (no {@code ==} on a list
 * or map, {@code matches} only on strings), and the value must coerce to the selected type (a
 * bool, an integer, a float). Any failure is a {@link FilterException} whose message is Consul's
 * {@code Failed to create boolean expression evaluator: ...}.
 */
public final class Filter {
    /** The prefix of every error Consul answers for a bad {@code ?filter=}. */
    public static final String ERROR_PREFIX = "Failed to create boolean expression evaluator: ";

    private final Expression expression;

    private Filter(Expression expression) {
        this.expression = expression;
    }

    /** Parses and checks {@code text} against {@code schema}. */
    public static Filter compile(String text, Schema schema) {
        try {
            Expression e = Expression.parse(text);
            check(e, schema);
            return new Filter(e);
        } catch (FilterException e) {
            throw new FilterException(ERROR_PREFIX + e.getMessage());
        }
    }

    /** The parsed tree. */
    public Expression expression() {
        return expression;
    }

    /** Whether the element (its wire JSON) passes. */
    public boolean test(JsonNode element) {
        return expression.eval(element);
    }

    /** The elements that pass, in order. */
    public <T> List<T> apply(List<T> items, Function<? super T, JsonNode> tree) {
        List<T> out = new ArrayList<>(items.size());
        for (T t : items) {
            if (test(tree.apply(t))) {
                out.add(t);
            }
        }
        return out;
    }

    private static void check(Expression e, Schema schema) {
        switch (e) {
            case Expression.And a -> {
                check(a.left(), schema);
                check(a.right(), schema);
            }
            case Expression.Or o -> {
                check(o.left(), schema);
                check(o.right(), schema);
            }
            case Expression.Not n -> check(n.inner(), schema);
            case Match m -> checkMatch(m, schema);
        }
    }

    private static void checkMatch(Match m, Schema root) {
        Schema s = root;
        for (String step : m.selector().path()) {
            while (s.kind() == Kind.LIST) {
                s = s.elem();
            }
            s = switch (s.kind()) {
                case STRUCT -> {
                    Schema f = s.fields().get(step);
                    if (f == null) {
                        throw new FilterException("Selector \"" + m.selector().raw() + "\" is not valid");
                    }
                    yield f;
                }
                case MAP -> s.elem();
                case ANY -> Schema.ANY;
                default -> throw new FilterException("Selector \"" + m.selector().raw() + "\" is not valid");
            };
        }
        Op p = m.op().positive();
        Kind k = s.kind();
        boolean ok = switch (p) {
            case EQ -> scalar(s);
            case LT, LE, GT, GE -> k == Kind.STRING || k == Kind.INT || k == Kind.FLOAT || k == Kind.ANY;
            case CONTAINS, IN -> k == Kind.STRING || k == Kind.MAP || k == Kind.ANY || (k == Kind.LIST && scalar(s.elem()));
            case MATCHES -> k == Kind.STRING || k == Kind.ANY || (k == Kind.LIST && s.elem().kind() == Kind.STRING);
            case EMPTY -> k == Kind.STRING || k == Kind.LIST || k == Kind.MAP || k == Kind.STRUCT || k == Kind.ANY;
            default -> false;
        };
        if (!ok) {
            throw new FilterException("Invalid match operator \"" + m.op().text + "\" for selector \"" + m.selector().raw() + "\"");
        }
        Schema target = k == Kind.LIST ? s.elem() : s;
        if (p == Op.EMPTY || (k == Kind.MAP && (p == Op.CONTAINS || p == Op.IN))) {
            return;
        }
        String v = m.value();
        boolean coerces = switch (target.kind()) {
            case BOOL -> Expression.parseBool(v) != null;
            case INT -> Expression.parseNumber(v) != null && Expression.parseNumber(v).stripTrailingZeros().scale() <= 0;
            case FLOAT -> Expression.parseNumber(v) != null;
            default -> true;
        };
        if (!coerces) {
            throw new FilterException("Failed to coerce value \"" + v + "\" to " + target.kind().name().toLowerCase(java.util.Locale.ROOT)
                    + " for selector \"" + m.selector().raw() + "\"");
        }
    }

    private static boolean scalar(Schema s) {
        return s.kind() == Kind.STRING || s.kind() == Kind.BOOL || s.kind() == Kind.INT || s.kind() == Kind.FLOAT
                || s.kind() == Kind.ANY;
    }
}
