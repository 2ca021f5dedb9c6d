package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.ConfigError;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads Kubernetes manifests: YAML (or JSON) text holding any number of documents separated by
 * "---", each an object or a List of objects. Every document is read on its own, so a syntax error,
 * a document over {@link #MAX_DOCUMENT_BYTES} or bytes that are not UTF-8 cost only the document
 * they are in. Documents are read as Kubernetes reads them (see {@link YamlTreeReader}): aliases
 * and merge keys expanded, within bounds, and a key written twice in a mapping refused.
 */
public final class ManifestParser {
  /**
   * The largest document read, in bytes. SnakeYAML's scanner takes time quadratic in the length of
   * a single token: a scalar, or a run of spaces, of 1 MiB takes about 0.2 s to scan, of 2 MiB
   * about 0.8 s, of 4 MiB about 3 s. This keeps the worst document to about a second, and still
   * holds any object the API server can store (etcd refuses requests over 1.5 MiB) written as YAML.
   */
  public static final int MAX_DOCUMENT_BYTES = 2 * 1024 * 1024;

  private static final Pattern SEPARATOR = Pattern.compile("^---(\\s.*)?$");

  private final ObjectTranslator translator = new ObjectTranslator();

  /**
   * @param file the file name used in errors
   * @param text the file's content
   */
  public List<ParseResult> parse(String file, String text) {
    return parse(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * @param file the file name used in errors
   * @param content the file's content, UTF-8
   */
  public List<ParseResult> parse(String file, byte[] content) {
    List<ParseResult> results = new ArrayList<>();
    int docStart = 0;
    int docLine = 1;
    int line = 1;
    int start = 0;
    while (true) {
      int end = indexOf(content, (byte) '\n', start);
      if (isSeparator(content, start, end)) {
        document(file, docLine, content, docStart, start, false, results);
        docStart = Math.min(end + 1, content.length);
        docLine = line + 1;
      }
      if (end == content.length) {
        break;
      }
      start = end + 1;
      line++;
    }
    document(file, docLine, content, docStart, content.length, true, results);
    return results;
  }

  /** The document in {@code content[from, to)}, which starts on {@code firstLine}. */
  private void document(
      String file,
      int firstLine,
      byte[] content,
      int from,
      int to,
      boolean last,
      List<ParseResult> out) {
    if (to - from > MAX_DOCUMENT_BYTES) {
      out.add(
          refused(
              file + ":" + firstLine,
              "the document is "
                  + (to - from)
                  + " bytes, over the limit of "
                  + MAX_DOCUMENT_BYTES));
      return;
    }
    CharBuffer chars = CharBuffer.allocate(to - from);
    ByteBuffer bytes = ByteBuffer.wrap(content, from, to - from);
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    CoderResult result = utf8.decode(bytes, chars, true);
    if (!result.isError()) {
      result = utf8.flush(chars);
    }
    if (result.isError()) {
      int bad = bytes.position();
      int line = firstLine;
      int lineStart = from;
      for (int i = from; i < bad; i++) {
        if (content[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      out.add(
          refused(
              file + ":" + line,
              String.format(
                  Locale.ROOT,
                  "not UTF-8 text: invalid byte 0x%02X in column %d",
                  content[bad] & 0xff,
                  bad - lineStart + 1)));
      return;
    }
    // Line ends are read as "\n" alone, and every line ends with one, as always.
    String text = chars.flip().toString().replace("\r\n", "\n");
    parseDocument(file, firstLine, last ? text + "\n" : text, out);
  }

  private void parseDocument(String file, int firstLine, String text, List<ParseResult> out) {
    if (text.isBlank()) {
      return;
    }
    JsonNode tree;
    try {
      tree = YamlTreeReader.read(text);
    } catch (YamlTreeReader.Refusal r) {
      JsonNode object = r.readSoFar();
      out.add(
          ParseResult.refused(
              new ConfigError(
                  file + ":" + (firstLine + r.line() - 1),
                  text(object, "kind"),
                  text(object == null ? null : object.path("metadata"), "namespace"),
                  text(object == null ? null : object.path("metadata"), "name"),
                  r.field(),
                  r.reason())));
      return;
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      int line = at == null ? firstLine : firstLine + at.getLineNr() - 1;
      out.add(
          refused(file + ":" + line, "YAML syntax error: " + firstLine(e.getOriginalMessage())));
      return;
    } catch (IOException e) {
      // Reading a string, nothing but the parser can fail; should it, the document alone is lost.
      out.add(refused(file + ":" + firstLine, "the document could not be read: " + e));
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

  private static ParseResult refused(String origin, String reason) {
    return ParseResult.refused(new ConfigError(origin, "", "", "", "", reason));
  }

  /** A string field of a partly read object, or empty. */
  private static String text(JsonNode object, String field) {
    JsonNode value = object == null ? null : object.get(field);
    return value != null && value.isTextual() ? value.asText() : "";
  }

  /** Whether {@code content[start, end)}, a line without its "\n", separates documents. */
  private static boolean isSeparator(byte[] content, int start, int end) {
    if (end - start < 3
        || content[start] != '-'
        || content[start + 1] != '-'
        || content[start + 2] != '-') {
      return false;
    }
    if (end < content.length && content[end - 1] == '\r') {
      end--;
    }
    return SEPARATOR
        .matcher(new String(content, start, end - start, StandardCharsets.UTF_8))
        .matches();
  }

  private static int indexOf(byte[] content, byte b, int from) {
    for (int i = from; i < content.length; i++) {
      if (content[i] == b) {
        return i;
      }
    }
    return content.length;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
