/**
 * Configuration loading: Consul's agent configuration files (JSON and HCL) and directories,
 * merged in order, then the command-line flags on top, into an {@link io.roster.agent.AgentConfig}
 * and the services and checks to register.
 *
 * <p>Theory of operation. {@link io.roster.agent.config.ConfigLoader#load} expands each
 * {@code -config-file}/{@code -config-dir} path (a directory contributes its {@code *.json} and
 * {@code *.hcl} files in lexical order), reads every file into a map ({@code ConfigFile}, with
 * {@code Hcl} checking HCL text and building its tree in one pass), and decodes it against {@code Schema}
 * (agent settings) and {@code Definitions} (services and checks). Each file is checked on its own,
 * so an error names the file and the line or field. Settings then merge in order: later scalars
 * win, maps merge key by key, lists append. The merged settings go onto an
 * {@link io.roster.agent.AgentConfig.Builder}, the flags go on top, and {@code build()} checks the
 * combination.
 *
 * <p>Loading has no side effects and keeps no state: a reload ({@code /v1/agent/reload})
 * calls {@code load} again with the same paths and flags, and a file broken since throws, leaving
 * the caller's current configuration in place.
 *
 * <p>With {@code -config-format} every file is read as that format, whatever its name. Address
 * settings are resolved by {@code build()} through {@code io.roster.agent.net} (templates evaluated
 * there, the wildcard's advertise address detected when the agent first asks for it).
 *
 * <p>TLS keys ({@code tls { ... }} and the older top-level names) are resolved into
 * {@code io.roster.agent.tls.TlsSettings}; after {@code build()} every TLS file named is read once
 * ({@code TlsSettings.check}), so a bad certificate stops the start with one line naming the file.
 *
 * <p>{@link io.roster.agent.config.Logging} applies {@code log_level} and, for {@code -log-file},
 * adds a {@code RotatingFileAppender} (Consul's file naming and rotation by size, age and count).
 *
 * <p>This package owns no listeners and registers nothing; the agent applies what it returns.
 */
package io.roster.agent.config;
