package io.roster.tools.template;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a template into tokens the way Go's {@code text/template/parse} lexer does: text outside
 * the delimiters, and inside them identifiers, fields, variables, literals and punctuation.
 * {@code {{- } and { -}}} trim the white space next to them; {@code {{/* ... *}{@code /}}} is a comment.
 */
final class Lexer {
    enum Kind { TEXT, LEFT, RIGHT, IDENT, FIELD, VARIABLE, DOT, STRING, RAW_STRING, CHAR, NUMBER, BOOL, NIL,
        PIPE, LPAREN, RPAREN, DECLARE, ASSIGN, COMMA, KEYWORD, SPACE, EOF }

    record Token(Kind kind, String text, int line, int col) {
        @Override
        public String toString() {
            return switch (kind) {
                case EOF -> "EOF";
                case RIGHT -> "\"" + text + "\"";
                default -> text.length() > 20 ? "\"" + text.substring(0, 20) + "\"..." : "\"" + text + "\"";
            };
        }
    }

    private static final java.util.Set<String> KEYWORDS = java.util.Set.of("if", "else", "end", "range", "with",
            "template", "define", "block", "break", "continue");

    private final String name;
    private final String src;
    private final String left;
    private final String right;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int parenDepth;

    Lexer(String name, String src, String left, String right) {
        this.name = name;
        this.src = src;
        this.left = left == null || left.isEmpty() ? "{{" : left;
        this.right = right == null || right.isEmpty() ? "}}" : right;
    }

    List<Token> lex() {
        while (pos < src.length()) {
            int next = src.indexOf(left, pos);
            if (next < 0) {
                emit(Kind.TEXT, pos, src.substring(pos));
                pos = src.length();
                break;
            }
            boolean trimLeft = src.startsWith("-", next + left.length()) && next + left.length() + 1 < src.length()
                    && isSpace(src.charAt(next + left.length() + 1));
            String text = src.substring(pos, next);
            if (trimLeft) {
                text = stripTrailing(text);
            }
            if (!text.isEmpty()) {
                emit(Kind.TEXT, pos, text);
            }
            pos = next + left.length() + (trimLeft ? 2 : 0);
            int actionStart = next;
            // A comment: {{/* ... */}}, nothing but optional trim markers around it.
            int afterSpace = pos;
            if (src.startsWith("/*", afterSpace)) {
                int end = src.indexOf("*/", afterSpace + 2);
                if (end < 0) {
                    throw error(actionStart, "unclosed comment");
                }
                int p = end + 2;
                boolean trimRight = false;
                if (src.startsWith(" -" + right, p) || src.startsWith("\t-" + right, p) || src.startsWith("\n-" + right, p)) {
                    trimRight = true;
                    p += 2;
                } else if (!src.startsWith(right, p)) {
                    throw error(actionStart, "comment ends before closing delimiter");
                }
                pos = p + right.length();
                if (trimRight) {
                    pos = skipSpace(pos);
                }
                continue;
            }
            emit(Kind.LEFT, actionStart, left);
            lexInsideAction(actionStart);
        }
        emit(Kind.EOF, pos, "");
        return out;
    }

    private void lexInsideAction(int actionStart) {
        parenDepth = 0;
        while (true) {
            if (pos >= src.length()) {
                throw error(actionStart, "unclosed action");
            }
            char c = src.charAt(pos);
            // Right delimiter, possibly with a trim marker before it.
            if (isSpace(c) && src.startsWith("-" + right, pos + 1)) {
                emitRight(pos + 1, true);
                return;
            }
            if (src.startsWith(right, pos)) {
                emitRight(pos, false);
                return;
            }
            if (isSpace(c)) {
                int start = pos;
                while (pos < src.length() && isSpace(src.charAt(pos)) && !src.startsWith("-" + right, pos + 1)
                        && !src.startsWith(right, pos)) {
                    pos++;
                }
                if (pos > start) {
                    emit(Kind.SPACE, start, " ");
                }
                continue;
            }
            int start = pos;
            switch (c) {
                case '|' -> { pos++; emit(Kind.PIPE, start, "|"); }
                case '(' -> { pos++; parenDepth++; emit(Kind.LPAREN, start, "("); }
                case ')' -> {
                    pos++;
                    parenDepth--;
                    if (parenDepth < 0) {
                        throw error(start, "unexpected right paren");
                    }
                    emit(Kind.RPAREN, start, ")");
                }
                case ',' -> { pos++; emit(Kind.COMMA, start, ","); }
                case '=' -> { pos++; emit(Kind.ASSIGN, start, "="); }
                case ':' -> {
                    if (!src.startsWith(":=", pos)) {
                        throw error(start, "expected :=");
                    }
                    pos += 2;
                    emit(Kind.DECLARE, start, ":=");
                }
                case '"' -> lexQuote(start);
                case '`' -> {
                    int end = src.indexOf('`', pos + 1);
                    if (end < 0) {
                        throw error(start, "unterminated raw quoted string");
                    }
                    pos = end + 1;
                    emit(Kind.RAW_STRING, start, src.substring(start, pos));
                }
                case '\'' -> lexChar(start);
                case '$' -> {
                    pos++;
                    while (pos < src.length() && isAlnum(src.charAt(pos))) {
                        pos++;
                    }
                    emit(Kind.VARIABLE, start, src.substring(start, pos));
                    lexFieldChain();
                }
                case '.' -> {
                    if (pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))) {
                        lexNumber(start);
                    } else if (pos + 1 < src.length() && isAlnum(src.charAt(pos + 1))) {
                        lexFieldChain();
                    } else {
                        pos++;
                        emit(Kind.DOT, start, ".");
                    }
                }
                default -> {
                    if (c == '-' || c == '+' || Character.isDigit(c)) {
                        lexNumber(start);
                    } else if (isAlnum(c)) {
                        while (pos < src.length() && isAlnum(src.charAt(pos))) {
                            pos++;
                        }
                        String word = src.substring(start, pos);
                        Kind k = KEYWORDS.contains(word) ? Kind.KEYWORD
                                : word.equals("true") || word.equals("false") ? Kind.BOOL
                                : word.equals("nil") ? Kind.NIL : Kind.IDENT;
                        emit(k, start, word);
                        if (k == Kind.IDENT) {
                            // Go has no fields on a function name; keep any ".x" for an error from the parser.
                            lexFieldChain();
                        }
                    } else {
                        throw error(start, "unrecognized character in action: " + quoteChar(c));
                    }
                }
            }
        }
    }

    private void emitRight(int at, boolean trim) {
        if (parenDepth > 0) {
            throw error(at, "unclosed left paren");
        }
        pos = at + (trim ? 1 : 0) + right.length();
        emit(Kind.RIGHT, at, right);
        if (trim) {
            pos = skipSpace(pos);
        }
    }

    /** Fields that follow a variable, a parenthesis or another field: {@code .a.b}. */
    private void lexFieldChain() {
        while (pos + 1 < src.length() && src.charAt(pos) == '.' && isAlnum(src.charAt(pos + 1))) {
            int start = pos;
            pos++;
            while (pos < src.length() && isAlnum(src.charAt(pos))) {
                pos++;
            }
            emit(Kind.FIELD, start, src.substring(start, pos));
        }
    }

    private void lexQuote(int start) {
        pos++;
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') {
                throw error(start, "unterminated quoted string");
            }
            char c = src.charAt(pos);
            if (c == '\\') {
                pos += 2;
                continue;
            }
            pos++;
            if (c == '"') {
                break;
            }
        }
        emit(Kind.STRING, start, src.substring(start, pos));
    }

    private void lexChar(int start) {
        pos++;
        while (true) {
            if (pos >= src.length() || src.charAt(pos) == '\n') {
                throw error(start, "unterminated character constant");
            }
            char c = src.charAt(pos);
            if (c == '\\') {
                pos += 2;
                continue;
            }
            pos++;
            if (c == '\'') {
                break;
            }
        }
        emit(Kind.CHAR, start, src.substring(start, pos));
    }

    private void lexNumber(int start) {
        if (src.charAt(pos) == '+' || src.charAt(pos) == '-') {
            pos++;
        }
        while (pos < src.length() && (isAlnum(src.charAt(pos)) || src.charAt(pos) == '.'
                || ((src.charAt(pos) == '-' || src.charAt(pos) == '+') && "eEpP".indexOf(src.charAt(pos - 1)) >= 0
                && !src.startsWith("0x", start)))) {
            pos++;
        }
        String n = src.substring(start, pos);
        if (n.equals("-") || n.equals("+")) {
            throw error(start, "bad number syntax: \"" + n + "\"");
        }
        emit(Kind.NUMBER, start, n);
        lexFieldChain();
    }

    private int skipSpace(int p) {
        while (p < src.length() && isSpace(src.charAt(p))) {
            p++;
        }
        return p;
    }

    private void emit(Kind k, int at, String text) {
        int[] lc = lineCol(src, at);
        out.add(new Token(k, text, lc[0], lc[1]));
    }

    private TemplateException error(int at, String msg) {
        int[] lc = lineCol(src, at);
        return new TemplateException("template: " + name + ":" + lc[0] + ":" + lc[1] + ": " + msg);
    }

    static int[] lineCol(String s, int at) {
        int line = 1;
        int col = 1;
        for (int i = 0; i < at && i < s.length(); i++) {
            if (s.charAt(i) == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        return new int[] {line, col};
    }

    private static String stripTrailing(String s) {
        int e = s.length();
        while (e > 0 && isSpace(s.charAt(e - 1))) {
            e--;
        }
        return s.substring(0, e);
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isAlnum(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    private static String quoteChar(char c) {
        return "U+" + String.format("%04X", (int) c) + " '" + c + "'";
    }
}
