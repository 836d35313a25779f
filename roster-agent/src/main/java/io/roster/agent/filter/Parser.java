package io.roster.agent.filter;

import io.roster.agent.filter.Expression.Match;
import io.roster.agent.filter.Expression.Op;
import io.roster.agent.filter.Expression.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The recursive-descent parser of {@link Expression}'s grammar: a lexer into tokens, then one method per rule. */
final class Parser {
    /** Expressions nest at most this deep (a hostile filter cannot exhaust the stack). */
    static final int MAX_DEPTH = 64;
    /** Longest filter accepted, in characters. */
    static final int MAX_LENGTH = 16 * 1024;
    private static final Set<String> CMP = Set.of("==", "!=", "<", "<=", ">", ">=");

    private enum T { IDENT, STRING, NUMBER, LPAREN, RPAREN, LBRACK, RBRACK, DOT, CMP, EOF }

    private record Tok(T type, String text, int start, int end, boolean spaceBefore) {
    }

    private final String src;
    private final List<Tok> toks = new ArrayList<>();
    private int pos;
    private int depth;

    Parser(String src) {
        this.src = src;
    }

    /** {@code line:col (offset): } for an offset into {@code text}, as pigeon (go-bexpr's parser) prints positions. */
    static String at(String text, int offset) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < offset && i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return line + ":" + col + " (" + offset + "): ";
    }

    private FilterException error(int offset, String what) {
        return new FilterException(at(src, offset) + what);
    }

    Expression parseFilter() {
        if (src.length() > MAX_LENGTH) {
            throw error(MAX_LENGTH, "filter longer than " + MAX_LENGTH + " characters");
        }
        lex();
        if (peek().type == T.EOF) {
            throw error(0, "no match found, expected: an expression");
        }
        Expression e = or();
        Tok t = peek();
        if (t.type != T.EOF) {
            throw error(t.start, t.type == T.RPAREN ? "unmatched parenthesis" : "no match found, expected: \"and\", \"or\" or end of input, got " + describe(t));
        }
        return e;
    }

    // ------------------------------------------------------------------ rules

    private Expression or() {
        Expression left = and();
        while (isWord(peek(), "or")) {
            pos++;
            left = new Expression.Or(left, and());
        }
        return left;
    }

    private Expression and() {
        Expression left = unary();
        while (isWord(peek(), "and")) {
            pos++;
            left = new Expression.And(left, unary());
        }
        return left;
    }

    private Expression unary() {
        if (++depth > MAX_DEPTH) {
            throw error(peek().start, "expression nested deeper than " + MAX_DEPTH);
        }
        try {
            Tok t = peek();
            // "not" starts a negation unless it is a selector named "not" followed by an operator.
            if (isWord(t, "not") && startsOperand(peek(1))) {
                pos++;
                return new Expression.Not(unary());
            }
            if (t.type == T.LPAREN) {
                pos++;
                Expression e = or();
                Tok close = peek();
                if (close.type != T.RPAREN) {
                    throw error(close.start, close.type == T.EOF ? "unmatched parenthesis" : "no match found, expected: \")\", got " + describe(close));
                }
                pos++;
                return e;
            }
            return match();
        } finally {
            depth--;
        }
    }

    private static boolean startsOperand(Tok t) {
        return t.type == T.LPAREN || t.type == T.STRING || t.type == T.NUMBER
                || (t.type == T.IDENT && !t.text.equals("in") && !t.text.equals("contains")
                && !t.text.equals("matches") && !t.text.equals("is"));
    }

    private Expression match() {
        Tok t = peek();
        if (t.type == T.STRING || t.type == T.NUMBER) {
            pos++;
            return valueIn(t.text, t.type == T.STRING, t.start);
        }
        if (t.type != T.IDENT) {
            throw error(t.start, "no match found, expected: a selector, a value, \"not\" or \"(\", got " + describe(t));
        }
        Selector sel = selector();
        Tok op = peek();
        if (op.type == T.CMP) {
            pos++;
            Tok v = value();
            return new Match(sel, cmp(op.text), v.text, v.type == T.STRING, null);
        }
        if (op.type == T.IDENT) {
            switch (op.text) {
                case "contains" -> {
                    pos++;
                    Tok v = value();
                    return new Match(sel, Op.CONTAINS, v.text, v.type == T.STRING, null);
                }
                case "matches" -> {
                    pos++;
                    Tok v = value();
                    return new Match(sel, Op.MATCHES, v.text, v.type == T.STRING, Expression.regex(v.text, v.start, src));
                }
                case "is" -> {
                    pos++;
                    boolean not = isWord(peek(), "not");
                    if (not) {
                        pos++;
                    }
                    Tok empty = peek();
                    if (!isWord(empty, "empty")) {
                        throw error(empty.start, "no match found, expected: \"empty\" or \"not empty\", got " + describe(empty));
                    }
                    pos++;
                    return new Match(sel, not ? Op.NOT_EMPTY : Op.EMPTY, "", false, null);
                }
                case "in" -> {
                    return valueIn(sel.raw(), false, t.start);
                }
                case "not" -> {
                    Tok next = peek(1);
                    if (isWord(next, "contains") || isWord(next, "matches")) {
                        pos += 2;
                        Tok v = value();
                        boolean m = next.text.equals("matches");
                        return new Match(sel, m ? Op.NOT_MATCHES : Op.NOT_CONTAINS, v.text, v.type == T.STRING,
                                m ? Expression.regex(v.text, v.start, src) : null);
                    }
                    if (isWord(next, "in")) {
                        return valueIn(sel.raw(), false, t.start);
                    }
                    throw error(next.start, "no match found, expected: \"contains\", \"matches\" or \"in\" after \"not\", got " + describe(next));
                }
                default -> {
                }
            }
        }
        throw error(op.start, "no match found, expected: a match operator (==, !=, <, <=, >, >=, contains, in, matches, is empty), got " + describe(op));
    }

    /** The rest of {@code value ["not"] "in" selector}, the value already read. */
    private Expression valueIn(String value, boolean quoted, int start) {
        boolean not = isWord(peek(), "not");
        if (not) {
            pos++;
        }
        Tok in = peek();
        if (!isWord(in, "in")) {
            throw error(in.start, "no match found, expected: \"in\" or \"not in\" after a value, got " + describe(in));
        }
        pos++;
        Tok s = peek();
        if (s.type != T.IDENT) {
            throw error(s.start, "Invalid selector, got " + describe(s));
        }
        return new Match(selector(), not ? Op.NOT_IN : Op.IN, value, quoted, null);
    }

    private Selector selector() {
        Tok first = next();
        List<String> path = new ArrayList<>();
        path.add(first.text);
        int end = first.end;
        while (true) {
            Tok t = peek();
            if (t.spaceBefore) {
                break;
            }
            if (t.type == T.DOT) {
                Tok id = peek(1);
                if (id.type != T.IDENT || id.spaceBefore) {
                    throw error(id.start, "no match found, expected: a field name after \".\", got " + describe(id));
                }
                pos += 2;
                path.add(id.text);
                end = id.end;
            } else if (t.type == T.LBRACK) {
                Tok key = peek(1);
                if (key.type != T.STRING) {
                    throw error(key.start, "Invalid index, expected a quoted string, got " + describe(key));
                }
                Tok close = peek(2);
                if (close.type != T.RBRACK) {
                    throw error(close.start, "Unclosed index expression");
                }
                pos += 3;
                path.add(key.text);
                end = close.end;
            } else {
                break;
            }
        }
        return new Selector(List.copyOf(path), src.substring(first.start, end));
    }

    private Tok value() {
        Tok t = peek();
        if (t.type == T.STRING || t.type == T.NUMBER) {
            pos++;
            return t;
        }
        if (t.type == T.IDENT) {
            Selector s = selector();
            return new Tok(T.IDENT, s.raw(), t.start, t.start + s.raw().length(), t.spaceBefore);
        }
        throw error(t.start, "no match found, expected: a value (a quoted string, a number or a word), got " + describe(t));
    }

    private static Op cmp(String text) {
        return switch (text) {
            case "==" -> Op.EQ;
            case "!=" -> Op.NE;
            case "<" -> Op.LT;
            case "<=" -> Op.LE;
            case ">" -> Op.GT;
            default -> Op.GE;
        };
    }

    // ------------------------------------------------------------------ tokens

    private Tok peek() {
        return toks.get(pos);
    }

    private Tok peek(int ahead) {
        return toks.get(Math.min(pos + ahead, toks.size() - 1));
    }

    private Tok next() {
        return toks.get(pos++);
    }

    private static boolean isWord(Tok t, String word) {
        return t.type == T.IDENT && t.text.equals(word);
    }

    private static String describe(Tok t) {
        return switch (t.type) {
            case EOF -> "end of input";
            case STRING -> "a string";
            default -> "\"" + t.text + "\"";
        };
    }

    private void lex() {
        int i = 0;
        int n = src.length();
        while (true) {
            int ws = i;
            while (i < n && " \t\n\r".indexOf(src.charAt(i)) >= 0) {
                i++;
            }
            boolean space = i > ws;
            if (i >= n) {
                toks.add(new Tok(T.EOF, "", n, n, space));
                return;
            }
            char c = src.charAt(i);
            int start = i;
            if (Character.isLetter(c) && c < 128) {
                i++;
                while (i < n && (isAsciiLetterOrDigit(src.charAt(i)) || src.charAt(i) == '_' || src.charAt(i) == '/')) {
                    i++;
                }
                toks.add(new Tok(T.IDENT, src.substring(start, i), start, i, space));
            } else if (c == '-' || (c >= '0' && c <= '9')) {
                i = number(i);
                toks.add(new Tok(T.NUMBER, src.substring(start, i), start, i, space));
            } else if (c == '"' || c == '`') {
                StringBuilder sb = new StringBuilder();
                i = string(i, sb);
                toks.add(new Tok(T.STRING, sb.toString(), start, i, space));
            } else if (c == '=' || c == '!' || c == '<' || c == '>') {
                String two = i + 1 < n ? src.substring(i, i + 2) : "";
                if (CMP.contains(two)) {
                    i += 2;
                } else if (c == '<' || c == '>') {
                    i++;
                } else {
                    throw error(i, "no match found, expected: \"==\" or \"!=\"");
                }
                toks.add(new Tok(T.CMP, src.substring(start, i), start, i, space));
            } else {
                T type = switch (c) {
                    case '(' -> T.LPAREN;
                    case ')' -> T.RPAREN;
                    case '[' -> T.LBRACK;
                    case ']' -> T.RBRACK;
                    case '.' -> T.DOT;
                    default -> throw error(i, "no match found, unexpected character " + printable(c));
                };
                i++;
                toks.add(new Tok(type, String.valueOf(c), start, i, space));
            }
        }
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static String printable(char c) {
        return c >= 32 && c < 127 ? "\"" + c + "\"" : String.format("U+%04X", (int) c);
    }

    private int number(int i) {
        int start = i;
        int n = src.length();
        if (src.charAt(i) == '-') {
            i++;
        }
        int digits = i;
        if (i < n && src.charAt(i) == '0') {
            i++;
        } else {
            while (i < n && Character.isDigit(src.charAt(i)) && src.charAt(i) < 128) {
                i++;
            }
        }
        boolean ok = i > digits;
        if (ok && i < n && src.charAt(i) == '.') {
            i++;
            int frac = i;
            while (i < n && src.charAt(i) >= '0' && src.charAt(i) <= '9') {
                i++;
            }
            ok = i > frac;
        }
        if (!ok || (i < n && " \t\n\r)".indexOf(src.charAt(i)) < 0)) {
            throw error(start, "Invalid number literal");
        }
        return i;
    }

    private int string(int i, StringBuilder out) {
        char q = src.charAt(i);
        int start = i;
        int n = src.length();
        i++;
        while (i < n) {
            char c = src.charAt(i);
            if (c == q) {
                return i + 1;
            }
            if (c == '\\' && q == '"') {
                if (i + 1 >= n) {
                    break;
                }
                char e = src.charAt(i + 1);
                switch (e) {
                    case '"', '\\', '/' -> out.append(e);
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'a' -> out.append('\u0007');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'v' -> out.append('\u000b');
                    case 'u' -> {
                        if (i + 6 > n) {
                            throw error(i, "invalid escape in string literal");
                        }
                        try {
                            out.append((char) Integer.parseInt(src.substring(i + 2, i + 6), 16));
                        } catch (NumberFormatException ex) {
                            throw error(i, "invalid escape in string literal");
                        }
                        i += 4;
                    }
                    default -> throw error(i, "invalid escape in string literal");
                }
                i += 2;
                continue;
            }
            out.append(c);
            i++;
        }
        throw error(start, "Unterminated string literal");
    }

    /** A double-quoted literal that reads back as {@code s}. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 32) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
