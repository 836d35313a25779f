package io.roster.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Go's {@code time.ParseDuration} and {@code Duration.String()}, which Consul uses on the wire. */
class DurationsTest {

    static Stream<Arguments> goDurations() {
        return Stream.of(
                Arguments.of("15s", Duration.ofSeconds(15)),
                Arguments.of("15.0s", Duration.ofSeconds(15)),
                Arguments.of("120000ms", Duration.ofMinutes(2)),
                Arguments.of("1m30s", Duration.ofSeconds(90)),
                Arguments.of("0.001s", Duration.ofMillis(1)),
                Arguments.of("1h", Duration.ofHours(1)),
                Arguments.of("0", Duration.ZERO),
                Arguments.of("-0", Duration.ZERO),
                Arguments.of("0s", Duration.ZERO),
                Arguments.of("500us", Duration.ofNanos(500_000)),
                Arguments.of("500\u00b5s", Duration.ofNanos(500_000)),  // micro sign, as Go prints it
                Arguments.of("500\u03bcs", Duration.ofNanos(500_000)),  // Greek mu, which Go also accepts
                Arguments.of("-1s", Duration.ofSeconds(-1)),
                Arguments.of("+2s", Duration.ofSeconds(2)),
                Arguments.of("1.5h", Duration.ofMinutes(90)),
                Arguments.of(".5s", Duration.ofMillis(500)),
                Arguments.of("1.s", Duration.ofSeconds(1)),
                Arguments.of("2h45m10.5s", Duration.ofHours(2).plusMinutes(45).plusMillis(10_500)),
                Arguments.of("10ns", Duration.ofNanos(10)),
                Arguments.of("1s1ms1us1ns", Duration.ofNanos(1_001_001_001L)),
                Arguments.of("-1m30s", Duration.ofSeconds(-90)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goDurations")
    void parsesGoSyntax(String text, Duration expected) {
        assertThat(Durations.parse(text)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\"")
    @ValueSource(strings = {"", "-", "+", "10", "abc", "1x", "1.2.3s", ".s", "s", "1s2", "1 s", " 1s", "1S",
        "\u0661s" /* Arabic-Indic one: Go accepts ASCII digits only */})
    void rejectsWhatGoRejects(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duration \"" + text + "\"");
    }

    @Test
    void errorMessagesSayWhatIsWrong() {
        // Go's own texts (time.ParseDuration), which Consul passes on to clients.
        assertThatThrownBy(() -> Durations.parse(null)).hasMessage("time: invalid duration \"\"");
        assertThatThrownBy(() -> Durations.parse("")).hasMessage("time: invalid duration \"\"");
        assertThatThrownBy(() -> Durations.parse("10")).hasMessage("time: missing unit in duration \"10\"");
        assertThatThrownBy(() -> Durations.parse("1x")).hasMessage("time: unknown unit \"x\" in duration \"1x\"");
        assertThatThrownBy(() -> Durations.parse("abc")).hasMessage("time: invalid duration \"abc\"");
        assertThatThrownBy(() -> Durations.parse("1.2.3s")).hasMessage("time: missing unit in duration \"1.2.3s\"");
    }

    @Test
    void rejectsOverflow() {
        assertThat(Durations.parse("9223372036854775807ns")).isEqualTo(Duration.ofNanos(Long.MAX_VALUE));
        assertThatThrownBy(() -> Durations.parse("9223372036854775808ns")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Durations.parse("3000000h")).isInstanceOf(IllegalArgumentException.class);
    }

    static Stream<Arguments> goStrings() {
        return Stream.of(
                Arguments.of(Duration.ofSeconds(10), "10s"),
                Arguments.of(Duration.ofSeconds(90), "1m30s"),
                Arguments.of(Duration.ofHours(24), "24h0m0s"),
                Arguments.of(Duration.ofMillis(1).plusNanos(500_000), "1.5ms"),
                Arguments.of(Duration.ZERO, "0s"),
                Arguments.of(Duration.ofNanos(1), "1ns"),
                Arguments.of(Duration.ofNanos(1_500), "1.5\u00b5s"),
                Arguments.of(Duration.ofMillis(1500), "1.5s"),
                Arguments.of(Duration.ofMinutes(1), "1m0s"),
                Arguments.of(Duration.ofHours(1).plusMillis(500), "1h0m0.5s"),
                Arguments.of(Duration.ofSeconds(61).plusNanos(1), "1m1.000000001s"),
                Arguments.of(Duration.ofSeconds(-1), "-1s"),
                Arguments.of(Duration.ofMillis(-15), "-15ms"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("goStrings")
    void formatsLikeGo(Duration d, String expected) {
        assertThat(Durations.format(d)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("goStrings")
    void formatThenParseIsIdentity(Duration d, String text) {
        assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
    }
}
