package io.roster.agent.config;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Consul's HCL (HCL 1: {@code key = value}, blocks, lists, heredocs, comments) into maps,
 * lists, strings, numbers and booleans, in one pass that checks the text and builds the tree; every
 * error names its line. It is stricter than a general HCL library: no HCL 2 expressions or
 * functions ({@code file(...)}), no bare words as values, strings exactly as Consul reads them
 * ({@code "${HOME}"} stays as it is).
 *
 * <p>The tree: {@code key = value} sets the key (a later one replaces it); {@code key { ... }} sets
 * an object, and a second block of the same key (or a block after an object value) makes a list of
 * the objects; {@code key "label" { ... }} puts the object under the label in the key's object, a
 * second block with the same label replacing the first. Whole numbers are {@code Long}s
 * ({@code BigInteger} past 64 bits), others {@code Double}s. This is the shape hcl4j gave before
 * (pinned by HclTest), except that a block with a quoted key ({@code "k" { ... }}) is a block named
 * {@code k}, where hcl4j dropped its name or its body.
 */
final class Hcl {
    private Hcl() {
    }

    enum Kind { IDENT, STRING, HEREDOC, NUMBER, LBRACE, RBRACE, LBRACK, RBRACK, EQUALS, COMMA, EOF }

    /** A token: its kind, line, span in the text, and value (decoded string, number or identifier). */
    record Token(Kind kind, int line, int start, int end, Object value) {
        String describe() {
            return switch (kind) {
                case IDENT -> "'" + value + "'";
                case STRING, HEREDOC -> "a string";
                case NUMBER -> "a number";
                case LBRACE -> "'{'";
                case RBRACE -> "'}'";
                case LBRACK -> "'['";
                case RBRACK -> "']'";
                case EQUALS -> "'='";
                case COMMA -> "','";
                case EOF -> "the end of the file";
            };
        }
    }

    static Map<String, Object> parse(Path file, String text) {
        return new Grammar(file, new Lexer(file, text).tokens()).document();
    }

    /** Splits HCL text into tokens; strings, heredocs and numbers are decoded here. */
    private static final class Lexer {
        private final Path file;
        private final String s;
        private int i;
        private int line = 1;

        Lexer(Path file, String text) {
            this.file = file;
            this.s = text;
        }

        private ConfigException error(int at, String message) {
            return new ConfigException(file, "line " + at + ": " + message);
        }

        List<Token> tokens() {
            List<Token> out = new ArrayList<>();
            while (true) {
                skipSpaceAndComments();
                if (i >= s.length()) {
                    out.add(new Token(Kind.EOF, line, i, i, null));
                    return out;
                }
                char c = s.charAt(i);
                int start = i;
                switch (c) {
                    case '{' -> out.add(punct(Kind.LBRACE));
                    case '}' -> out.add(punct(Kind.RBRACE));
                    case '[' -> out.add(punct(Kind.LBRACK));
                    case ']' -> out.add(punct(Kind.RBRACK));
                    case '=' -> out.add(punct(Kind.EQUALS));
                    case ',' -> out.add(punct(Kind.COMMA));
                    case '"' -> out.add(string());
                    default -> {
                        if (c == '<' && s.startsWith("<<", i)) {
                            out.add(heredoc());
                        } else if (isDigit(c) || (c == '-' && i + 1 < s.length() && isDigit(s.charAt(i + 1)))) {
                            out.add(number());
                        } else if (Character.isLetter(c) || c == '_') {
                            while (i < s.length() && isIdentPart(s.charAt(i))) {
                                i++;
                            }
                            out.add(new Token(Kind.IDENT, line, start, i, s.substring(start, i)));
                        } else if (c == '(' || c == ')' || c == '?' || c == '+' || c == '*' || c == '/' || c == '%'
                                || c == '!' || c == '&' || c == '|' || c == '<' || c == '>' || c == '-') {
                            throw error(line, "unexpected '" + c + "': Consul's HCL has no expressions or functions");
                        } else {
                            throw error(line, "unexpected character " + printable(c));
                        }
                    }
                }
            }
        }

