package io.roster.state;

import static io.roster.state.Cmds.cas;
import static io.roster.state.Cmds.delete;
import static io.roster.state.Cmds.deleteCas;
import static io.roster.state.Cmds.deleteTree;
import static io.roster.state.Cmds.get;
import static io.roster.state.Cmds.lock;
import static io.roster.state.Cmds.releaseSession;
import static io.roster.state.Cmds.set;
import static io.roster.state.Cmds.unlock;
import static io.roster.state.Cmds.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.roster.api.KvPair;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every KV write verb at the apply level, and the indexes reads report. */
class StoreKvTest {
    private final Store store = new Store();

    private KvPair entry(String key) {
        return store.kvGet(WatchSet.NONE, key).value();
    }

    private static KvPair pair(long lockIndex, String key, long flags, String value, String session, long create, long modify) {
        return new KvPair(lockIndex, key, flags, utf8(value), session, create, modify);
    }

    private void assertEntry(String key, KvPair expected) {
        assertThat(entry(key)).usingRecursiveComparison().isEqualTo(expected);
    }

    @Nested
    class SetVerb {
        @Test
        void createsWithCreateAndModifyIndexOfTheCommand() {
            assertThat(store.apply(5, set("k", "v", 42))).isEqualTo(ApplyResult.Bool.TRUE);
            assertEntry("k", pair(0, "k", 42, "v", null, 5, 5));
        }

        @Test
        void overwriteKeepsCreateIndexAndReplacesValueAndFlags() {
            store.apply(5, set("k", "v1", 1));
            assertThat(store.apply(8, set("k", "v2", 2))).isEqualTo(ApplyResult.Bool.TRUE);
            assertEntry("k", pair(0, "k", 2, "v2", null, 5, 8));
        }

