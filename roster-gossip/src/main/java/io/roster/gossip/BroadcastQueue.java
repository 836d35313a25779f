package io.roster.gossip;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Messages waiting to be piggy-backed on outgoing packets, each sent at most a bounded number of
 * times (memberlist's TransmitLimitedQueue). Messages sent fewer times go first, and among those the
 * newest. A message with a key (e.g. "m/" + node name) invalidates a queued one with the same key: only
 * the newest news about a member is worth spreading. Not thread-safe: owned by the event loop.
 */
final class BroadcastQueue {

    private static final class Item {
        final String key;
        final byte[] msg;
        final long id;
        final Runnable onDone;
        int transmits;

        Item(String key, byte[] msg, long id, Runnable onDone) {
            this.key = key;
            this.msg = msg;
            this.id = id;
            this.onDone = onDone;
        }

        void done() {
            if (onDone != null) {
                onDone.run();
            }
        }
    }

    private static final Comparator<Item> ORDER = Comparator.<Item>comparingInt(i -> i.transmits)
            .thenComparing(Comparator.<Item>comparingLong(i -> i.id).reversed());

    /** How many items a take() looks at before giving up on filling the remaining space. */
    private static final int MAX_EXAMINED = 256;

    private final TreeSet<Item> items = new TreeSet<>(ORDER);
    private final Map<String, Item> byKey = new HashMap<>();
    private long nextId;

    /** Queues {@code msg}; {@code onDone} (may be null) runs when it has been sent enough times or was superseded. */
    void queue(String key, byte[] msg, Runnable onDone) {
        if (key != null) {
            Item old = byKey.remove(key);
            if (old != null) {
                items.remove(old);
                old.done();
            }
        }
        Item it = new Item(key, msg, nextId++, onDone);
        items.add(it);
        if (key != null) {
            byKey.put(key, it);
        }
    }

    /**
     * Takes messages that fit in {@code limit} bytes, counting {@code overhead} framing bytes per
     * message, and counts one transmission for each; those sent {@code transmitLimit} times leave.
     */
    List<byte[]> take(int overhead, int limit, int transmitLimit) {
        if (items.isEmpty() || limit <= overhead) {
            return List.of();
        }
        List<Item> picked = new ArrayList<>();
        int used = 0;
        int examined = 0;
        for (Iterator<Item> it = items.iterator(); it.hasNext() && examined < MAX_EXAMINED; examined++) {
            Item i = it.next();
            int size = overhead + i.msg.length;
            if (used + size > limit) {
                continue;
            }
            used += size;
            picked.add(i);
            if (limit - used <= overhead + 8) {
                break;
            }
        }
        List<byte[]> out = new ArrayList<>(picked.size());
        for (Item i : picked) {
            items.remove(i);
            i.transmits++;
            out.add(i.msg);
            if (i.transmits >= transmitLimit) {
                if (i.key != null && byKey.get(i.key) == i) {
                    byKey.remove(i.key);
                }
                i.done();
            } else {
                items.add(i);
            }
        }
        return out;
    }

    /** Drops the most-sent, oldest messages beyond {@code max}. */
    void prune(int max) {
        while (items.size() > max) {
            Item i = items.pollLast();
            if (i.key != null && byKey.get(i.key) == i) {
                byKey.remove(i.key);
            }
            i.done();
        }
    }

    int size() {
        return items.size();
    }
}
