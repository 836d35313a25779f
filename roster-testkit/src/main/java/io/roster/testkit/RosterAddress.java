package io.roster.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code String} parameter that {@link RosterExtension} fills with the agent's HTTP address
 * as {@code host:port} (the form of {@code CONSUL_HTTP_ADDR}). A marker is needed because a plain
 * {@code String} parameter may belong to another resolver, such as a parameterized test's arguments.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RosterAddress {
}
