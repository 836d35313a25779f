/**
 * Go's {@code text/template} in Java: {@link io.roster.tools.template.Lexer} (delimiters, trim markers,
 * comments, literals), {@link io.roster.tools.template.Parser} (recursive descent into
 * {@link io.roster.tools.template.Node}s), and {@link io.roster.tools.template.Template}, which executes
 * the tree over plain Java values with the {@link io.roster.tools.template.Funcs} it was parsed with.
 *
 * <p>No Java implementation of Go templates is maintained on Maven Central, so this one follows Go's
 * grammar and error texts ({@code template: NAME:LINE:COL: ...}). It knows nothing of Consul: the
 * consul-template functions live in {@code io.roster.tools.ctmpl}. It does no I/O.
 */
package io.roster.tools.template;
