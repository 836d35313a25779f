package io.roster.tools.template;

import io.roster.tools.template.Lexer.Kind;
import io.roster.tools.template.Lexer.Token;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Recursive descent over the lexer's tokens, following Go's grammar:
 * <pre>
 * list     := (text | action)*
 * action   := '{{' ( control | pipeline ) '}}'
 * control  := if pipeline '}}' list ('{{else' (if ...| '}}' list))? '{{end' | range ... | with ... |
 *             template STRING pipeline? | define STRING '}}' list '{{end' | block STRING pipeline '}}' list '{{end' |
 *             break | continue
 * pipeline := (vars (':=' | '='))? command ('|' command)*
 * command  := operand (' ' operand)*
 * operand  := term field*
 * term     := IDENT | '.' | nil | VARIABLE | FIELD | BOOL | NUMBER | STRING | RAW | CHAR | '(' pipeline ')'
 * </pre>
 * Function names are checked at parse time, as Go does ({@code function "x" not defined}).
 */
final class Parser {
    private final String name;
    private final String src;
    private final List<Token> tokens;
    private final Set<String> funcs;
    private final Map<String, Node.ListNode> defines;
    private int pos;
    private int rangeDepth;
    private final List<List<String>> varScopes = new ArrayList<>();

    Parser(String name, String src, List<Token> tokens, Set<String> funcs, Map<String, Node.ListNode> defines) {
        this.name = name;
        this.src = src;
        this.tokens = tokens;
        this.funcs = funcs;
        this.defines = defines;
        varScopes.add(new ArrayList<>(List.of("$")));
    }

    Node.ListNode parse() {
        List<Node> nodes = new ArrayList<>();
        while (peek().kind() != Kind.EOF) {
            if (peek().kind() == Kind.LEFT && isKeywordAhead("define")) {
                parseDefine();
                continue;
            }
            Node n = textOrAction();
            if (n instanceof Node.End t) {
                throw error(t, "unexpected {{" + t.keyword() + "}}");
            }
            if (n != null) {
                nodes.add(n);
            }
        }
        return new Node.ListNode(nodes, 1, 1);
    }


    private record Body(Node.ListNode list, Node.End end) { }

    private Body itemList() {
        List<Node> nodes = new ArrayList<>();
        Token first = peek();
        while (true) {
            if (peek().kind() == Kind.EOF) {
                throw error(peek(), "unexpected EOF");
            }
            Node n = textOrAction();
            if (n instanceof Node.End t) {
                return new Body(new Node.ListNode(nodes, first.line(), first.col()), t);
            }
            if (n != null) {
                nodes.add(n);
            }
        }
    }

    private Node textOrAction() {
        Token t = next();
        if (t.kind() == Kind.TEXT) {
            return new Node.Text(t.text(), t.line(), t.col());
        }
        if (t.kind() != Kind.LEFT) {
            throw unexpected(t, "input");
        }
        skipSpace();
        Token k = peek();
        if (k.kind() == Kind.KEYWORD) {
            next();
            return switch (k.text()) {
                case "if", "with" -> branch(k);
                case "range" -> {
                    rangeDepth++;
                    try {
                        yield branch(k);
                    } finally {
                        rangeDepth--;
                    }
                }
                case "end" -> {
                    expectRight("end");
                    yield new Node.End("end", k.line(), k.col());
                }
                case "else" -> new Node.End("else", k.line(), k.col());
                case "break", "continue" -> {
                    if (rangeDepth == 0) {
                        throw error(k, "{{" + k.text() + "}} outside {{range}}");
                    }
                    expectRight(k.text());
                    yield new Node.LoopControl(k.text().equals("break"), k.line(), k.col());
                }
                case "template" -> templateCall(k);
                case "block" -> block(k);
                case "define" -> throw error(k, "unexpected {{define}}: define must be at the top level");
                default -> throw unexpected(k, "command");
            };
        }
        Node.Pipe p = pipeline("command", true);
        expectRight("command");
        return new Node.Action(p, t.line(), t.col());
    }

    private Node branch(Token k) {
        varScopes.add(new ArrayList<>());
        try {
            Node.Pipe p = pipeline(k.text(), true);
            if (p.cmds().isEmpty()) {
                throw error(k, "missing value for " + k.text());
            }
            expectRight(k.text());
            Body body = itemList();
            Node.ListNode elseBody = null;
            if (body.end().keyword().equals("else")) {
                skipSpace();
                Token n = peek();
                if (n.kind() == Kind.KEYWORD && (n.text().equals("if") && !k.text().equals("range")
                        || n.text().equals("with") && k.text().equals("with"))) {
                    // "else if" / "else with": a nested branch that consumes the shared {{end}}.
                    next();
                    Node nested = branch(n);
                    elseBody = new Node.ListNode(List.of(nested), n.line(), n.col());
                } else {
                    expectRight("else");
                    Body eb = itemList();
                    if (!eb.end().keyword().equals("end")) {
                        throw error(eb.end(), "expected end; found {{else}}");
                    }
                    elseBody = eb.list();
                }
            }
            return new Node.Branch(k.text(), p, body.list(), elseBody, k.line(), k.col());
        } finally {
            varScopes.remove(varScopes.size() - 1);
        }
    }

