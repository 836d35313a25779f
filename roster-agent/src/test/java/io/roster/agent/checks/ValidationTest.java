package io.roster.agent.checks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** start() refuses what Consul refuses, in one line and (mostly) Consul's words; nothing starts. */
class ValidationTest extends ChecksTest {

    static Stream<Arguments> invalid() {
        return Stream.of(
                bad("no kind at all", Def.none(), "TTL must be > 0 for TTL checks"),
                bad("HTTP without interval", Def.http("http://x/").interval(null),
                        "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"),
                bad("TCP with zero interval", Def.tcp("x:1").interval("0s"),
                        "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"),
                bad("UDP with negative interval", Def.udp("x:1").interval("-10s"),
                        "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"),
                bad("gRPC without interval", Def.grpc("x:1").interval(null),
                        "Interval must be > 0 for Script, HTTP, H2PING, TCP, UDP or OSService checks"),
                bad("two kinds", Def.http("http://x/").with(d -> d.tcp = "x:1"),
                        "A check may have only one of HTTP, TCP, UDP, TTL, Args, GRPC or AliasService/AliasNode; "
                                + "this one has HTTP and TCP"),
                bad("interval and TTL", Def.ttl("10s").interval("10s"), "Interval and TTL cannot both be specified"),
                bad("alias with an interval kind", Def.tcp("x:1").with(d -> d.aliasService = "web"),
                        "Interval cannot be set for Alias checks"),
                bad("alias with TTL", Def.aliasService(null, "web").with(d -> d.ttl = "10s"),
                        "TTL must be not be set for Alias checks"),
                bad("zero TTL", Def.ttl("0s"), "TTL must be > 0 for TTL checks"),
                bad("bad interval", Def.tcp("x:1").interval("10"), "Invalid Interval: time: missing unit in duration \"10\""),
                bad("bad timeout", Def.tcp("x:1").timeout("soon"), "Invalid Timeout: time: invalid duration \"soon\""),
                bad("bad TTL", Def.ttl("10x"), "Invalid TTL: time: unknown unit \"x\" in duration \"10x\""),
                bad("bad deregister", Def.ttl("10s").with(d -> d.deregister = "1 m"),
                        "Invalid DeregisterCriticalServiceAfter: time: unknown unit \" m\" in duration \"1 m\""),
                bad("warning after critical", Def.tcp("x:1").thresholds(0, 3, 2),
                        "FailuresBeforeWarning can't be higher than FailuresBeforeCritical"),
                bad("bad initial status", Def.ttl("10s").with(d -> d.status = "fine"), "Bad check status"));
    }

    private static Arguments bad(String name, Def def, String message) {
        return Arguments.of(name, def, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void refused(String name, Def def, String message) {
        assertThatThrownBy(() -> runners.start("c", def.build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
        assertThat(runners.running()).isEmpty();
    }

    @Test
    void aCheckIdIsNeeded() {
        assertThatThrownBy(() -> runners.start("", Def.ttl("1s").build())).hasMessage("CheckID missing");
    }

    @Test
    void validDefinitionsStartAndReplaceEachOther() {
        Consumer<Def> start = d -> assertThatCode(() -> runners.start("c", d.build())).doesNotThrowAnyException();
        start.accept(Def.ttl("30s").with(d -> d.status = "passing"));
        start.accept(Def.tcp("127.0.0.1:1").interval("1.5s").timeout("250ms").thresholds(1, 0, 2));
        start.accept(Def.http("http://127.0.0.1:1/").interval("1m").with(d -> d.deregister = "90m"));
        assertThat(runners.running()).containsExactly("c");
        runners.stop("c");
        assertThat(runners.running()).isEmpty();
    }

    @Test
    void statusNamesAreConsuls() {
        assertThat(CheckStatus.isValid("passing")).isTrue();
        assertThat(CheckStatus.isValid("warning")).isTrue();
        assertThat(CheckStatus.isValid("critical")).isTrue();
        assertThat(CheckStatus.isValid("maintenance")).isFalse();
        assertThat(CheckStatus.isValid(null)).isFalse();
    }
}
