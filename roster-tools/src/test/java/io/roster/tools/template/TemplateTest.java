package io.roster.tools.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateTest {
    private static String run(String src, Object data) {
        Funcs f = Funcs.builtins().fixed("upper", 1, a -> ((String) a.get(0)).toUpperCase());
        return Template.parse("t", src, f, null, null).execute(data);
    }

    @Test
    void textFieldsAndPipelines() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("Name", "web");
        d.put("Port", 80L);
        d.put("Tags", List.of("a", "b"));
        assertThat(run("hello {{.Name}}:{{.Port}}", d)).isEqualTo("hello web:80");
        assertThat(run("{{.Name | upper}}", d)).isEqualTo("WEB");
        assertThat(run("{{upper .Name | printf \"%s-%d\" | printf \"[%s]\"}}", Map.of("Name", "x"))).isEqualTo("[X-%!d(MISSING)]");
        assertThat(run("{{printf \"%s-%d\" .Name .Port}}", d)).isEqualTo("web-80");
        assertThat(run("{{.Tags}} {{len .Tags}} {{index .Tags 1}}", d)).isEqualTo("[a b] 2 b");
        assertThat(run("{{(index .Tags 0) | upper}}", d)).isEqualTo("A");
        assertThat(run("{{.Missing}}", Map.of("A", 1L))).isEqualTo("<no value>");
        assertThat(run("{{.Missing}}", Map.of("A", "x"))).isEqualTo("");
    }

    @Test
    void controlStructuresAndVariables() {
        Map<String, Object> d = Map.of("L", List.of("x", "y", "z"), "M", Map.of("b", 2L, "a", 1L), "N", 0L);
        assertThat(run("{{range $i, $e := .L}}{{$i}}={{$e}};{{end}}", d)).isEqualTo("0=x;1=y;2=z;");
        assertThat(run("{{range $k, $v := .M}}{{$k}}{{$v}}{{end}}", d)).isEqualTo("a1b2");
        assertThat(run("{{range .Nope}}x{{else}}empty{{end}}", Map.of("Nope", List.of()))).isEqualTo("empty");
        assertThat(run("{{if .N}}yes{{else if eq .N 0}}zero{{else}}no{{end}}", d)).isEqualTo("zero");
        assertThat(run("{{with .M}}{{.a}}{{end}}{{with .N}}no{{else}}none{{end}}", d)).isEqualTo("1none");
        assertThat(run("{{$x := 1}}{{if true}}{{$x = 2}}{{end}}{{$x}}", d)).isEqualTo("2");
        assertThat(run("{{range .L}}{{if eq . \"y\"}}{{break}}{{end}}{{.}}{{end}}", d)).isEqualTo("x");
        assertThat(run("{{range .L}}{{if eq . \"y\"}}{{continue}}{{end}}{{.}}{{end}}", d)).isEqualTo("xz");
        assertThat(run("{{range .L}}{{$.N}}{{end}}", d)).isEqualTo("000");
        assertThat(run("{{and 1 0}} {{or 0 \"\" \"z\"}} {{not true}}", d)).isEqualTo("0 z false");
        assertThat(run("{{range 3}}{{.}}{{end}}", d)).isEqualTo("012");
        assertThat(run("{{define \"x\"}}<{{.}}>{{end}}{{template \"x\" \"hi\"}}", d)).isEqualTo("<hi>");
    }

    @Test
    void trimmingCommentsAndLiterals() {
        assertThat(run("a  {{- \"b\" -}}  \n c", null)).isEqualTo("abc");
        assertThat(run("a{{/* a comment */}}b {{- /* trimmed */ -}} c", null)).isEqualTo("abc");
        assertThat(run("{{`raw\\n`}}|{{\"esc\\t\"}}|{{0x10}}|{{1.5}}|{{-3}}|{{'a'}}|{{1e3}}", null)).isEqualTo("raw\\n|esc\t|16|1.5|-3|97|1000");
        assertThat(run("{{ 3 | printf \"%d\" }}", null)).isEqualTo("3");
        assertThat(Template.parse("t", "[[ .A ]]{{.A}}", Funcs.builtins(), "[[", "]]").execute(Map.of("A", "v"))).isEqualTo("v{{.A}}");
    }

    @Test
    void goDocumentedExamples() {
        // Examples from Go's text/template documentation, with the output it documents.
        assertThat(run("{{\"output\"}}", null)).isEqualTo("output");
        assertThat(run("{{`\"output\"`}}", null)).isEqualTo("\"output\"");
        assertThat(run("{{printf \"%q\" \"output\"}}", null)).isEqualTo("\"output\"");
        assertThat(run("{{\"output\" | printf \"%q\"}}", null)).isEqualTo("\"output\"");
        assertThat(run("{{printf \"%q\" (print \"out\" \"put\")}}", null)).isEqualTo("\"output\"");
        assertThat(run("{{\"put\" | printf \"%s%s\" \"out\" | printf \"%q\"}}", null)).isEqualTo("\"output\"");
        assertThat(run("{{with \"output\"}}{{printf \"%q\" .}}{{end}}", null)).isEqualTo("\"output\"");
        assertThat(run("{{with $x := \"output\" | printf \"%q\"}}{{$x}}{{end}}", null)).isEqualTo("\"output\"");
        assertThat(run("{{with $x := \"output\"}}{{printf \"%q\" $x}}{{end}}", null)).isEqualTo("\"output\"");
        assertThat(run("{{with $x := \"output\"}}{{$x | printf \"%q\"}}{{end}}", null)).isEqualTo("\"output\"");
        assertThat(run("{{23 -}} < {{- 45}}", null)).isEqualTo("23<45");
    }

    @Test
    void moreGoSemantics() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("M", Map.of("k", "v"));
        d.put("L", List.of(1L, 2L, 3L));
        d.put("S", "hello");
        assertThat(run("{{index .M \"k\"}} {{len .M}} {{len .S}} {{slice .S 1 3}} {{slice .L 1}}", d)).isEqualTo("v 1 5 el [2 3]");
        assertThat(run("{{printf \"%5.2f|%-4d|%x|%v|%t\" 3.14159 7 255 .L true}}", d)).isEqualTo(" 3.14|7   |ff|[1 2 3]|true");
        assertThat(run("{{with .Nope}}x{{else with .S}}{{.}}{{end}}", d)).isEqualTo("hello");
        assertThat(run("{{if and .S (eq (len .L) 3)}}yes{{end}} {{lt 1 2}} {{ge 2.5 2.5}} {{ne \"a\" \"b\"}}", d)).isEqualTo("yes true true true");
        assertThat(run("{{block \"b\" .S}}[{{.}}]{{end}}", d)).isEqualTo("[hello]");
        assertThat(run("{{range $i, $v := .L}}{{if $i}},{{end}}{{$v}}{{end}}", d)).isEqualTo("1,2,3");
        assertThat(run("{{/* only a comment */}}", d)).isEmpty();
        assertThat(run("{{print 1 2 \"a\" \"b\" 3}} {{println \"x\"}}", d)).isEqualTo("1 2ab3 x\n");
        assertThat(run("{{1.0}} {{2.50}} {{1e21}} {{0.00001}}", d)).isEqualTo("1 2.5 1e+21 1e-05");
    }

    @Test
    void errorsCarryLineAndColumn() {
        assertThatThrownBy(() -> run("line1\n  {{ nosuch }}", null))
                .hasMessage("template: t:2:6: function \"nosuch\" not defined");
        assertThatThrownBy(() -> run("{{if true}}x", null)).hasMessageStartingWith("template: t:1:13: unexpected EOF");
        assertThatThrownBy(() -> run("a\n{{end}}", null)).hasMessage("template: t:2:3: unexpected {{end}}");
        assertThatThrownBy(() -> run("{{ .A \"}}", null)).hasMessageContaining("template: t:1:7: unterminated quoted string");
        assertThatThrownBy(() -> run("{{$y}}", null)).hasMessage("template: t:1:3: undefined variable \"$y\"");
        assertThatThrownBy(() -> run("{{(1}}", null)).hasMessageStartingWith("template: t:1:");
        assertThatThrownBy(() -> run("\n{{index .L 5}}", Map.of("L", List.of())))
                .hasMessage("template: t:2:3: executing \"t\" at <index .L 5>: error calling index: index out of range: 5");
        assertThatThrownBy(() -> run("{{.A.B}}", Map.of("A", "s"))).hasMessageContaining("can't evaluate field B in type string");
    }
}
