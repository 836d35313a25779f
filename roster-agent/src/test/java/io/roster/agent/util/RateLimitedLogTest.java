package io.roster.agent.util;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/** The first failure is logged, then one line per interval with the count of suppressed repeats; time is a fake clock. */
class RateLimitedLogTest {
    private final Logger logger = (Logger) LoggerFactory.getLogger("rate-limited-test");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final AtomicLong now = new AtomicLong(1_000);

    @BeforeEach
    void attach() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(lines);
    }

    @Test
    void firstThenOnePerIntervalWithACount() {
        RateLimitedLog log = new RateLimitedLog(logger, Level.WARN, Duration.ofSeconds(30), now::get);
        assertThat(log.log("join {} failed: {}", "a", "refused")).isTrue();
        for (int i = 0; i < 10_000; i++) {
            now.addAndGet(1_000_000); // 1 ms apart: 10 s in all
            log.log("join {} failed: {}", "a", "refused");
        }
        assertThat(lines.list).hasSize(1);
        assertThat(lines.list.get(0).getFormattedMessage()).isEqualTo("join a failed: refused");
        assertThat(lines.list.get(0).getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
        now.addAndGet(Duration.ofSeconds(21).toNanos());
        assertThat(log.log("join {} failed: {}", "a", "refused")).isTrue();
        assertThat(lines.list).hasSize(2);
        assertThat(lines.list.get(1).getFormattedMessage())
                .isEqualTo("join a failed: refused (10000 similar messages suppressed in the last 31s)");
        assertThat(log.lines()).isEqualTo(2);
    }

    @Test
    void recoveryIsLoggedOnceAndResets() {
        RateLimitedLog log = new RateLimitedLog(logger, Level.WARN, Duration.ofSeconds(30), now::get);
        log.recovered("fine again");
        assertThat(lines.list).isEmpty(); // nothing had failed
        log.log("down");
        log.log("down");
        log.recovered("fine again");
        log.recovered("fine again");
        assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("down", "fine again (after 1 more failures)");
        assertThat(log.log("down")).isTrue(); // a new streak logs at once
    }
}