    private Node templateCall(Token k) {
        skipSpace();
        Token n = next();
        if (n.kind() != Kind.STRING && n.kind() != Kind.RAW_STRING) {
            throw unexpected(n, "template clause");
        }
        String tname = Strings.unquote(n.text());
        skipSpace();
        Node.Pipe p = null;
        if (peek().kind() != Kind.RIGHT) {
            p = pipeline("template", false);
        }
        expectRight("template clause");
        return new Node.TemplateCall(tname, p, k.line(), k.col());
    }

    private Node block(Token k) {
        skipSpace();
        Token n = next();
        if (n.kind() != Kind.STRING && n.kind() != Kind.RAW_STRING) {
            throw unexpected(n, "block clause");
        }
        String tname = Strings.unquote(n.text());
        Node.Pipe p = pipeline("block", false);
        expectRight("block clause");
        varScopes.add(new ArrayList<>(List.of("$")));
        Body body = itemList();
        varScopes.remove(varScopes.size() - 1);
        if (!body.end().keyword().equals("end")) {
            throw error(body.end(), "unexpected {{else}} in block clause");
        }
        defines.putIfAbsent(tname, body.list());
        return new Node.TemplateCall(tname, p, k.line(), k.col());
    }

    private void parseDefine() {
        next();
        skipSpace();
        Token k = next();
        skipSpace();
        Token n = next();
        if (n.kind() != Kind.STRING && n.kind() != Kind.RAW_STRING) {
            throw unexpected(n, "define clause");
        }
        expectRight("define clause");
        List<List<String>> saved = new ArrayList<>(varScopes);
        varScopes.clear();
        varScopes.add(new ArrayList<>(List.of("$")));
        Body body = itemList();
        varScopes.clear();
        varScopes.addAll(saved);
        if (!body.end().keyword().equals("end")) {
            throw error(body.end(), "unexpected {{else}} in define clause");
        }
        String tname = Strings.unquote(n.text());
        if (defines.containsKey(tname) && !defines.get(tname).nodes().isEmpty()) {
            throw error(k, "template: multiple definition of template \"" + tname + "\"");
        }
        defines.put(tname, body.list());
    }

    private Node.Pipe pipeline(String context, boolean allowDecl) {
        skipSpace();
        Token start = peek();
        List<String> vars = new ArrayList<>();
        boolean assign = false;
        if (allowDecl && start.kind() == Kind.VARIABLE) {
            int save = pos;
            List<String> found = new ArrayList<>();
            found.add(next().text());
            skipSpace();
            if (peek().kind() == Kind.COMMA && context.equals("range")) {
                next();
                skipSpace();
                Token v2 = next();
                if (v2.kind() != Kind.VARIABLE) {
                    throw error(v2, "range can only initialize variables");
                }
                found.add(v2.text());
                skipSpace();
            }
            if (peek().kind() == Kind.DECLARE || peek().kind() == Kind.ASSIGN) {
                assign = next().kind() == Kind.ASSIGN;
                vars = found;
                if (assign) {
                    for (String v : vars) {
                        requireVariable(v, start);
                    }
                } else {
                    varScopes.get(varScopes.size() - 1).addAll(vars);
                }
            } else {
                pos = save;
            }
        }
        List<Node.Command> cmds = new ArrayList<>();
        while (true) {
            skipSpace();
            Token t = peek();
            if (t.kind() == Kind.RIGHT || t.kind() == Kind.RPAREN) {
                if (cmds.isEmpty() && !context.equals("if") && !context.equals("with") && !context.equals("range")) {
                    throw error(t, "missing value for " + context);
                }
                break;
            }
            Node.Command c = command();
            cmds.add(c);
            skipSpace();
            if (peek().kind() == Kind.PIPE) {
                Token pipe = next();
                skipSpace();
                if (peek().kind() == Kind.RIGHT || peek().kind() == Kind.RPAREN) {
                    throw error(pipe, "missing command after |");
                }
            }
        }
        int endOffset = pos;
        return new Node.Pipe(vars, assign, cmds, sourceBetween(start, endOffset), start.line(), start.col());
    }

    private String sourceBetween(Token start, int endTokenIndex) {
        StringBuilder sb = new StringBuilder();
        for (int i = tokens.indexOf(start); i >= 0 && i < endTokenIndex; i++) {
            sb.append(tokens.get(i).text());
        }
        return sb.toString().strip();
    }

    private Node.Command command() {
        Token start = peek();
        List<Node> args = new ArrayList<>();
        while (true) {
            Token t = peek();
            if (t.kind() == Kind.SPACE) {
                next();
                continue;
            }
            if (t.kind() == Kind.PIPE || t.kind() == Kind.RIGHT || t.kind() == Kind.RPAREN) {
                break;
            }
            args.add(operand());
            Token after = peek();
            if (after.kind() != Kind.SPACE && after.kind() != Kind.PIPE && after.kind() != Kind.RIGHT
                    && after.kind() != Kind.RPAREN) {
                throw error(after, "missing space?");
            }
        }
        if (args.isEmpty()) {
            throw error(start, "empty command");
        }
        return new Node.Command(args, start.line(), start.col());
    }