        private Token punct(Kind k) {
            i++;
            return new Token(k, line, i - 1, i, null);
        }

        private void skipSpaceAndComments() {
            while (i < s.length()) {
                char c = s.charAt(i);
                if (c == '\n') {
                    line++;
                    i++;
                } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                    i++;
                } else if (c == '#' || s.startsWith("//", i)) {
                    while (i < s.length() && s.charAt(i) != '\n') {
                        i++;
                    }
                } else if (s.startsWith("/*", i)) {
                    int opened = line;
                    int end = s.indexOf("*/", i + 2);
                    if (end < 0) {
                        throw error(opened, "comment '/*' is never closed");
                    }
                    for (int j = i; j < end; j++) {
                        if (s.charAt(j) == '\n') {
                            line++;
                        }
                    }
                    i = end + 2;
                } else {
                    return;
                }
            }
        }

        private Token string() {
            int start = i;
            int opened = line;
            i++;
            StringBuilder b = new StringBuilder();
            while (true) {
                if (i >= s.length() || s.charAt(i) == '\n') {
                    throw error(opened, "string is never closed (a '\"' is missing)");
                }
                char c = s.charAt(i++);
                if (c == '"') {
                    return new Token(Kind.STRING, opened, start, i, b.toString());
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                if (i >= s.length()) {
                    throw error(opened, "string is never closed (a '\"' is missing)");
                }
                char e = s.charAt(i++);
                switch (e) {
                    case 'n' -> b.append('\n');
                    case 't' -> b.append('\t');
                    case 'r' -> b.append('\r');
                    case 'a' -> b.append('\u0007');
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'v' -> b.append('\u000b');
                    case '\\' -> b.append('\\');
                    case '"' -> b.append('"');
                    case 'x' -> b.appendCodePoint(hex(2, opened));
                    case 'u' -> b.appendCodePoint(hex(4, opened));
                    case 'U' -> b.appendCodePoint(hex(8, opened));
                    default -> {
                        if (e >= '0' && e <= '7' && i + 1 < s.length()) {
                            String oct = s.substring(i - 1, i + 2);
                            if (!oct.matches("[0-7]{3}")) {
                                throw error(opened, "invalid escape '\\" + oct + "' in string");
                            }
                            b.append((char) Integer.parseInt(oct, 8));
                            i += 2;
                        } else {
                            throw error(opened, "invalid escape '\\" + e + "' in string");
                        }
                    }
                }
            }
        }

        private int hex(int digits, int at) {
            if (i + digits > s.length() || !s.substring(i, i + digits).matches("[0-9A-Fa-f]+")) {
                throw error(at, "invalid escape in string: expected " + digits + " hex digits");
            }
            int cp = Integer.parseInt(s.substring(i, i + digits), 16);
            if (!Character.isValidCodePoint(cp)) {
                throw error(at, "invalid escape in string: U+" + Integer.toHexString(cp) + " is not a character");
            }
            i += digits;
            return cp;
        }

        /** {@code <<EOT} ... {@code EOT}; {@code <<-EOT} also removes the lines' common indentation. */
        private Token heredoc() {
            int start = i;
            int opened = line;
            i += 2;
            boolean indented = i < s.length() && s.charAt(i) == '-';
            if (indented) {
                i++;
            }
            int anchorStart = i;
            while (i < s.length() && isIdentPart(s.charAt(i))) {
                i++;
            }
            String anchor = s.substring(anchorStart, i);
            int eol = s.indexOf('\n', i);
            if (anchor.isEmpty() || eol < 0 || !s.substring(i, eol).isBlank()) {
                throw error(opened, "a heredoc needs a name and then a new line, as in <<EOT");
            }
            i = eol + 1;
            line++;
            List<String> lines = new ArrayList<>();
            while (true) {
                if (i >= s.length()) {
                    throw error(opened, "heredoc <<" + anchor + " is never closed (no line '" + anchor + "')");
                }
                int end = s.indexOf('\n', i);
                String l = s.substring(i, end < 0 ? s.length() : end);
                String content = l.endsWith("\r") ? l.substring(0, l.length() - 1) : l;
                if (content.strip().equals(anchor)) {
                    i += content.length();
                    break;
                }
                lines.add(content);
                i = end < 0 ? s.length() : end + 1;
                line++;
            }
            if (indented) {
                int common = lines.stream().filter(l -> !l.isBlank())
                        .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
                lines.replaceAll(l -> l.length() >= common ? l.substring(common) : l.stripLeading());
            }
            StringBuilder b = new StringBuilder();
            lines.forEach(l -> b.append(l).append('\n'));
            return new Token(Kind.HEREDOC, opened, start, i, b.toString());
        }

        private Token number() {
            int start = i;
            if (s.charAt(i) == '-') {
                i++;
            }
            Object value;
            if (s.startsWith("0x", i) || s.startsWith("0X", i)) {
                i += 2;
                int digits = i;
                while (i < s.length() && Character.digit(s.charAt(i), 16) >= 0) {
                    i++;
                }
                if (i == digits) {
                    throw error(line, "invalid number '" + s.substring(start, i) + "'");
                }
                BigInteger n = new BigInteger(s.substring(digits, i), 16);
                value = s.charAt(start) == '-' ? n.negate() : n;
            } else {
                boolean fraction = false;
                while (i < s.length() && isDigit(s.charAt(i))) {
                    i++;
                }
                if (i < s.length() && s.charAt(i) == '.' && i + 1 < s.length() && isDigit(s.charAt(i + 1))) {
                    fraction = true;
                    i++;
                    while (i < s.length() && isDigit(s.charAt(i))) {
                        i++;
                    }
                }
                if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                    int e = i + 1;
                    if (e < s.length() && (s.charAt(e) == '+' || s.charAt(e) == '-')) {
                        e++;
                    }
                    if (e < s.length() && isDigit(s.charAt(e))) {
                        fraction = true;
                        i = e;
                        while (i < s.length() && isDigit(s.charAt(i))) {
                            i++;
                        }
                    }
                }
                String text = s.substring(start, i);
                value = fraction ? (Object) Double.parseDouble(text) : new BigInteger(text);
            }
            if (i < s.length() && (isIdentPart(s.charAt(i)) || s.charAt(i) == '.')) {
                int end = i;
                while (end < s.length() && (isIdentPart(s.charAt(end)) || s.charAt(end) == '.')) {
                    end++;
                }
                throw error(line, "invalid number '" + s.substring(start, end) + "' (put strings in double quotes)");
            }
            if (value instanceof BigInteger b && b.bitLength() < 64) {
                value = b.longValue();
            }
            return new Token(Kind.NUMBER, line, start, i, value);
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private static boolean isIdentPart(char c) {
            return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
        }

        private static String printable(char c) {
            return c >= ' ' && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
        }
    }

