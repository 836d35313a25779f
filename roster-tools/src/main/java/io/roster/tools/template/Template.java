package io.roster.tools.template;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A parsed Go {@code text/template}, executed over Java values: {@code String}, {@code Long},
 * {@code Double}, {@code Boolean}, {@code null} (nil), {@code List}, {@code Map} (field access by key,
 * ranged in key order, as Go ranges maps) and {@link GoObject} (named fields and methods).
 *
 * <pre>{@code
 * Template t = Template.parse("hosts", "{{range .}}{{.}} {{end}}", Funcs.builtins(), null, null);
 * t.execute(List.of("a", "b"));   // "a b "
 * }</pre>
 */
public final class Template {
    /** Stops execution after this many range iterations in total: a runaway template must end. */
    static final long MAX_ITERATIONS = 10_000_000;

    private final String name;
    private final Node.ListNode root;
    private final Map<String, Node.ListNode> defines;
    private final Funcs funcs;

    private Template(String name, Node.ListNode root, Map<String, Node.ListNode> defines, Funcs funcs) {
        this.name = name;
        this.root = root;
        this.defines = defines;
        this.funcs = funcs;
    }

    /**
     * Parses {@code text}; {@code left}/{@code right} are the delimiters (null for {@code {{ }}}).
     *
     * @throws TemplateException with Go's {@code template: NAME:LINE:COL: ...} message
     */
    public static Template parse(String name, String text, Funcs funcs, String left, String right) {
        Map<String, Node.ListNode> defines = new HashMap<>();
        List<Lexer.Token> tokens = new Lexer(name, text, left, right).lex();
        Node.ListNode root = new Parser(name, text, tokens, funcs.names(), defines).parse();
        return new Template(name, root, defines, funcs);
    }

    public String name() {
        return name;
    }

    /** Runs the template with {@code data} as dot and {@code $}. */
    public String execute(Object data) {
        StringBuilder out = new StringBuilder();
        Exec e = new Exec(out);
        e.vars.add(new Var("$", data));
        e.walk(root, data);
        return out.toString();
    }

    /** A named value the template can take fields of, and call methods on ({@code .Tags.Contains "x"}). */
    public interface GoObject {
        /** The field's value; throws {@link NoSuchFieldException} when there is no such field. */
        Object field(String fieldName) throws NoSuchFieldException;

        /** Calls a method; throws {@link NoSuchMethodException} when there is none. */
        default Object method(String methodName, List<Object> args) throws Exception {
            throw new NoSuchMethodException(methodName);
        }
    }

    private record Var(String name, Object value) { }

    private static final class Control extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean isBreak;