    private Node operand() {
        Token t = next();
        Node term = switch (t.kind()) {
            case IDENT -> {
                if (!funcs.contains(t.text())) {
                    throw error(t, "function \"" + t.text() + "\" not defined");
                }
                yield new Node.Ident(t.text(), t.line(), t.col());
            }
            case DOT -> new Node.Dot(t.line(), t.col());
            case NIL -> new Node.Literal(null, true, t.line(), t.col());
            case VARIABLE -> {
                requireVariable(t.text(), t);
                yield new Node.Variable(t.text(), fieldsAfter(), t.line(), t.col());
            }
            case FIELD -> {
                List<String> names = new ArrayList<>();
                names.add(t.text().substring(1));
                names.addAll(fieldsAfter());
                yield new Node.Field(names, t.line(), t.col());
            }
            case BOOL -> new Node.Literal(Boolean.parseBoolean(t.text()), false, t.line(), t.col());
            case NUMBER -> new Node.Literal(number(t), false, t.line(), t.col());
            case CHAR -> new Node.Literal((long) Strings.unquoteChar(t.text()), false, t.line(), t.col());
            case STRING, RAW_STRING -> {
                try {
                    yield new Node.Literal(Strings.unquote(t.text()), false, t.line(), t.col());
                } catch (IllegalArgumentException e) {
                    throw error(t, e.getMessage());
                }
            }
            case LPAREN -> {
                Node.Pipe p = pipeline("parenthesized pipeline", false);
                Token close = next();
                if (close.kind() != Kind.RPAREN) {
                    throw unexpected(close, "parenthesized pipeline");
                }
                yield new Node.Paren(p, t.line(), t.col());
            }
            default -> throw unexpected(t, "operand");
        };
        if (peek().kind() == Kind.FIELD) {
            if (term instanceof Node.Ident || term instanceof Node.Field || term instanceof Node.Variable) {
                throw error(peek(), "unexpected " + peek() + " in operand");
            }
            return new Node.Chain(term, fieldsAfter(), t.line(), t.col());
        }
        return term;
    }

    private List<String> fieldsAfter() {
        List<String> names = new ArrayList<>();
        while (peek().kind() == Kind.FIELD) {
            names.add(next().text().substring(1));
        }
        return names;
    }

    private Object number(Token t) {
        String s = t.text().replace("_", "");
        try {
            boolean neg = s.startsWith("-");
            String body = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
            String lower = body.toLowerCase(java.util.Locale.ROOT);
            long v;
            if (lower.startsWith("0x") && !lower.contains("p")) {
                v = Long.parseLong(body.substring(2), 16);
            } else if (lower.startsWith("0b")) {
                v = Long.parseLong(body.substring(2), 2);
            } else if (lower.startsWith("0o")) {
                v = Long.parseLong(body.substring(2), 8);
            } else if (lower.matches("0[0-7]+")) {
                v = Long.parseLong(body, 8);
            } else if (lower.matches("[0-9]+")) {
                v = Long.parseLong(body);
            } else {
                return Double.parseDouble(s);
            }
            return neg ? -v : v;
        } catch (NumberFormatException e) {
            throw error(t, "bad number syntax: \"" + t.text() + "\"");
        }
    }

    private void requireVariable(String v, Token at) {
        for (List<String> scope : varScopes) {
            if (scope.contains(v)) {
                return;
            }
        }
        throw error(at, "undefined variable \"" + v + "\"");
    }

    private boolean isKeywordAhead(String kw) {
        int i = pos + 1;
        while (i < tokens.size() && tokens.get(i).kind() == Kind.SPACE) {
            i++;
        }
        return i < tokens.size() && tokens.get(i).kind() == Kind.KEYWORD && tokens.get(i).text().equals(kw);
    }

    private void expectRight(String context) {
        skipSpace();
        Token t = next();
        if (t.kind() != Kind.RIGHT) {
            throw unexpected(t, context);
        }
    }

    private void skipSpace() {
        while (peek().kind() == Kind.SPACE) {
            pos++;
        }
    }

    private Token peek() {
        return tokens.get(Math.min(pos, tokens.size() - 1));
    }

    private Token next() {
        Token t = peek();
        if (pos < tokens.size()) {
            pos++;
        }
        return t;
    }

    private TemplateException unexpected(Token t, String context) {
        return error(t, "unexpected " + t + " in " + context);
    }

    private TemplateException error(Token t, String msg) {
        return new TemplateException("template: " + name + ":" + t.line() + ":" + t.col() + ": " + msg);
    }

    private TemplateException error(Node t, String msg) {
        return new TemplateException("template: " + name + ":" + t.line() + ":" + t.col() + ": " + msg);
    }
}
