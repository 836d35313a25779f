package io.roster.tools.template;

import java.util.List;

/** The parse tree of a template, as Go's {@code text/template/parse} shapes it. Every node knows where it starts. */
sealed interface Node {
    int line();

    int col();

    /** {@code {{end}}} or {@code {{else}}}: where a list ends (the parser's, never in a finished tree). */
    record End(String keyword, int line, int col) implements Node { }

    /** Literal text. */
    record Text(String text, int line, int col) implements Node { }

    /** A sequence of nodes. */
    record ListNode(List<Node> nodes, int line, int col) implements Node { }

    /** {@code {{pipeline}}}: prints the pipeline's value unless it declares variables. */
    record Action(Pipe pipe, int line, int col) implements Node { }

    /** {@code if}, {@code with} and {@code range}: a pipeline, a body and an optional else body ({@code else if} nests). */
    record Branch(String keyword, Pipe pipe, ListNode body, ListNode elseBody, int line, int col) implements Node { }

    /** {@code {{template "name" pipeline}}}. */
    record TemplateCall(String name, Pipe pipe, int line, int col) implements Node { }

    /** {@code {{break}}} and {@code {{continue}}} inside a range. */
    record LoopControl(boolean isBreak, int line, int col) implements Node { }

    /** {@code $x := cmd | cmd ...} or {@code $x = ...}; {@code vars} is empty for a plain pipeline. */
    record Pipe(List<String> vars, boolean assign, List<Command> cmds, String source, int line, int col) implements Node { }

    /** One stage of a pipeline: an operand and its arguments. */
    record Command(List<Node> args, int line, int col) implements Node { }

    /** A function name. */
    record Ident(String name, int line, int col) implements Node { }

    /** {@code .a.b} on dot. */
    record Field(List<String> names, int line, int col) implements Node { }

    /** {@code $x.a.b}. */
    record Variable(String name, List<String> fields, int line, int col) implements Node { }

    /** {@code .} */
    record Dot(int line, int col) implements Node { }

    /** {@code (pipeline).a.b}. */
    record Chain(Node operand, List<String> fields, int line, int col) implements Node { }

    /** {@code (pipeline)}. */
    record Paren(Pipe pipe, int line, int col) implements Node { }

    /** A constant: String, Long, Double, Boolean, Character as Long, or null for {@code nil}. */
    record Literal(Object value, boolean isNil, int line, int col) implements Node { }
}
