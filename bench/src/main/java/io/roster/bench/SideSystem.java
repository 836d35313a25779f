package io.roster.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * One system under test in the side-by-side benchmark (Roster, etcd or ZooKeeper), running as a
 * 3-member cluster on loopback. Each implementation speaks its system's own client protocol; the
 * load generator ({@link LoadGen}) and the measurements around it are the same for all.
 */
abstract class SideSystem implements AutoCloseable {
    /** Keys per load client: client c writes and reads keys c/0 .. c/31 in turn. */
    static final int KEYS_PER_CLIENT = 32;
    static final int VALUE_BYTES = 256;

    /** What a load client does once; {@code seq} counts that client's calls, so a write's value is new each time. */
    interface Op {
        void call(int client, long seq) throws Exception;
    }

    /**
     * What one W4 run saw. Latencies are nanoseconds from just before the write was sent;
     * {@code writeNanos} is how long the write itself took to be acknowledged.
     */
    record Watch(int n, long parked, long serverWatches, long rssBefore, long rssAfter, long heapBefore, long heapAfter,
                 Stats latencies, long notified, long failed, long writeNanos, String note) {
    }

    /** What one W8 run saw: spawn to first successful write, and the RSS right after it. */
    record Start(long nanos, long rss, String note) {
    }

    /** Human name used in tables and charts. */
    abstract String label();

    /** The server processes, for RSS readings. */
    abstract List<Process> servers();

    /** Creates every key the load clients use (so reads find them), with clients spread over the members. */
    abstract void prepare(int clients) throws Exception;

    /** W1: one write of a new 256-byte value to the client's next key. */
    abstract Op write();

    /** W2 ({@code linearizable}) or W3 (stale / serializable): one read of the client's next key. */
    abstract Op read(boolean linearizable);

    /**
     * W4: parks {@code n} watchers on one key (spread over the members), then writes the key once and
     * waits for every notification. Bounded by {@code limit} for parking and again for the notifications.
     */
    abstract Watch watch(int n, Duration limit) throws Exception;

    /** Stops every process of the cluster (and closes its clients). Never throws. */
    @Override
    public abstract void close();

    /** A key name shared by all systems: {@code bench/kv/<client>/<k>}. */
    static String key(int client, long seq) {
        return "bench/kv/" + client + "/" + (seq % KEYS_PER_CLIENT);
    }

    /** A 256-byte value that differs for every (client, seq): identical writes may be no-ops and flatter a system. */
    static byte[] value(int client, long seq) {
        byte[] v = new byte[VALUE_BYTES];
        Arrays.fill(v, (byte) 'v');
        byte[] tag = (client + ":" + seq + ":").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tag, 0, v, 0, tag.length);
        return v;
    }

    /** Where a system's data directories and logs go: one temp directory, so all are on the same disk. */
    record Env(Path home, Path work, boolean smoke, int zkSessions) {
        Path dir(String name) throws java.io.IOException {
            return java.nio.file.Files.createDirectories(work.resolve(name));
        }
    }
}