    /**
     * Reads the token stream by HCL 1's grammar into the tree: a body is items, each
     * {@code key = value} or {@code key ["label" ...] { body }}, separated by new lines or commas; a
     * value is a string, number, {@code true}/{@code false}, list or object.
     */
    private static final class Grammar {
        private final Path file;
        private final List<Token> tokens;
        private int pos;

        Grammar(Path file, List<Token> tokens) {
            this.file = file;
            this.tokens = tokens;
        }

        private ConfigException error(int line, String message) {
            return new ConfigException(file, "line " + line + ": " + message);
        }

        private Token peek() {
            return tokens.get(pos);
        }

        private Token next() {
            return tokens.get(pos++);
        }

        Map<String, Object> document() {
            return body(null);
        }

        /** Items until '}' (or the end of the file when {@code open} is null). */
        private Map<String, Object> body(Token open) {
            Map<String, Object> out = new LinkedHashMap<>();
            Token last = null;
            boolean separated = true;
            while (true) {
                Token t = peek();
                if (t.kind() == Kind.EOF) {
                    if (open == null) {
                        return out;
                    }
                    throw error(open.line(), "'{' is never closed (a '}' is missing)");
                }
                if (t.kind() == Kind.RBRACE) {
                    if (open == null) {
                        throw error(t.line(), "unexpected '}': no block is open");
                    }
                    return out;
                }
                if (!separated && t.line() == last.line()) {
                    throw error(t.line(), "expected a new line or ',' before " + t.describe());
                }
                if (t.kind() != Kind.IDENT && t.kind() != Kind.STRING) {
                    throw error(t.line(), "expected a key, found " + t.describe());
                }
                Token key = next();
                String name = (String) key.value();
                if (peek().kind() == Kind.EQUALS) {
                    Token eq = next();
                    out.put(name, value(eq, "after '" + name + " ='"));
                } else {
                    List<String> labels = new ArrayList<>();
                    while (peek().kind() == Kind.STRING || peek().kind() == Kind.IDENT) {
                        labels.add((String) next().value());
                    }
                    Token b = next();
                    if (b.kind() != Kind.LBRACE) {
                        throw error(b.line(), "expected '=' or '{' after '" + name + "', found " + b.describe());
                    }
                    Map<String, Object> block = body(b);
                    next();
                    addBlock(out, key, labels, block);
                }
                last = tokens.get(pos - 1);
                separated = peek().kind() == Kind.COMMA;
                if (separated) {
                    next();
                }
            }
        }

