package io.roster.agent.checks;

import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code capacity} bytes written and counts all of them: Consul's {@code circbuf}
 * for script output and HTTP bodies. Thread-safe (a script's reader thread writes while its run
 * thread may read).
 */
final class TailBuffer {
    private final byte[] buf;
    private long total;

    TailBuffer(int capacity) {
        buf = new byte[capacity];
    }

    synchronized void write(byte[] b, int off, int len) {
        int n = buf.length;
        if (len > n) {
            // Only the last n bytes can be kept; skipping the rest just advances the count.
            off += len - n;
            total += len - n;
            len = n;
        }
        if (n == 0) {
            return;
        }
        int pos = (int) (total % n);
        int first = Math.min(len, n - pos);
        System.arraycopy(b, off, buf, pos, first);
        System.arraycopy(b, off + first, buf, 0, len - first);
        total += len;
    }

    synchronized long total() {
        return total;
    }

    int capacity() {
        return buf.length;
    }

    /** The kept bytes, oldest first. */
    synchronized byte[] bytes() {
        if (buf.length == 0) {
            return new byte[0];
        }
        if (total <= buf.length) {
            byte[] out = new byte[(int) total];
            System.arraycopy(buf, 0, out, 0, out.length);
            return out;
        }
        int pos = (int) (total % buf.length);
        byte[] out = new byte[buf.length];
        System.arraycopy(buf, pos, out, 0, buf.length - pos);
        System.arraycopy(buf, 0, out, buf.length - pos, pos);
        return out;
    }

    /** The kept bytes as UTF-8 text (a character cut at the start shows as U+FFFD). */
    String text() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    /** Consul's script output: the kept tail, prefixed with "Captured N of M bytes" when some was dropped. */
    synchronized String scriptOutput() {
        String s = text(); // re-entrant: same lock
        if (total > buf.length) {
            return "Captured " + buf.length + " of " + total + " bytes\n...\n" + s;
        }
        return s;
    }
}
