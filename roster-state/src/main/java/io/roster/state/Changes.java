package io.roster.state;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** What one apply changed; the store wakes the matching watchers after the write lock is released. */
final class Changes {
    final Set<String> keys = new LinkedHashSet<>();
    final List<String> trees = new ArrayList<>();
    final Set<String> topics = new LinkedHashSet<>();

    void key(String key) {
        keys.add(key);
    }

    void tree(String prefix) {
        trees.add(prefix);
    }

    void topic(String topic) {
        topics.add(topic);
    }

    void clear() {
        keys.clear();
        trees.clear();
        topics.clear();
    }

    void fire(Watches w) {
        for (String k : keys) {
            w.keyChanged(k);
        }
        for (String p : trees) {
            w.treeChanged(p);
        }
        for (String t : topics) {
            w.topicChanged(t);
        }
    }
}