        Control(boolean isBreak) {
            super(null, null, false, false);
            this.isBreak = isBreak;
        }
    }

    private final class Exec {
        final StringBuilder out;
        final List<Var> vars = new ArrayList<>();
        long iterations;
        int depth;

        Exec(StringBuilder out) {
            this.out = out;
        }

        void walk(Node node, Object dot) {
            switch (node) {
                case Node.Text t -> out.append(t.text());
                case Node.ListNode l -> {
                    for (Node n : l.nodes()) {
                        walk(n, dot);
                    }
                }
                case Node.Action a -> {
                    Object v = evalPipe(a.pipe(), dot);
                    if (a.pipe().vars().isEmpty()) {
                        out.append(printValue(v));
                    }
                }
                case Node.Branch b -> branch(b, dot);
                case Node.LoopControl c -> throw new Control(c.isBreak());
                case Node.TemplateCall c -> {
                    Node.ListNode body = defines.get(c.name());
                    if (body == null) {
                        throw error(c, "template: no template \"" + c.name() + "\" associated with template \"" + name + "\"");
                    }
                    if (++depth > 100_000) {
                        throw error(c, "exceeded maximum template depth (100000)");
                    }
                    Object newDot = c.pipe() == null ? null : evalPipe(c.pipe(), dot);
                    List<Var> saved = new ArrayList<>(vars);
                    vars.clear();
                    vars.add(new Var("$", newDot));
                    try {
                        walk(body, newDot);
                    } finally {
                        vars.clear();
                        vars.addAll(saved);
                        depth--;
                    }
                }
                default -> throw error(node, "unknown node");
            }
        }

        private void branch(Node.Branch b, Object dot) {
            int mark = vars.size();
            try {
                if (b.keyword().equals("range")) {
                    range(b, dot, mark);
                    return;
                }
                Object v = evalPipe(b.pipe(), dot);
                if (truth(v)) {
                    walk(b.body(), b.keyword().equals("with") ? v : dot);
                } else if (b.elseBody() != null) {
                    walk(b.elseBody(), dot);
                }
            } finally {
                truncate(mark);
            }
        }

        private void range(Node.Branch b, Object dot, int mark) {
            Node.Pipe p = b.pipe();
            Object v = evalPipe(new Node.Pipe(List.of(), false, p.cmds(), p.source(), p.line(), p.col()), dot);
            List<Object[]> items = new ArrayList<>();
            if (v instanceof Map<?, ?> m) {
                for (Map.Entry<?, ?> e : new TreeMap<>(m).entrySet()) {
                    items.add(new Object[] {e.getKey(), e.getValue()});
                }
            } else if (v instanceof Collection<?> c) {
                long i = 0;
                for (Object o : c) {
                    items.add(new Object[] {i++, o});
                }
            } else if (v instanceof Long n) {
                for (long i = 0; i < n && i < MAX_ITERATIONS; i++) {
                    items.add(new Object[] {i, i});
                }
            } else if (v != null && v.getClass().isArray() && v instanceof Object[] arr) {
                for (int i = 0; i < arr.length; i++) {
                    items.add(new Object[] {(long) i, arr[i]});
                }
            } else if (v != null) {
                throw error(b, "range can't iterate over " + Strings.print(v));
            }
            if (items.isEmpty()) {
                if (b.elseBody() != null) {
                    walk(b.elseBody(), dot);
                }
                return;
            }
            for (Object[] item : items) {
                if (++iterations > MAX_ITERATIONS) {
                    throw error(b, "range: more than " + MAX_ITERATIONS + " iterations");
                }
                truncate(mark);
                if (p.vars().size() == 1) {
                    vars.add(new Var(p.vars().get(0), item[1]));
                } else if (p.vars().size() == 2) {
                    vars.add(new Var(p.vars().get(0), item[0]));
                    vars.add(new Var(p.vars().get(1), item[1]));
                }
                try {
                    walk(b.body(), item[1]);
                } catch (Control c) {
                    if (c.isBreak) {
                        break;
                    }
                }
            }
        }

        private void truncate(int mark) {
            while (vars.size() > mark) {
                vars.remove(vars.size() - 1);
            }
        }

        Object evalPipe(Node.Pipe p, Object dot) {
            Object value = null;
            boolean hasFinal = false;
            for (Node.Command c : p.cmds()) {
                value = evalCommand(c, dot, value, hasFinal);
                hasFinal = true;
            }
            for (String v : p.vars()) {
                if (p.assign()) {
                    setVar(v, value);
                } else {
                    vars.add(new Var(v, value));
                }
            }
            return value;
        }

        private void setVar(String v, Object value) {
            for (int i = vars.size() - 1; i >= 0; i--) {
                if (vars.get(i).name().equals(v)) {
                    vars.set(i, new Var(v, value));
                    return;
                }
            }
            throw new TemplateException("template: " + name + ": undefined variable: " + v);
        }

        private Object lookupVar(Node at, String v) {
            for (int i = vars.size() - 1; i >= 0; i--) {
                if (vars.get(i).name().equals(v)) {
                    return vars.get(i).value();
                }
            }
            throw error(at, "undefined variable: " + v);
        }

        private Object evalCommand(Node.Command c, Object dot, Object fin, boolean hasFinal) {
            Node first = c.args().get(0);
            List<Node> rest = c.args().subList(1, c.args().size());
            switch (first) {
                case Node.Ident id -> {
                    return callFunction(c, id, rest, dot, fin, hasFinal);
                }
                case Node.Field f -> {
                    return evalFields(c, dot, f.names(), rest, dot, fin, hasFinal);
                }
                case Node.Variable v -> {
                    Object base = lookupVar(v, v.name());
                    if (v.fields().isEmpty()) {
                        noArgs(c, rest, hasFinal);
                        return base;
                    }
                    return evalFields(c, base, v.fields(), rest, dot, fin, hasFinal);
                }
                case Node.Chain ch -> {
                    Object base = evalArg(ch.operand(), dot);
                    return evalFields(c, base, ch.fields(), rest, dot, fin, hasFinal);
                }
                default -> {
                    noArgs(c, rest, hasFinal);
                    return evalArg(first, dot);
                }
            }
        }

        private void noArgs(Node.Command c, List<Node> rest, boolean hasFinal) {
            if (!rest.isEmpty() || hasFinal) {
                throw error(c, "can't give argument to non-function " + describe(c.args().get(0)));
            }
        }

        private Object evalFields(Node.Command c, Object base, List<String> names, List<Node> rest, Object dot,
                                  Object fin, boolean hasFinal) {
            Object v = base;
            for (int i = 0; i < names.size(); i++) {
                boolean last = i == names.size() - 1;
                String n = names.get(i);
                if (last && (!rest.isEmpty() || hasFinal)) {
                    List<Object> args = new ArrayList<>();
                    for (Node a : rest) {
                        args.add(evalArg(a, dot));
                    }
                    if (hasFinal) {
                        args.add(fin);
                    }
                    if (!(v instanceof GoObject g)) {
                        throw error(c, "can't give argument to non-function " + describe(c.args().get(0)));
                    }
                    try {
                        return g.method(n, args);
                    } catch (NoSuchMethodException e) {
                        throw error(c, "can't evaluate field " + n + " in type " + Strings.typeName(v));
                    } catch (TemplateException e) {
                        throw e;
                    } catch (Exception e) {
                        throw error(c, "error calling " + n + ": " + message(e));
                    }
                }
                v = field(c, v, n);
            }
            return v;
        }

        private Object field(Node at, Object v, String n) {
            if (v == null) {
                throw error(at, "nil pointer evaluating interface {}." + n);
            }
            if (v instanceof Map<?, ?> m) {
                Object r = m.get(n);
                if (r == null && !m.containsKey(n) && stringValued(m)) {
                    // A map[string]string (Meta, TaggedAddresses) answers "" for a missing key, as Go's zero value.
                    return "";
                }
                return r;
            }
            if (v instanceof GoObject g) {
                try {
                    return g.field(n);
                } catch (NoSuchFieldException e) {
                    try {
                        return g.method(n, List.of());
                    } catch (NoSuchMethodException e2) {
                        throw error(at, "can't evaluate field " + n + " in type " + Strings.typeName(v));
                    } catch (TemplateException e2) {
                        throw e2;
                    } catch (Exception e2) {
                        throw error(at, "error calling " + n + ": " + message(e2));
                    }
                }
            }
            throw error(at, "can't evaluate field " + n + " in type " + Strings.typeName(v));
        }

        private boolean stringValued(Map<?, ?> m) {
            for (Object o : m.values()) {
                if (!(o instanceof String)) {
                    return false;
                }
            }
            return true;
        }

        private Object callFunction(Node.Command c, Node.Ident id, List<Node> rest, Object dot, Object fin, boolean hasFinal) {
            String fn = id.name();
            if (fn.equals("and") || fn.equals("or")) {
                // Go evaluates and/or lazily: the first decisive argument is the result.
                List<Node> argNodes = new ArrayList<>(rest);
                int n = argNodes.size() + (hasFinal ? 1 : 0);
                if (n < 1) {
                    throw error(c, "wrong number of args for " + fn + ": want at least 1 got 0");
                }
                Object v = null;
                for (int i = 0; i < n; i++) {
                    v = i < argNodes.size() ? evalArg(argNodes.get(i), dot) : fin;
                    if (truth(v) != fn.equals("and")) {
                        return v;
                    }
                }
                return v;
            }
            List<Object> args = new ArrayList<>();
            for (Node a : rest) {
                args.add(evalArg(a, dot));
            }
            if (hasFinal) {
                args.add(fin);
            }
            Funcs.Function f = funcs.get(fn);
            try {
                return f.apply(args);
            } catch (TemplateException e) {
                throw e;
            } catch (Funcs.ArgumentException e) {
                throw error(c, e.getMessage());
            } catch (Exception e) {
                throw error(c, "error calling " + fn + ": " + message(e));
            }
        }

        private Object evalArg(Node n, Object dot) {
            return switch (n) {
                case Node.Literal l -> l.value();
                case Node.Dot d -> dot;
                case Node.Field f -> {
                    Object v = dot;
                    for (String name : f.names()) {
                        v = field(f, v, name);
                    }
                    yield v;
                }
                case Node.Variable v -> {
                    Object x = lookupVar(v, v.name());
                    for (String name : v.fields()) {
                        x = field(v, x, name);
                    }
                    yield x;
                }
                case Node.Chain ch -> {
                    Object x = evalArg(ch.operand(), dot);
                    for (String name : ch.fields()) {
                        x = field(ch, x, name);
                    }
                    yield x;
                }
                case Node.Paren p -> evalPipe(p.pipe(), dot);
                case Node.Ident id -> callFunction(new Node.Command(List.of(id), id.line(), id.col()), id, List.of(), dot, null, false);
                default -> throw error(n, "can't handle " + describe(n));
            };
        }

        private String printValue(Object v) {
            if (v == null) {
                return "<no value>";
            }
            return Strings.print(v);
        }

        private TemplateException error(Node at, String msg) {
            return new TemplateException("template: " + name + ":" + at.line() + ":" + at.col() + ": executing \"" + name
                    + "\" at <" + describe(at) + ">: " + msg);
        }
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** A node in template syntax, for error messages ({@code at <key "x">}). */
    static String describe(Node n) {
        return switch (n) {
            case Node.Text t -> Strings.quote(t.text());
            case Node.Action a -> "{{" + describe(a.pipe()) + "}}";
            case Node.Pipe p -> {
                List<String> cmds = new ArrayList<>();
                for (Node.Command c : p.cmds()) {
                    cmds.add(describe(c));
                }
                String decl = p.vars().isEmpty() ? "" : String.join(", ", p.vars()) + (p.assign() ? " = " : " := ");
                yield decl + String.join(" | ", cmds);
            }
            case Node.Command c -> {
                List<String> parts = new ArrayList<>();
                for (Node a : c.args()) {
                    parts.add(describe(a));
                }
                yield String.join(" ", parts);
            }
            case Node.Ident i -> i.name();
            case Node.Field f -> "." + String.join(".", f.names());
            case Node.Variable v -> v.name() + (v.fields().isEmpty() ? "" : "." + String.join(".", v.fields()));
            case Node.Dot d -> ".";
            case Node.Chain c -> describe(c.operand()) + "." + String.join(".", c.fields());
            case Node.Paren p -> "(" + describe(p.pipe()) + ")";
            case Node.Literal l -> l.isNil() ? "nil" : l.value() instanceof String s ? Strings.quote(s) : Strings.print(l.value());
            case Node.Branch b -> "{{" + b.keyword() + " " + describe(b.pipe()) + "}}";
            case Node.TemplateCall t -> "{{template " + Strings.quote(t.name()) + "}}";
            case Node.LoopControl c -> c.isBreak() ? "{{break}}" : "{{continue}}";
            case Node.ListNode l -> "list";
            case Node.End e -> "{{" + e.keyword() + "}}";
        };
    }

    /** Go's truth: false, 0, nil, and empty strings, lists and maps are false. */
    public static boolean truth(Object v) {
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() != 0;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof Collection<?> c) {
            return !c.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        return true;
    }

    /** Funcs shared by many templates need no copy; this is here for tests that want the defines. */
    Map<String, Node.ListNode> defines() {
        return new LinkedHashMap<>(defines);
    }
}
