package dev.minnow.cli.report;

import dev.minnow.errors.InvalidInputException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.schema.JsonSchema;

/**
 * Reads a report.json back into the map {@link ReportHtml} draws. JSON is YAML 1.2, so
 * snakeyaml-engine with its JSON schema reads it (numbers become Integer, Long, BigInteger or
 * Double; the report only needs Number).
 */
public final class ReportJson {
    private ReportJson() {
    }

    public static Map<String, Object> read(Path json) {
        String text;
        try {
            text = Files.readString(json, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("no such report file: " + json + " (minnow compress writes "
                    + "DIR/report.json)");
        } catch (IOException e) {
            throw new InvalidInputException("cannot read " + json + ": " + e.getMessage(), e);
        }
        Object parsed;
        try {
            LoadSettings settings = LoadSettings.builder().setSchema(new JsonSchema()).setLabel(json.toString())
                    .setCodePointLimit(Integer.MAX_VALUE).build();
            parsed = new Load(settings).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new InvalidInputException("report file " + json + " is not valid JSON: " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new InvalidInputException("report file " + json + " must hold one JSON object ({...}), found "
                    + (parsed == null ? "nothing" : parsed.getClass().getSimpleName()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
