package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Script checks ({@code Args}), run through /bin/sh: exit codes, output, timeout, and the off switch. */
@DisabledOnOs(OS.WINDOWS)
class ScriptCheckTest extends ChecksTest {

    @Override
    CheckRunners.Options options() {
        return new CheckRunners.Options(true, 4096, null);
    }

    @ParameterizedTest(name = "exit {0} -> {1}")
    @CsvSource({"0, passing", "1, warning", "2, critical", "127, critical"})
    void exitCodeDecidesTheStatus(int exit, String status) {
        runners.start("mem", Def.script("/bin/sh", "-c", "echo out; echo err >&2; exit " + exit).build());
        awaitStatus("mem", status);
        assertThat(sink.output("mem")).isEqualTo("out\nerr\n");
    }

    @Test
    void scriptsAreRefusedWhenDisabled() {
        CheckRunners off = runners(CheckRunners.Options.defaults());
        try {
            assertThatThrownBy(() -> off.start("mem", Def.script("/bin/true").build()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("Scripts are disabled on this agent; to enable, configure 'enable_script_checks' "
                            + "or 'enable_local_script_checks' to true");
            assertThat(off.running()).isEmpty();
        } finally {
            off.close();
        }
    }

    @Test
    void aScriptOverItsTimeoutIsKilledAndCritical() {
        runners.start("slow", Def.script("/bin/sh", "-c", "echo started; exec sleep 600")
                .timeout("300ms").build());
        awaitStatus("slow", CheckStatus.CRITICAL);
        assertThat(sink.output("slow")).isEqualTo("Timed out (300ms) running check\n\nstarted\n");
        runners.stop("slow"); // also kills a run in flight
        await().atMost(AWAIT).until(() -> ProcessHandle.current().descendants()
                .noneMatch(p -> p.info().command().orElse("").endsWith("sleep")));
    }

    @Test
    void outputKeepsItsLastBytesWithConsulsMarker() {
        runners.close();
        runners = runners(new CheckRunners.Options(true, 16, null));
        runners.start("big", Def.script("/bin/sh", "-c", "printf '%0100d' 7").build());
        awaitStatus("big", CheckStatus.PASSING);
        assertThat(sink.output("big")).isEqualTo("Captured 16 of 100 bytes\n...\n0000000000000007");
    }

    @Test
    void aMissingProgramIsCritical() {
        runners.start("gone", Def.script("/nonexistent/check").build());
        awaitStatus("gone", CheckStatus.CRITICAL);
        assertThat(sink.output("gone")).contains("/nonexistent/check");
    }
}
