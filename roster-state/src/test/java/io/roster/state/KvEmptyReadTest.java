package io.roster.state;

import static io.roster.state.Cmds.delete;
import static io.roster.state.Cmds.set;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Which index a KV read reports and what it watches is KvTable's decision: a read that finds
 * nothing reports the table's index and, for a blocking query ({@link Store.IfEmpty#WATCH_TABLE}),
 * watches the whole table too, since every KV write moves that index.
 */
class KvEmptyReadTest {
    /** Records what a read watched. */
    private static final class Recorder implements WatchSet {
        final List<String> watched = new ArrayList<>();

        @Override
        public void watchKey(String key) {
            watched.add("key " + key);
        }

        @Override
        public void watchPrefix(String prefix) {
            watched.add("prefix " + prefix);
        }

        @Override
        public void watchTopic(String topic) {
            watched.add("topic " + topic);
        }
    }

    private static Store store() {
        Store s = new Store();
        s.apply(5, set("a/x", "1"));
        s.apply(7, set("b", "2"));
        s.apply(9, delete("b"));
        return s;
    }

    @Test
    void aMissingKeyReportsTheTableIndexAndWatchesTheTableWhenAsked() {
        Store s = store();
        Recorder table = new Recorder();
        assertThat(s.kvGet(table, Store.IfEmpty.WATCH_TABLE, "nope").index()).isEqualTo(9);
        assertThat(table.watched).containsExactly("key nope", "prefix ");
        Recorder asked = new Recorder();
        assertThat(s.kvGet(asked, "nope").index()).isEqualTo(9);
        assertThat(asked.watched).containsExactly("key nope");
    }

    @Test
    void aKeyThatExistsReportsItsModifyIndexAndWatchesOnlyItself() {
        Recorder r = new Recorder();
        Store.Read<?> read = store().kvGet(r, Store.IfEmpty.WATCH_TABLE, "a/x");
        assertThat(read.index()).isEqualTo(5);
        assertThat(r.watched).containsExactly("key a/x");
    }

    @Test
    void anEmptyListingWatchesTheTableAndKeepsItsTombstoneIndex() {
        Store s = store();
        Recorder r = new Recorder();
        Store.Read<?> read = s.kvList(r, Store.IfEmpty.WATCH_TABLE, "b");
        assertThat(read.index()).as("the tombstone of b").isEqualTo(9);
        assertThat(r.watched).containsExactly("prefix b", "prefix ");
        Recorder keys = new Recorder();
        assertThat(s.kvKeys(keys, Store.IfEmpty.WATCH_TABLE, "c/", "/").value()).isEmpty();
        assertThat(keys.watched).containsExactly("prefix c/", "prefix ");
        Recorder full = new Recorder();
        assertThat(s.kvList(full, Store.IfEmpty.WATCH_TABLE, "a/").value()).hasSize(1);
        assertThat(full.watched).containsExactly("prefix a/");
    }

    @Test
    void aKeyWithoutHistoryWatchesTheTable() {
        Recorder r = new Recorder();
        assertThat(store().kvHistory(r, Store.IfEmpty.WATCH_TABLE, "a/x").value()).isEmpty();
        assertThat(r.watched).containsExactly("key a/x", "prefix ");
    }
}
