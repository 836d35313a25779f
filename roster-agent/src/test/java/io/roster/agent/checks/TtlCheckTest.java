package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** TTL checks: set by pass/warn/fail/update, critical with "TTL expired" when not renewed in time. */
class TtlCheckTest extends ChecksTest {

    @Test
    void updatesSetStatusAndOutput() {
        runners.start("app", Def.ttl("1h").build());
        assertThat(runners.ttlUpdate("app", CheckStatus.PASSING, "all good")).isTrue();
        assertThat(sink.last("app")).isEqualTo(new Recorder.Update("passing", "all good"));
        assertThat(runners.ttlUpdate("app", CheckStatus.WARNING, "slow")).isTrue();
        assertThat(runners.ttlUpdate("app", CheckStatus.CRITICAL, "down")).isTrue();
        assertThat(runners.ttlUpdate("app", CheckStatus.CRITICAL, "down")).isTrue();
        assertThat(runners.ttlUpdate("app", CheckStatus.PASSING, null)).isTrue();
        assertThat(sink.all("app")).containsExactly(
                new Recorder.Update("passing", "all good"),
                new Recorder.Update("warning", "slow"),
                new Recorder.Update("critical", "down"),
                new Recorder.Update("passing", ""));
    }

    @Test
    void onlyRunningTtlChecksCanBeUpdated() throws Exception {
        try (TcpListener listener = new TcpListener()) {
            runners.start("tcp", Def.tcp(listener.address()).build());
            assertThat(runners.ttlUpdate("tcp", CheckStatus.PASSING, "")).isFalse();
            assertThat(runners.ttlUpdate("nope", CheckStatus.PASSING, "")).isFalse();
            runners.start("app", Def.ttl("1h").build());
            runners.stop("app");
            assertThat(runners.ttlUpdate("app", CheckStatus.PASSING, "")).isFalse();
            assertThat(sink.all("app")).isEmpty();
        }
    }

    @Test
    void aBadStatusIsRefused() {
        runners.start("app", Def.ttl("1h").build());
        assertThatThrownBy(() -> runners.ttlUpdate("app", "bogus", ""))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("Invalid check status: 'bogus'");
        assertThatThrownBy(() -> runners.ttlUpdate("app", CheckStatus.MAINTENANCE, ""))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void expiresWhenNotUpdatedAndAgainAfterARenewal() {
        runners.start("app", Def.ttl("200ms").build());
        awaitStatus("app", CheckStatus.CRITICAL);
        assertThat(sink.output("app")).isEqualTo("TTL expired");

        runners.ttlUpdate("app", CheckStatus.PASSING, "I am alive");
        assertThat(sink.status("app")).isEqualTo(CheckStatus.PASSING);
        awaitStatus("app", CheckStatus.CRITICAL);
        assertThat(sink.output("app")).isEqualTo("TTL expired (last output before timeout follows): I am alive");
        assertThat(sink.statuses("app")).containsExactly("critical", "passing", "critical");
    }

    @Test
    void longOutputIsCutWithConsulsMarker() {
        runners.close();
        runners = runners(new CheckRunners.Options(false, 10, null));
        runners.start("app", Def.ttl("1h").build());
        runners.ttlUpdate("app", CheckStatus.PASSING, "0123456789abcdefghijklmnop");
        assertThat(sink.output("app")).isEqualTo("0123456789 ... (captured 10 of 26 bytes)");
    }

    @Test
    void truncationKeepsWholeCharacters() {
        assertThat(TtlRunner.truncate("aé", 2)).isEqualTo("a ... (captured 2 of 3 bytes)");
        assertThat(TtlRunner.truncate("short", 10)).isEqualTo("short");
    }
}
