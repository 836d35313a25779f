package io.roster.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RaftMetaGuard} on files laid out as Ratis lays them out ({@code <raft>/<group>/current/raft-meta},
 * rewritten by a rename). The full-disk fault itself, with real servers on a real tmpfs, is roster-it's
 * {@code DiskFullRestartTest}.
 */
class RaftMetaGuardTest {
    @TempDir
    Path raft;

    private Path meta() throws IOException {
        Path current = raft.resolve("0b2e1c3a-0000-0000-0000-000000000001").resolve("current");
        Files.createDirectories(current);
        return current.resolve("raft-meta");
    }

    /** As Ratis writes it: a temporary file renamed over the old one (a new inode). */
    private static void ratisWrite(Path meta, String content) throws IOException {
        Path tmp = meta.resolveSibling("raft-meta.tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, meta, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    @Test
    void anEmptiedRaftMetaIsRestoredFromTheLastCompleteOne() throws IOException {
        Path meta = meta();
        ratisWrite(meta, "#\nterm=3\nvotedFor=s1\n");
        try (RaftMetaGuard g = RaftMetaGuard.keep(raft)) {
            g.poll();
            ratisWrite(meta, "#\nterm=4\nvotedFor=s2\n");
            g.poll();
            // the write of term 5 failed on a full disk and was renamed over raft-meta anyway
            ratisWrite(meta, "");
            g.poll();
        }
        assertThat(RaftMetaGuard.parse(meta)).isEmpty();
        assertThat(RaftMetaGuard.recover(raft)).hasSize(1);
        assertThat(RaftMetaGuard.parse(meta)).contains("term 4, votedFor 's2'");
        // the restored file is a link to the kept inode: Ratis' next rename must not change the copy
        ratisWrite(meta, "#\nterm=6\nvotedFor=\n");
        assertThat(RaftMetaGuard.parse(meta.getParent().getParent().resolve(RaftMetaGuard.KEPT))).contains("term 4, votedFor 's2'");
    }

    @Test
    void aTruncatedRaftMetaIsNotKept() throws IOException {
        Path meta = meta();
        ratisWrite(meta, "#\nterm=7\nvotedFor=s3\n");
        try (RaftMetaGuard g = RaftMetaGuard.keep(raft)) {
            ratisWrite(meta, "#\nterm=8\n");
            g.poll();
        }
        RaftMetaGuard.recover(raft);
        assertThat(RaftMetaGuard.parse(meta)).contains("term 7, votedFor 's3'");
    }

    @Test
    void aGoodRaftMetaIsLeftAlone() throws IOException {
        Path meta = meta();
        ratisWrite(meta, "#\nterm=2\nvotedFor=\n");
        assertThat(RaftMetaGuard.recover(raft)).isEmpty();
        assertThat(Files.readString(meta)).isEqualTo("#\nterm=2\nvotedFor=\n");
    }

    @Test
    void aDamagedRaftMetaWithoutACopyStopsTheStartWithOneLine() throws IOException {
        Path meta = meta();
        Files.writeString(meta, "");
        assertThatThrownBy(() -> RaftMetaGuard.recover(raft)).isInstanceOf(IOException.class)
                .hasMessageContaining("is damaged").hasMessageContaining("remove this server's data directory")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }
}
