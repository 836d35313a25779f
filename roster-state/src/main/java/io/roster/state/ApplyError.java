package io.roster.state;

/**
 * A command that apply rejected deterministically (every server rejects it the same way, state is
 * unchanged). The message is what the client sees, e.g. {@code invalid session "..."}.
 */
public record ApplyError(String message) implements ApplyResult {
}