        /** A block into its body: a first block is an object, more make a list; labels nest. */
        @SuppressWarnings("unchecked")
        private void addBlock(Map<String, Object> out, Token key, List<String> labels, Map<String, Object> block) {
            String name = (String) key.value();
            Object before = out.get(name);
            if (labels.isEmpty()) {
                if (before == null) {
                    out.put(name, block);
                } else if (before instanceof Map<?, ?> m) {
                    out.put(name, new ArrayList<>(List.of(m, block)));
                } else if (before instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(x -> x instanceof Map)) {
                    ((List<Object>) l).add(block);
                } else {
                    throw error(key.line(), "block '" + name + "' after a value that is not an object");
                }
                return;
            }
            Object nested = block;
            for (int i = labels.size() - 1; i > 0; i--) {
                Map<String, Object> wrap = new LinkedHashMap<>();
                wrap.put(labels.get(i), nested);
                nested = wrap;
            }
            if (before == null) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put(labels.get(0), nested);
                out.put(name, m);
            } else if (before instanceof Map<?, ?> m) {
                ((Map<String, Object>) m).put(labels.get(0), nested);
            } else {
                throw error(key.line(), "block '" + name + "' after a value that is not an object");
            }
        }

        private Object value(Token before, String where) {
            Token t = next();
            switch (t.kind()) {
                case STRING, HEREDOC, NUMBER -> {
                    return t.value();
                }
                case IDENT -> {
                    if (t.value().equals("true")) {
                        return Boolean.TRUE;
                    }
                    if (t.value().equals("false")) {
                        return Boolean.FALSE;
                    }
                    throw error(t.line(), t.describe() + " is not a value: put strings in double quotes");
                }
                case LBRACK -> {
                    return list(t);
                }
                case LBRACE -> {
                    Map<String, Object> m = body(t);
                    next();
                    return m;
                }
                default -> {
                    if (t.kind() == Kind.EOF || t.line() > before.line()) {
                        throw error(before.line(), "missing value " + where);
                    }
                    throw error(t.line(), "expected a value " + where + ", found " + t.describe());
                }
            }
        }

        private List<Object> list(Token open) {
            List<Object> out = new ArrayList<>();
            while (true) {
                Token t = peek();
                if (t.kind() == Kind.RBRACK) {
                    next();
                    return out;
                }
                if (t.kind() == Kind.EOF) {
                    throw error(open.line(), "'[' is never closed (a ']' is missing)");
                }
                out.add(value(t, "in the list"));
                Token sep = peek();
                if (sep.kind() == Kind.COMMA) {
                    next();
                } else if (sep.kind() == Kind.EOF) {
                    throw error(open.line(), "'[' is never closed (a ']' is missing)");
                } else if (sep.kind() != Kind.RBRACK) {
                    throw error(sep.line(), "expected ',' or ']' in the list, found " + sep.describe());
                }
            }
        }
    }
}
