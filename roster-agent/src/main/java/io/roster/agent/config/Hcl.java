package io.roster.agent.config;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.LoggerFactory;

/**
 * Reads Consul's HCL (HCL 1: {@code key = value}, blocks, lists, heredocs, comments) into maps,
 * lists, strings, numbers and booleans.
 *
 * <p>hcl4j builds the values (one block becomes a map, repeated blocks a list). It is lenient
 * where Consul is not, so the text is first checked here, token by token, and every error names
 * its line: hcl4j on its own accepts an unclosed block, drops a value that is missing, and
 * evaluates HCL 2 expressions and functions ({@code file(...)}), which Consul's HCL does not have.
 * It also rewrites strings ({@code "${HOME}"} becomes {@code "HOME"}; {@code \u00e9} is refused),
 * so every string and number is replaced by a placeholder before hcl4j sees the text, and put back
 * afterwards exactly as Consul reads it.
 */
final class Hcl {
    static {
        // hcl4j logs its own parse errors with a stack trace; ours are one line.
        if (LoggerFactory.getLogger("com.bertramlabs.plugins.hcl4j") instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(ch.qos.logback.classic.Level.OFF);
        }
    }

    private static final Pattern HCL4J_LINE = Pattern.compile("line:? (\\d+)");

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
        List<Token> tokens = new Lexer(file, text).tokens();
        new Grammar(file, tokens).document();

        String prefix = "_roster" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + "_";
        List<Object> literals = new ArrayList<>();
        StringBuilder src = new StringBuilder(text.length());
        int at = 0;
        for (Token t : tokens) {
            if (t.kind() == Kind.STRING || t.kind() == Kind.HEREDOC || t.kind() == Kind.NUMBER) {
                src.append(text, at, t.start()).append('"').append(prefix).append(literals.size()).append('"');
                literals.add(t.value());
                // Keep hcl4j's line numbers equal to ours: a heredoc spans lines.
                text.substring(t.start(), t.end()).chars().filter(c -> c == '\n').forEach(c -> src.append('\n'));
                at = t.end();
            }
        }
        src.append(text, at, text.length());

        Map<String, Object> raw;
        try {
            raw = new HCLParser().parse(src.toString(), false);
        } catch (Exception e) {
            String msg = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
            Matcher m = HCL4J_LINE.matcher(msg);
            throw new ConfigException(file, (m.find() ? "line " + m.group(1) + ": " : "") + "cannot parse HCL");
        }
        return new Restorer(file, prefix, literals).map(raw);
    }

    /** Puts the literals back in place of their placeholders, and refuses anything hcl4j evaluated. */
    private record Restorer(Path file, String prefix, List<Object> literals) {
        Map<String, Object> map(Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> {
                Object key = value(k);
                if (!(key instanceof String s)) {
                    throw new ConfigException(file, "a key must be a name or a string, not " + Decoder.describe(key));
                }
                out.put(s, value(v));
            });
            return out;
        }

        Object value(Object v) {
            if (v instanceof Map<?, ?> m) {
                return map(m);
            }
            if (v instanceof List<?> l) {
                List<Object> out = new ArrayList<>(l.size());
                l.forEach(x -> out.add(value(x)));
                return out;
            }
            if (v instanceof String s) {
                if (s.startsWith(prefix)) {
                    return literals.get(Integer.parseInt(s.substring(prefix.length())));
                }
                return s; // a bare name used as a key or block label
            }
            if (v instanceof Boolean) {
                return v;
            }
            if (v instanceof Double d && d == Math.rint(d) && !d.isInfinite() && Math.abs(d) < 0x1p53) {
                return d.longValue(); // hcl4j gives every number as a Double
            }
            if (v instanceof Number) {
                return v;
            }
            throw new ConfigException(file, "unsupported HCL value " + Decoder.describe(v));
        }
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
     * Checks the token stream against HCL 1's grammar: a body is items, each {@code key = value}
     * or {@code key ["label" ...] { body }}, separated by new lines or commas; a value is a string,
     * number, {@code true}/{@code false}, list or object.
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

        void document() {
            body(null);
        }

        /** Items until '}' (or the end of the file when {@code open} is null). */
        private void body(Token open) {
            Token last = null;
            boolean separated = true;
            while (true) {
                Token t = peek();
                if (t.kind() == Kind.EOF) {
                    if (open == null) {
                        return;
                    }
                    throw error(open.line(), "'{' is never closed (a '}' is missing)");
                }
                if (t.kind() == Kind.RBRACE) {
                    if (open == null) {
                        throw error(t.line(), "unexpected '}': no block is open");
                    }
                    return;
                }
                if (!separated && t.line() == last.line()) {
                    throw error(t.line(), "expected a new line or ',' before " + t.describe());
                }
                if (t.kind() != Kind.IDENT && t.kind() != Kind.STRING) {
                    throw error(t.line(), "expected a key, found " + t.describe());
                }
                Token key = next();
                if (peek().kind() == Kind.EQUALS) {
                    Token eq = next();
                    value(eq, "after '" + key.value() + " ='");
                } else {
                    while (peek().kind() == Kind.STRING || peek().kind() == Kind.IDENT) {
                        next();
                    }
                    Token b = next();
                    if (b.kind() != Kind.LBRACE) {
                        throw error(b.line(), "expected '=' or '{' after '" + key.value() + "', found " + b.describe());
                    }
                    body(b);
                    next();
                }
                last = tokens.get(pos - 1);
                separated = peek().kind() == Kind.COMMA;
                if (separated) {
                    next();
                }
            }
        }

        private void value(Token before, String where) {
            Token t = next();
            switch (t.kind()) {
                case STRING, HEREDOC, NUMBER -> {
                }
                case IDENT -> {
                    if (!t.value().equals("true") && !t.value().equals("false")) {
                        throw error(t.line(), t.describe() + " is not a value: put strings in double quotes");
                    }
                }
                case LBRACK -> list(t);
                case LBRACE -> {
                    body(t);
                    next();
                }
                default -> {
                    if (t.kind() == Kind.EOF || t.line() > before.line()) {
                        throw error(before.line(), "missing value " + where);
                    }
                    throw error(t.line(), "expected a value " + where + ", found " + t.describe());
                }
            }
        }

        private void list(Token open) {
            while (true) {
                Token t = peek();
                if (t.kind() == Kind.RBRACK) {
                    next();
                    return;
                }
                if (t.kind() == Kind.EOF) {
                    throw error(open.line(), "'[' is never closed (a ']' is missing)");
                }
                value(t, "in the list");
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
