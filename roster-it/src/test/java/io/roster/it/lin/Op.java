package io.roster.it.lin;

/**
 * One operation of a history: which client ran it, its input, its output, and when it was invoked
 * and when its answer came, as positions on one logical clock ({@link History} hands them out), so
 * that "a returned before b was invoked" is {@code a.ret() < b.call()}.
 *
 * <p>An operation whose outcome is unknown (a timeout, a connection cut after the request was sent:
 * Jepsen's {@code :info}) has {@code unknown == true}, {@code ret == Long.MAX_VALUE} (it may take
 * effect at any time after its call, or never) and no output the checker may rely on.
 */
public record Op(int client, Object input, Object output, long call, long ret, boolean unknown) {
    public Op {
        if (ret <= call) {
            throw new IllegalArgumentException("an operation returns after it is called: " + call + " .. " + ret);
        }
    }

    /** A completed operation. */
    public static Op ok(int client, Object input, Object output, long call, long ret) {
        return new Op(client, input, output, call, ret, false);
    }

    /** An operation whose outcome is unknown (it may or may not have taken effect). */
    public static Op info(int client, Object input, long call) {
        return new Op(client, input, null, call, Long.MAX_VALUE, true);
    }

    @Override
    public String toString() {
        return "c" + client + " " + input + " -> " + (unknown ? "?" : output) + " [" + call + ".." + (unknown ? "inf" : ret) + "]";
    }
}
