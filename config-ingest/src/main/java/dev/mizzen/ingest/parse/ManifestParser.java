package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mizzen.ingest.model.ConfigError;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads Kubernetes manifests: YAML (or JSON) text holding any number of documents separated by
 * "---", each an object or a List of objects. Every document is read on its own, so a syntax error
 * costs only the document it is in.
 */
public final class ManifestParser {
  private static final Pattern SEPARATOR = Pattern.compile("^---(\\s.*)?$");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final ObjectTranslator translator = new ObjectTranslator();

  /**
   * @param file the file name used in errors
   * @param text the file's content
   */
  public List<ParseResult> parse(String file, String text) {
    List<ParseResult> results = new ArrayList<>();
    String[] lines = text.split("\r?\n", -1);
    StringBuilder doc = new StringBuilder();
    int docStart = 1;
    for (int i = 0; i < lines.length; i++) {
      if (SEPARATOR.matcher(lines[i]).matches()) {
        parseDocument(file, docStart, doc.toString(), results);
        doc.setLength(0);
        docStart = i + 2;
      } else {
        doc.append(lines[i]).append('\n');
      }
    }
    parseDocument(file, docStart, doc.toString(), results);
    return results;
  }

  private void parseDocument(String file, int firstLine, String text, List<ParseResult> out) {
    if (text.isBlank()) {
      return;
    }
    JsonNode tree;
    try {
      tree = YAML.readTree(text);
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      int line = at == null ? firstLine : firstLine + at.getLineNr() - 1;
      out.add(
          ParseResult.refused(
              new ConfigError(
                  file + ":" + line,
                  "",
                  "",
                  "",
                  "",
                  "YAML syntax error: " + firstLine(e.getOriginalMessage()))));
      return;
    }
    if (tree == null || tree.isNull() || tree.isMissingNode()) {
      return;
    }
    String origin = file + ":" + firstLine;
    if (tree.isObject() && tree.path("kind").asText("").endsWith("List") && tree.has("items")) {
      JsonNode items = tree.get("items");
      if (!items.isArray()) {
        out.add(
            ParseResult.refused(
                new ConfigError(
                    origin,
                    tree.path("kind").asText(),
                    "",
                    "",
                    "items",
                    "wrong type: expected list")));
        return;
      }
      for (JsonNode item : items) {
        out.add(translator.translate(origin, item));
      }
      return;
    }
    out.add(translator.translate(origin, tree));
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
