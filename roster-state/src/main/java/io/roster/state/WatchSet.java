package io.roster.state;

/**
 * What a read touched, so that a blocking query can wait for exactly those rows to change.
 * Store read methods call these while holding the read lock.
 */
public interface WatchSet {
    /** Wakes on any change of this exact KV key (including its creation or deletion). */
    void watchKey(String key);

    /** Wakes on any change of a KV key that starts with {@code prefix}. */
    void watchPrefix(String prefix);

    /** Wakes on any change of a named table or row group (e.g. {@code "sessions"}). */
    void watchTopic(String topic);

    /** A watch set that records nothing, for reads that will not block. */
    WatchSet NONE = new WatchSet() {
        @Override
        public void watchKey(String key) {
        }

        @Override
        public void watchPrefix(String prefix) {
        }

        @Override
        public void watchTopic(String topic) {
        }
    };
}