        @Test
        void overwriteOfALockedKeyKeepsLockIndexAndSession() {
            store.apply(1, releaseSession("s1"));
            store.apply(2, lock("k", "held", "s1"));
            assertThat(store.apply(3, set("k", "plain"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertEntry("k", pair(1, "k", 0, "plain", "s1", 2, 3));
            assertThat(store.keysHeldBy("s1")).containsExactly("k");
        }

        @Test
        void identicalWriteChangesNothingAndWakesNobody() {
            store.apply(5, set("k", "v", 7));
            Watches.Waiter w = store.watches().newWaiter(() -> { });
            store.kvGet(w, "k");
            assertThat(store.apply(9, set("k", "v", 7))).isEqualTo(ApplyResult.Bool.TRUE);
            assertEntry("k", pair(0, "k", 7, "v", null, 5, 5));
            assertThat(store.kvList(WatchSet.NONE, "k").index()).isEqualTo(5);
            assertThat(w.isDone()).isFalse();
            assertThat(store.apply(10, set("k", "v", 8))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(w.isDone()).isTrue();
            assertEntry("k", pair(0, "k", 8, "v", null, 5, 10));
        }

        @Test
        void nullAndEmptyValuesAreStoredAsNull() {
            store.apply(1, set("a", null));
            store.apply(2, new Command.Kv(KvVerb.SET, "b", new byte[0], 0, 0, null));
            assertThat(entry("a").value()).isNull();
            assertThat(entry("b").value()).isNull();
        }
    }

    @Nested
    class CasVerb {
        @Test
        void indexZeroCreatesOnlyWhenAbsent() {
            assertThat(store.apply(3, cas("k", "first", 0))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(store.apply(4, cas("k", "second", 0))).isEqualTo(ApplyResult.Bool.FALSE);
            assertEntry("k", pair(0, "k", 0, "first", null, 3, 3));
            assertThat(store.kvGet(WatchSet.NONE, "missing").index()).as("a refused cas writes nothing").isEqualTo(3);
        }

        @Test
        void matchingModifyIndexWritesStaleIndexDoesNot() {
            store.apply(3, set("k", "a"));
            store.apply(4, set("k", "b"));
            assertThat(store.apply(5, cas("k", "stale", 3))).isEqualTo(ApplyResult.Bool.FALSE);
            assertEntry("k", pair(0, "k", 0, "b", null, 3, 4));
            assertThat(store.apply(6, cas("k", "fresh", 4))).isEqualTo(ApplyResult.Bool.TRUE);
            assertEntry("k", pair(0, "k", 0, "fresh", null, 3, 6));
        }

        @Test
        void nonZeroIndexOnAMissingKeyFails() {
            assertThat(store.apply(3, cas("k", "v", 2))).isEqualTo(ApplyResult.Bool.FALSE);
            assertThat(entry("k")).isNull();
        }
    }

    @Nested
    class Locks {
        @Test
        void lockCreatesAHeldKeyWithLockIndexOne() {
            store.apply(1, releaseSession("s1"));
            assertThat(store.apply(2, lock("k", "me", "s1"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertEntry("k", pair(1, "k", 0, "me", "s1", 2, 2));
            assertThat(store.keysHeldBy("s1")).containsExactly("k");
        }

        @Test
        void lockingAnExistingFreeKeyIncrementsLockIndexAndKeepsCreateIndex() {
            store.apply(1, releaseSession("s1"));
            store.apply(2, set("k", "free"));
            assertThat(store.apply(3, lock("k", "mine", "s1"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertEntry("k", pair(1, "k", 0, "mine", "s1", 2, 3));
        }

        @Test
        void reacquireBySameSessionSucceedsWithoutIncrementingLockIndex() {
            store.apply(1, releaseSession("s1"));
            store.apply(2, lock("k", "v1", "s1"));
            assertThat(store.apply(3, lock("k", "v2", "s1"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertEntry("k", pair(1, "k", 0, "v2", "s1", 2, 3));
        }

        @Test
        void lockHeldByAnotherSessionIsRefusedAndNothingChanges() {
            store.apply(1, releaseSession("s1"));
            store.apply(2, releaseSession("s2"));
            store.apply(3, lock("k", "one", "s1"));
            assertThat(store.apply(4, lock("k", "two", "s2"))).isEqualTo(ApplyResult.Bool.FALSE);
            assertEntry("k", pair(1, "k", 0, "one", "s1", 3, 3));
            assertThat(store.keysHeldBy("s2")).isEmpty();
        }

        @Test
        void unlockByHolderClearsSessionKeepsLockIndexAndBumpsModifyIndex() {
            store.apply(1, releaseSession("s1"));
            store.apply(2, lock("k", "held", "s1"));
            assertThat(store.apply(3, unlock("k", "released", "s1"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertEntry("k", pair(1, "k", 0, "released", null, 2, 3));
            assertThat(store.keysHeldBy("s1")).isEmpty();
        }

        @Test
        void relockAfterUnlockIncrementsLockIndex() {
            store.apply(1, releaseSession("s1"));
            store.apply(2, releaseSession("s2"));
            store.apply(3, lock("k", "a", "s1"));
            store.apply(4, unlock("k", "a", "s1"));
            assertThat(store.apply(5, lock("k", "b", "s2"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertEntry("k", pair(2, "k", 0, "b", "s2", 3, 5));
            store.apply(6, unlock("k", "b", "s2"));
            store.apply(7, lock("k", "c", "s1"));
            assertThat(entry("k").lockIndex()).isEqualTo(3);
        }

        @Test
        void unlockByANonHolderOrOfAFreeOrMissingKeyIsRefused() {
            store.apply(1, releaseSession("s1"));
            store.apply(2, releaseSession("s2"));
            store.apply(3, lock("k", "held", "s1"));
            store.apply(4, set("free", "x"));
            assertThat(store.apply(5, unlock("k", "steal", "s2"))).isEqualTo(ApplyResult.Bool.FALSE);
            assertThat(store.apply(6, unlock("free", "y", "s2"))).isEqualTo(ApplyResult.Bool.FALSE);
            assertThat(store.apply(7, unlock("missing", "y", "s2"))).isEqualTo(ApplyResult.Bool.FALSE);
            assertEntry("k", pair(1, "k", 0, "held", "s1", 3, 3));
            assertEntry("free", pair(0, "free", 0, "x", null, 4, 4));
            assertThat(entry("missing")).isNull();
        }

        @Test
        void unknownSessionIsAnApplyErrorWithoutEffect() {
            store.apply(1, set("other", "x"));
            AtomicInteger woken = new AtomicInteger();
            Watches.Waiter w = store.watches().newWaiter(woken::incrementAndGet);
            store.kvGet(w, "k");
            String before = Snapshots.tables(store);

            Object result = store.apply(2, lock("k", "v", "nope"));

            assertThat(result).isEqualTo(new ApplyError("invalid session \"nope\""));
            assertThat(entry("k")).isNull();
            assertThat(store.kvGet(WatchSet.NONE, "k").index()).isEqualTo(1);
            assertThat(Snapshots.tables(store)).isEqualTo(before);
            assertThat(woken).hasValue(0);
            w.cancel();
        }

        @Test
        void missingSessionIsAnApplyError() {
            assertThat(store.apply(1, lock("k", "v", null))).isEqualTo(new ApplyError("missing session"));
            assertThat(store.apply(2, lock("k", "v", ""))).isEqualTo(new ApplyError("missing session"));
            assertThat(store.apply(3, unlock("k", "v", ""))).isEqualTo(new ApplyError("missing session"));
            assertThat(entry("k")).isNull();
        }

        @Test
        void lockByADestroyedSessionIsInvalid() {
            store.apply(1, releaseSession("s1"));
            store.apply(2, Cmds.destroy("s1"));
            assertThat(store.apply(3, lock("k", "v", "s1"))).isEqualTo(new ApplyError("invalid session \"s1\""));
        }
    }

    @Nested
    class Deletes {
        @Test
        void deleteRemovesAndLeavesATombstoneThatKeepsThePrefixIndex() {
            store.apply(2, set("a/x", "1"));
            store.apply(3, set("a/y", "2"));
            store.apply(4, set("b", "3"));
            assertThat(store.apply(5, delete("a/y"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(entry("a/y")).isNull();
            assertThat(store.kvList(WatchSet.NONE, "a/").index()).isEqualTo(5);
            assertThat(store.kvList(WatchSet.NONE, "a/").value()).extracting(KvPair::key).containsExactly("a/x");
        }

        @Test
        void deleteOfAMissingKeySucceedsWithoutWriting() {
            store.apply(2, set("a", "1"));
            assertThat(store.apply(3, delete("nope"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(store.kvGet(WatchSet.NONE, "nope").index()).isEqualTo(2);
            assertThat(store.kvList(WatchSet.NONE, "").index()).isEqualTo(2);
        }

        @Test
        void deleteOfALockedKeyDropsItFromTheHoldersKeys() {
            store.apply(1, releaseSession("s1"));
            store.apply(2, lock("k", "v", "s1"));
            store.apply(3, delete("k"));
            assertThat(store.keysHeldBy("s1")).isEmpty();
        }

        @Test
        void deleteCasOfAMissingKeySucceeds() {
            assertThat(store.apply(1, deleteCas("nope", 99))).isEqualTo(ApplyResult.Bool.TRUE);
        }

        @Test
        void deleteCasNeedsTheCurrentModifyIndex() {
            store.apply(3, set("k", "v"));
            store.apply(4, set("k", "w"));
            assertThat(store.apply(5, deleteCas("k", 3))).isEqualTo(ApplyResult.Bool.FALSE);
            assertEntry("k", pair(0, "k", 0, "w", null, 3, 4));
            assertThat(store.apply(6, deleteCas("k", 0))).isEqualTo(ApplyResult.Bool.FALSE);
            assertThat(store.apply(7, deleteCas("k", 4))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(entry("k")).isNull();
        }

        @Test
        void deleteTreeRemovesExactlyTheKeysUnderThePrefix() {
            store.apply(1, set("a", "root"));
            store.apply(2, set("a/x", "1"));
            store.apply(3, set("a/y/z", "2"));
            store.apply(4, set("ab", "3"));
            store.apply(5, set("b/x", "4"));
            assertThat(store.apply(6, deleteTree("a/"))).isEqualTo(ApplyResult.Bool.TRUE);
            assertThat(store.kvKeys(WatchSet.NONE, "", null).value()).containsExactly("a", "ab", "b/x");
            assertThat(store.kvList(WatchSet.NONE, "a/").index()).isEqualTo(6);
            assertThat(store.kvList(WatchSet.NONE, "ab").index()).isEqualTo(4);
        }

        @Test
        void deleteTreeOfEmptyPrefixRemovesEverything() {
            store.apply(1, set("a", "1"));
            store.apply(2, set("b/c", "2"));
            store.apply(3, deleteTree(""));
            assertThat(store.kvList(WatchSet.NONE, "").value()).isEmpty();
            assertThat(store.kvList(WatchSet.NONE, "").index()).isEqualTo(3);
        }

        @Test
        void deleteTreeOfNothingWritesNothing() {
            store.apply(1, set("a", "1"));
            store.apply(2, deleteTree("zzz/"));
            assertThat(store.kvGet(WatchSet.NONE, "zzz/x").index()).isEqualTo(1);
        }

        @Test
        void recreatingADeletedKeyStartsOver() {
            store.apply(1, releaseSession("s1"));
            store.apply(2, lock("k", "v", "s1"));
            store.apply(3, delete("k"));
            store.apply(4, set("k", "again"));
            assertEntry("k", pair(0, "k", 0, "again", null, 4, 4));
        }
    }

    @Test
    void readVerbsAreNotSingleWrites() {
        store.apply(1, set("k", "v"));
        assertThat(store.apply(2, get("k"))).isEqualTo(new ApplyError("verb get is not a write"));
        assertThat(store.apply(3, Cmds.checkIndex("k", 1))).isEqualTo(new ApplyError("verb check-index is not a write"));
    }

    @Nested
    class Indexes {
        @Test
        void emptyStoreReportsIndexOneNeverZero() {
            assertThat(store.kvGet(WatchSet.NONE, "k").index()).isEqualTo(1);
            assertThat(store.kvList(WatchSet.NONE, "").index()).isEqualTo(1);
            assertThat(store.kvList(WatchSet.NONE, "a/").index()).isEqualTo(1);
            assertThat(store.kvKeys(WatchSet.NONE, "", "/").index()).isEqualTo(1);
        }

        @Test
        void getOfAnExistingKeyReportsItsModifyIndex() {
            store.apply(3, set("k", "v"));
            store.apply(9, set("other", "v"));
            assertThat(store.kvGet(WatchSet.NONE, "k").index()).isEqualTo(3);
        }

        @Test
        void getOfAMissingKeyReportsTheTableIndexIncludingDeletes() {
            store.apply(3, set("k", "v"));
            store.apply(9, set("other", "v"));
            assertThat(store.kvGet(WatchSet.NONE, "missing").index()).isEqualTo(9);
            store.apply(11, delete("other"));
            assertThat(store.kvGet(WatchSet.NONE, "missing").index()).isEqualTo(11);
        }

        @Test
        void sessionWritesDoNotMoveTheKvIndex() {
            store.apply(3, set("k", "v"));
            store.apply(8, releaseSession("s1"));
            assertThat(store.kvGet(WatchSet.NONE, "missing").index()).isEqualTo(3);
        }

        @Test
        void listReportsTheHighestIndexUnderThePrefixTombstonesIncluded() {
            store.apply(2, set("a/1", "x"));
            store.apply(3, set("a/2", "x"));
            store.apply(4, set("b/1", "x"));
            assertThat(store.kvList(WatchSet.NONE, "a/").index()).isEqualTo(3);
            store.apply(5, delete("a/2"));
            store.apply(6, set("b/2", "x"));
            assertThat(store.kvList(WatchSet.NONE, "a/").index()).isEqualTo(5);
            assertThat(store.kvKeys(WatchSet.NONE, "a/", "/").index()).isEqualTo(5);
            assertThat(store.kvList(WatchSet.NONE, "b/").index()).isEqualTo(6);
            assertThat(store.kvList(WatchSet.NONE, "").index()).isEqualTo(6);
        }

        @Test
        void listOfAnEmptyPrefixReportsTheTableIndex() {
            store.apply(2, set("a/1", "x"));
            store.apply(7, set("b/1", "x"));
            assertThat(store.kvList(WatchSet.NONE, "c/").index()).isEqualTo(7);
            assertThat(store.kvKeys(WatchSet.NONE, "c/", null).index()).isEqualTo(7);
        }

        @Test
        void reapedTombstonesStopCountingButTheWholeListingNeverGoesBackwards() {
            store.apply(2, set("a/1", "x"));
            store.apply(3, set("a/2", "x"));
            store.apply(4, delete("a/2"));
            assertThat(store.kvList(WatchSet.NONE, "a/").index()).isEqualTo(4);
            assertThat(store.apply(5, new Command.TombstoneReap(4))).isEqualTo(new ApplyResult.Count(1));
            assertThat(store.kvList(WatchSet.NONE, "a/").index()).isEqualTo(2);
            assertThat(store.kvList(WatchSet.NONE, "").index()).as("as Consul: the table index").isEqualTo(4);
            assertThat(store.kvKeys(WatchSet.NONE, "", null).index()).isEqualTo(4);
        }

        @Test
        void reapKeepsNewerTombstones() {
            store.apply(2, set("a/1", "x"));
            store.apply(3, set("a/2", "x"));
            store.apply(4, delete("a/1"));
            store.apply(6, delete("a/2"));
            assertThat(store.apply(7, new Command.TombstoneReap(5))).isEqualTo(new ApplyResult.Count(1));
            assertThat(store.kvList(WatchSet.NONE, "a/").index()).isEqualTo(6);
            assertThat(store.kvList(WatchSet.NONE, "a/1").index()).as("falls back to the table index").isEqualTo(6);
        }

        @Test
        void lastIndexFollowsAppliedCommands() {
            assertThat(store.lastIndex()).isZero();
            store.apply(4, set("k", "v"));
            store.apply(9, lock("k", "v", "nope"));
            assertThat(store.lastIndex()).as("a refused command still consumed its log index").isEqualTo(9);
        }
    }

    @Nested
    class Keys {
        @Test
        void separatorFoldsEverythingPastTheFirstSeparatorAfterThePrefix() {
            for (String k : List.of("a/b/c", "a/b/d", "a/e", "a/f/", "a/f/g/h", "ab", "x")) {
                store.apply(1, set(k, "v"));
            }
            assertThat(store.kvKeys(WatchSet.NONE, "a/", "/").value()).containsExactly("a/b/", "a/e", "a/f/");
            assertThat(store.kvKeys(WatchSet.NONE, "", "/").value()).containsExactly("a/", "ab", "x");
            assertThat(store.kvKeys(WatchSet.NONE, "a", "/").value()).containsExactly("a/", "ab");
            assertThat(store.kvKeys(WatchSet.NONE, "a/f/", "/").value()).containsExactly("a/f/", "a/f/g/");
        }

        @Test
        void withoutSeparatorEveryKeyIsListedInOrder() {
            for (String k : List.of("b", "a/b/c", "a/e", "a")) {
                store.apply(1, set(k, "v"));
            }
            assertThat(store.kvKeys(WatchSet.NONE, "", null).value()).containsExactly("a", "a/b/c", "a/e", "b");
            assertThat(store.kvKeys(WatchSet.NONE, "", "").value()).containsExactly("a", "a/b/c", "a/e", "b");
            assertThat(store.kvKeys(WatchSet.NONE, "a/", null).value()).containsExactly("a/b/c", "a/e");
        }

        @Test
        void multiCharacterSeparator() {
            store.apply(1, set("x--y--z", "v"));
            store.apply(2, set("x--w", "v"));
            assertThat(store.kvKeys(WatchSet.NONE, "x--", "--").value()).containsExactly("x--w", "x--y--");
        }

        @Test
        void listIsSortedAndStopsAtThePrefixBoundary() {
            for (String k : List.of("a/2", "a/1", "a", "a0", "a/\uffffz", "b")) {
                store.apply(1, set(k, "v"));
            }
            assertThat(store.kvList(WatchSet.NONE, "a/").value()).extracting(KvPair::key)
                    .containsExactly("a/1", "a/2", "a/\uffffz");
            assertThat(store.kvList(WatchSet.NONE, "a/\uffff").value()).extracting(KvPair::key)
                    .containsExactly("a/\uffffz");
        }

        @Test
        void deleteTreeReachesKeysThatContinueWithTheHighestChar() {
            store.apply(1, set("a/\uffff\uffffz", "v"));
            store.apply(2, set("a/\uffff", "v"));
            store.apply(3, set("b", "v"));
            store.apply(4, deleteTree("a/\uffff"));
            assertThat(store.kvKeys(WatchSet.NONE, "", null).value()).containsExactly("b");
        }
    }
}
