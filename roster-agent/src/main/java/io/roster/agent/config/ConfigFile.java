package io.roster.agent.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reads one {@code .json} or {@code .hcl} file into a map; syntax errors name the file and the line. */
final class ConfigFile {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private ConfigFile() {
    }

    static boolean isConfigFile(Path p) {
        String n = p.getFileName() == null ? "" : p.getFileName().toString();
        return n.endsWith(".json") || n.endsWith(".hcl");
    }

    static Map<String, Object> read(Path file) {
        return read(file, null);
    }

    /** @param format {@code "json"} or {@code "hcl"} to read the file as that format whatever its name; null: by name */
    static Map<String, Object> read(Path file, String format) {
        String text = text(file);
        if (text.isBlank()) {
            return new LinkedHashMap<>();
        }
        if ("json".equals(format)) {
            return json(file, text);
        }
        if ("hcl".equals(format)) {
            return text.stripLeading().startsWith("{") ? json(file, text) : Hcl.parse(file, text);
        }
        // Consul's HCL reader also takes JSON, and tells it by the opening brace.
        if (file.getFileName().toString().endsWith(".json") || text.stripLeading().startsWith("{")) {
            return json(file, text);
        }
        return Hcl.parse(file, text);
    }

    private static String text(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, "no such file");
        } catch (IOException e) {
            throw new ConfigException(file, "cannot read: " + e.getMessage());
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new ConfigException(file, "not valid UTF-8");
        }
        return text.startsWith("\uFEFF") ? text.substring(1) : text;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(Path file, String text) {
        Object v;
        try {
            v = JSON.readValue(text, Object.class);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at != null && at.getLineNr() > 0 ? "line " + at.getLineNr() + ": " : "";
            throw new ConfigException(file, where + "invalid JSON: " + reason(e.getOriginalMessage()));
        }
        if (!(v instanceof Map)) {
            throw new ConfigException(file, "line 1: the configuration must be a JSON object ({...}), not "
                    + Decoder.describe(v));
        }
        return (Map<String, Object>) v;
    }

    /** Jackson's message without its source excerpts, which may span lines and show file content. */
    private static String reason(String message) {
        String m = message == null ? "" : message;
        if (m.startsWith("Trailing token")) {
            return "more content after the closing '}'";
        }
        m = m.replaceAll("\\s*\\(start marker at \\[Source.*?\\]\\)", "");
        m = m.replaceAll("\\s*at \\[Source.*", "");
        int nl = m.indexOf('\n');
        return (nl >= 0 ? m.substring(0, nl) : m).strip();
    }
}
