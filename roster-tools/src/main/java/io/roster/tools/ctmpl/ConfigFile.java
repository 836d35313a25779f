package io.roster.tools.ctmpl;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import io.roster.api.Durations;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * consul-template's HCL configuration file: {@code consul { address token retry { attempts backoff
 * max_backoff } }}, {@code wait { min max }} or {@code wait = "5s:10s"}, {@code exec { command
 * reload_signal kill_signal kill_timeout }}, and any number of {@code template { source destination
 * contents command command_timeout perms backup wait left_delimiter right_delimiter }} blocks.
 */
public record ConfigFile(String address, String token, Integer retryAttempts, Duration retryBackoff, Duration retryMaxBackoff,
                         Runner.Wait quiet, Runner.Exec exec, List<Runner.Spec> templates) {

    /** Reads a file; the message of the exception names the file and what is wrong. */
    public static ConfigFile read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        Map<String, Object> raw;
        try {
            raw = new HCLParser().parse(text, false);
        } catch (Exception e) {
            throw new IllegalArgumentException(file + ": cannot parse HCL: " + View.oneLine(e));
        }
        try {
            return from(raw);
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage());
        }
    }

    static ConfigFile from(Map<String, Object> raw) {
        String address = null;
        String token = null;
        Integer attempts = null;
        Duration backoff = null;
        Duration maxBackoff = null;
        for (Map<String, Object> c : blocks(raw.get("consul"))) {
            address = str(c.get("address"), address);
            token = str(c.get("token"), token);
            for (Map<String, Object> r : blocks(c.get("retry"))) {
                if (Boolean.FALSE.equals(r.get("enabled"))) {
                    attempts = -1;
                }
                if (r.get("attempts") instanceof Number n) {
                    attempts = n.intValue();
                }
                backoff = dur(r.get("backoff"), backoff);
                maxBackoff = dur(r.get("max_backoff"), maxBackoff);
            }
        }
        Runner.Wait wait = waitOf(raw.get("wait"));
        Runner.Exec exec = null;
        for (Map<String, Object> e : blocks(raw.get("exec"))) {
            Object cmd = e.get("command");
            List<String> command = cmd instanceof List<?> l ? l.stream().map(String::valueOf).toList()
                    : cmd == null ? List.of() : List.of(String.valueOf(cmd));
            if (command.isEmpty()) {
                throw new IllegalArgumentException("exec: command is required");
            }
            exec = new Runner.Exec(command, str(e.get("reload_signal"), null), str(e.get("kill_signal"), null),
                    dur(e.get("kill_timeout"), null));
        }
        List<Runner.Spec> templates = new ArrayList<>();
        for (Map<String, Object> t : blocks(raw.get("template"))) {
            String source = str(t.get("source"), null);
            String contents = str(t.get("contents"), null);
            String dest = str(t.get("destination"), null);
            if (source == null && contents == null) {
                throw new IllegalArgumentException("template: one of source or contents is required");
            }
            if (dest == null) {
                throw new IllegalArgumentException("template: destination is required");
            }
            Object cmd = t.get("command");
            String command = cmd instanceof List<?> l ? String.join(" ", l.stream().map(String::valueOf).toList()) : str(cmd, null);
            templates.add(new Runner.Spec(source, contents, dest, command, dur(t.get("command_timeout"), null),
                    perms(t.get("perms")), Boolean.TRUE.equals(t.get("backup")), waitOf(t.get("wait")),
                    str(t.get("left_delimiter"), null), str(t.get("right_delimiter"), null)));
        }
        return new ConfigFile(address, token, attempts, backoff, maxBackoff, wait, exec, templates);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> blocks(Object o) {
        if (o == null) {
            return List.of();
        }
        if (o instanceof Map<?, ?> m) {
            return List.of((Map<String, Object>) m);
        }
        if (o instanceof List<?> l) {
            List<Map<String, Object>> out = new ArrayList<>();
            for (Object x : l) {
                out.addAll(blocks(x));
            }
            return out;
        }
        throw new IllegalArgumentException("expected a block, got " + o);
    }

    private static Runner.Wait waitOf(Object o) {
        if (o == null) {
            return null;
        }
        if (o instanceof String s) {
            return Runner.Wait.parse(s);
        }
        for (Map<String, Object> w : blocks(o)) {
            Duration min = dur(w.get("min"), null);
            if (min == null) {
                throw new IllegalArgumentException("wait: min is required");
            }
            Duration max = dur(w.get("max"), min.multipliedBy(4));
            return new Runner.Wait(min, max);
        }
        return null;
    }

    /** {@code perms = "0640"} or {@code perms = 0640} (which HCL reads as the number 640: its digits are the octal mode). */
    static Integer perms(Object o) {
        if (o == null) {
            return null;
        }
        String s = o instanceof Number n ? Long.toString(n.longValue()) : String.valueOf(o).strip();
        if (!s.matches("0?[0-7]{1,4}")) {
            throw new IllegalArgumentException("perms: not an octal mode: " + o);
        }
        return Integer.parseInt(s, 8);
    }

    private static String str(Object o, String dflt) {
        return o == null ? dflt : String.valueOf(o);
    }

    private static Duration dur(Object o, Duration dflt) {
        if (o == null) {
            return dflt;
        }
        if (o instanceof Number n) {
            return Duration.ofNanos(n.longValue());
        }
        return Durations.parse(String.valueOf(o));
    }
}
