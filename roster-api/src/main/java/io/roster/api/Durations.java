package io.roster.api;

import java.math.BigInteger;
import java.time.Duration;
import java.util.Locale;

/**
 * Go duration strings, as Consul reads {@code Interval}, {@code Timeout}, {@code TTL} and
 * {@code DeregisterCriticalServiceAfter}: {@code time.ParseDuration} and {@code Duration.String}.
 * "A possibly signed sequence of decimal numbers, each with optional fraction and a unit suffix,
 * such as 300ms, -1.5h or 2h45m. Valid time units are ns, us (or µs), ms, s, m, h." Error texts
 * are Go's, since clients show them to users.
 */
public final class Durations {
    private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
    private static final BigInteger TWO_63_DIV_10 = TWO_63.divide(BigInteger.TEN);

    private Durations() {
    }

    /**
     * Parses a Go duration string.
     *
     * @throws IllegalArgumentException with Go's message, e.g. {@code time: invalid duration "x"}
     */
    public static Duration parse(String s) {
        if (s == null) {
            throw new IllegalArgumentException("time: invalid duration \"\"");
        }
        String orig = s;
        int i = 0;
        boolean neg = false;
        if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
            neg = s.charAt(0) == '-';
            i++;
        }
        if (s.substring(i).equals("0")) {
            return Duration.ZERO;
        }
        if (i == s.length()) {
            throw invalid(orig);
        }
        // Go's algorithm step by step (integers up to 2^63, the fraction through float64), so that
        // every string Go accepts gives the same nanoseconds here.
        BigInteger total = BigInteger.ZERO;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != '.' && !digit(c)) {
                throw invalid(orig);
            }
            int start = i;
            BigInteger v = BigInteger.ZERO;
            while (i < s.length() && digit(s.charAt(i))) {
                if (v.compareTo(TWO_63_DIV_10) > 0) {
                    throw invalid(orig);
                }
                v = v.multiply(BigInteger.TEN).add(BigInteger.valueOf(s.charAt(i) - '0'));
                if (v.compareTo(TWO_63) > 0) {
                    throw invalid(orig);
                }
                i++;
            }
            boolean pre = i > start;
            long f = 0;
            double scale = 1;
            boolean post = false;
            if (i < s.length() && s.charAt(i) == '.') {
                int fs = ++i;
                boolean overflow = false;
                while (i < s.length() && digit(s.charAt(i))) {
                    if (!overflow) {
                        if (f > Long.MAX_VALUE / 10) {
                            overflow = true;
                        } else {
                            f = f * 10 + (s.charAt(i) - '0'); // at most 2^63 - 1: fits
                            scale *= 10;
                        }
                    }
                    i++;
                }
                post = i > fs;
            }
            if (!pre && !post) {
                throw invalid(orig);
            }
            int us = i;
            while (i < s.length() && s.charAt(i) != '.' && !digit(s.charAt(i))) {
                i++;
            }
            if (us == i) {
                throw new IllegalArgumentException("time: missing unit in duration " + quote(orig));
            }
            String unitName = s.substring(us, i);
            long unit = switch (unitName) {
                case "ns" -> 1L;
                case "us", "\u00b5s", "\u03bcs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw new IllegalArgumentException(
                        "time: unknown unit " + quote(unitName) + " in duration " + quote(orig));
            };
            if (v.compareTo(TWO_63.divide(BigInteger.valueOf(unit))) > 0) {
                throw invalid(orig);
            }
            v = v.multiply(BigInteger.valueOf(unit));
            if (f > 0) {
                v = v.add(BigInteger.valueOf((long) ((double) f * ((double) unit / scale))));
                if (v.compareTo(TWO_63) > 0) {
                    throw invalid(orig);
                }
            }
            total = total.add(v);
            if (total.compareTo(TWO_63) > 0) {
                throw invalid(orig);
            }
        }
        if (neg) {
            return Duration.ofNanos(total.negate().longValue());
        }
        if (total.bitLength() > 63) {
            throw invalid(orig);
        }
        return Duration.ofNanos(total.longValue());
    }

    /** Go's {@code Duration.String()}: {@code 0s}, {@code 1.5s}, {@code 300ms}, {@code 1m0s}, {@code 2h45m0s}. */
    public static String format(Duration d) {
        long n;
        try {
            n = d.toNanos();
        } catch (ArithmeticException e) {
            n = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (n == 0) {
            return "0s";
        }
        String sign = n < 0 ? "-" : "";
        BigInteger u = BigInteger.valueOf(n).abs();
        if (u.compareTo(BigInteger.valueOf(1_000_000_000L)) < 0) {
            long v = u.longValue();
            if (v < 1_000) {
                return sign + v + "ns";
            }
            if (v < 1_000_000) {
                return sign + fraction(v, 1_000, 3) + "\u00b5s";
            }
            return sign + fraction(v, 1_000_000, 6) + "ms";
        }
        BigInteger[] hr = u.divideAndRemainder(BigInteger.valueOf(3_600_000_000_000L));
        long rem = hr[1].longValue();
        long minutes = rem / 60_000_000_000L;
        String secs = fraction(rem % 60_000_000_000L, 1_000_000_000L, 9) + "s";
        if (hr[0].signum() > 0) {
            return sign + hr[0] + "h" + minutes + "m" + secs;
        }
        if (minutes > 0) {
            return sign + minutes + "m" + secs;
        }
        return sign + secs;
    }

    private static String fraction(long v, long unit, int digits) {
        long whole = v / unit;
        long frac = v % unit;
        if (frac == 0) {
            return Long.toString(whole);
        }
        String f = String.format(Locale.ROOT, "%0" + digits + "d", frac);
        int end = f.length();
        while (f.charAt(end - 1) == '0') {
            end--;
        }
        return whole + "." + f.substring(0, end);
    }

    private static boolean digit(char c) {
        return c >= '0' && c <= '9';
    }

    private static IllegalArgumentException invalid(String orig) {
        return new IllegalArgumentException("time: invalid duration " + quote(orig));
    }

    /** Go's {@code strconv.Quote} for the printable strings that reach here. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
