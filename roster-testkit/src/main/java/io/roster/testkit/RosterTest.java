package io.roster.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs the annotated test class against a fresh Roster in this JVM: one dev agent (or a cluster of
 * {@link #servers()} Raft servers) started before the first test and stopped after the last.
 * Test methods, lifecycle methods and constructors receive it as parameters: a
 * {@link io.roster.api.RosterClient}, the HTTP address as a {@link java.net.URI}
 * ({@code http://127.0.0.1:port}) or as a {@code @RosterAddress String} ({@code 127.0.0.1:port}),
 * the {@link io.roster.agent.Agent}, or the {@link RosterExtension} itself.
 *
 * <pre>{@code
 * @RosterTest
 * class CatalogTest {
 *     @Test
 *     void registers(RosterClient roster) { ... }
 * }
 * }</pre>
 *
 * <p>For settings beyond these attributes, register {@link RosterExtension} as a static field instead.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(RosterExtension.class)
public @interface RosterTest {
    /** 0 (the default) for one dev agent (in memory, no Raft); 1 or more for a cluster of real Raft servers. */
    int servers() default 0;

    /** After each test, delete every KV entry, session and registration the test left (see {@link RosterExtension#reset()}). */
    boolean resetAfterEach() default false;

    /** Whether the agents answer DNS (on a free port, UDP and TCP). */
    boolean dns() default true;

    /** The node name of the dev agent; servers of a cluster are named {@code <nodeName>-0}, {@code -1}, ... */
    String nodeName() default RosterExtension.DEFAULT_NODE;
}
