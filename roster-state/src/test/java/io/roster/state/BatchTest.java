package io.roster.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.roster.api.KvPair;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several commands in one log entry: one index, each its own result, no half-seen state. */
class BatchTest {

    @Test
    void eachCommandOfABatchHasItsOwnResultAndTheEntrysIndex() {
        Store s = new Store();
        s.apply(3, Cmds.set("a", "0"));
        ApplyResult result = s.apply(7, new Command.Batch(List.of(
                Cmds.set("a", "1"),
                Cmds.cas("b", "x", 0),
                Cmds.cas("b", "y", 0),          // b exists by now: this CAS loses
                Cmds.lock("c", "v", "no-such-session"),
                Cmds.set("d", "4"))));
        assertThat(result).isInstanceOf(ApplyResult.Batch.class);
        List<ApplyResult> results = ((ApplyResult.Batch) result).results();
        assertThat(results).hasSize(5);
        assertThat(results.get(0)).isEqualTo(ApplyResult.Bool.TRUE);
        assertThat(results.get(1)).isEqualTo(ApplyResult.Bool.TRUE);
        assertThat(results.get(2)).isEqualTo(ApplyResult.Bool.FALSE);
        assertThat(results.get(3)).isInstanceOf(ApplyError.class);
        assertThat(results.get(4)).isEqualTo(ApplyResult.Bool.TRUE);
        // The rejected lock left nothing behind, and the commands after it applied.
        assertThat(s.kvGet(WatchSet.NONE, "c").value()).isNull();
        KvPair a = s.kvGet(WatchSet.NONE, "a").value();
        KvPair d = s.kvGet(WatchSet.NONE, "d").value();
        assertThat(a.modifyIndex()).isEqualTo(7);
        assertThat(d.modifyIndex()).isEqualTo(7);
        assertThat(a.createIndex()).isEqualTo(3);
        assertThat(s.kvGet(WatchSet.NONE, "b").value().valueAsString()).isEqualTo("x");
        assertThat(s.lastIndex()).isEqualTo(7);
    }

    @Test
    void aWatcherOfAnyKeyInTheBatchIsWoken() {
        Store s = new Store();
        java.util.concurrent.atomic.AtomicBoolean woken = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicBoolean other = new java.util.concurrent.atomic.AtomicBoolean();
        s.kvGet(s.watches().newWaiter(() -> woken.set(true)), "z");
        s.kvGet(s.watches().newWaiter(() -> other.set(true)), "unrelated");
        s.apply(5, new Command.Batch(List.of(Cmds.set("y", "1"), Cmds.set("z", "2"))));
        assertThat(woken).isTrue();
        assertThat(other).isFalse();
    }

    @Test
    void aTransactionInsideABatchStaysAtomic() {
        Store s = new Store();
        ApplyResult result = s.apply(9, new Command.Batch(List.of(
                new Command.Txn(List.of(Cmds.set("t/1", "1"), Cmds.checkIndex("t/missing", 42))),
                Cmds.set("t/2", "2"))));
        List<ApplyResult> results = ((ApplyResult.Batch) result).results();
        assertThat(results.get(0)).isInstanceOf(TxnOutcome.class);
        assertThat(((TxnOutcome) results.get(0)).errors()).isNotEmpty();
        assertThat(s.kvGet(WatchSet.NONE, "t/1").value()).isNull();
        assertThat(s.kvGet(WatchSet.NONE, "t/2").value()).isNotNull();
    }

    @Test
    void aBatchCannotCarryABatchOrARestore() {
        Store s = new Store();
        // A batch of batches cannot even be built (the rule lives in Command.Batch), nor encoded from bytes.
        assertThatThrownBy(() -> new Command.Batch(List.of(new Command.Batch(List.of(Cmds.set("n", "1"))))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("a batch cannot contain a batch");
        assertThatThrownBy(() -> CommandCodec.batchOf(List.of(CommandCodec.encode(new Command.Batch(List.of())))))
                .isInstanceOf(IllegalArgumentException.class);
        // A restore in a batch is rejected on its own; the others apply.
        List<ApplyResult> results = ((ApplyResult.Batch) s.apply(4, new Command.Batch(List.of(
                new Command.Restore("{}".getBytes(StandardCharsets.UTF_8)),
                Cmds.set("ok", "1"))))).results();
        assertThat(results.get(0)).isInstanceOf(ApplyError.class);
        assertThat(((ApplyError) results.get(0)).message()).isEqualTo("a batch cannot carry a RESTORE command");
        assertThat(results.get(1)).isEqualTo(ApplyResult.Bool.TRUE);
        assertThat(s.kvGet(WatchSet.NONE, "ok").value()).isNotNull();
    }

    @Test
    void aBatchEncodesAsItsCommandsOwnEncodings() {
        byte[] one = CommandCodec.encode(Cmds.set("k", "v"));
        byte[] two = CommandCodec.encode(new Command.TombstoneReap(5));
        byte[] batch = CommandCodec.encode(new Command.Batch(List.of(Cmds.set("k", "v"), new Command.TombstoneReap(5))));
        assertThat(CommandCodec.batchOf(List.of(one, two))).isEqualTo(batch);
        assertThat(batch[0]).isEqualTo((byte) 9);
        assertThat(Arrays.copyOfRange(batch, 1, 5)).isEqualTo(new byte[] {0, 0, 0, 2});
        assertThat(Arrays.copyOfRange(batch, 5, 9)).isEqualTo(new byte[] {0, 0, 0, (byte) one.length});
        assertThat(Arrays.copyOfRange(batch, 9, 9 + one.length)).isEqualTo(one);
    }

    @Test
    void aCorruptBatchIsRefusedWithAClearMessage() {
        byte[] batch = CommandCodec.encode(new Command.Batch(List.of(Cmds.set("k", "v"), Cmds.set("l", "w"))));
        assertThatThrownBy(() -> CommandCodec.decode(Arrays.copyOf(batch, batch.length - 3)))
                .hasMessageContaining("corrupt BATCH command");
        byte[] huge = batch.clone();
        huge[1] = 0x7f;
        assertThatThrownBy(() -> CommandCodec.decode(huge)).hasMessageContaining("corrupt BATCH command");
    }

    @Test
    void anIgnorableCommandUnknownToThisServerIsLeftOutOfTheBatch() {
        byte[] unknown = {(byte) 200, '{', '}'};
        Command c = CommandCodec.decode(CommandCodec.batchOf(List.of(unknown, CommandCodec.encode(Cmds.set("k", "v")))));
        assertThat(c).isInstanceOf(Command.Batch.class);
        assertThat(((Command.Batch) c).commands()).hasSize(1);
    }
}
