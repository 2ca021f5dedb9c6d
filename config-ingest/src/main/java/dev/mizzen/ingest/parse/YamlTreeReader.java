package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.DumperOptions.ScalarStyle;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Reads one YAML document into a JSON tree as Kubernetes' reader (go-yaml, under sigs.k8s.io/yaml)
 * reads it, where Jackson's YAML reader alone does not: an alias stands for a copy of the node its
 * anchor names, merge keys ({@code <<: *base}) add the keys of the mappings they name that the
 * mapping does not set itself (of two merged mappings, the earlier wins), and a key written twice
 * in one mapping is refused rather than the last one winning. Scalars are typed by Jackson's
 * reader.
 *
 * <p>What a document can expand to is bounded, so that a few lines of aliases (the "billion
 * laughs") cannot make a control plane build a huge tree: at most {@link #MAX_NODES} nodes once
 * aliases and merge keys are expanded, nested at most {@link #MAX_DEPTH} deep. Aliases are kept as
 * shared references while the document is read, and each one is counted (its target walked, up to
 * what is left of the bound) before it is taken, so a document over the bound is refused having
 * built no more than its own text; only a document within the bound is copied out into a plain
 * tree.
 */
final class YamlTreeReader {
  /**
   * The most nodes (scalars, keys, mappings and sequences) a document may hold once its aliases and
   * merge keys are expanded. Plain text within {@link ManifestParser#MAX_DOCUMENT_BYTES} reaches
   * this only when written as densely as YAML allows ({@code [a,a,a,...]}), so aliases can never
   * make a document larger than its text could have made it. A tree this large takes 50 to 100 MB
   * of heap.
   */
  static final int MAX_NODES = 1_000_000;

  /** How deep mappings and sequences may nest, with aliases expanded: Jackson's own bound. */
  static final int MAX_DEPTH = 1000;

  private static final String MERGE_TAG = "tag:yaml.org,2002:merge";
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private final AnchoringYamlParser parser;
  private final Deque<Open> open = new ArrayDeque<>();
  private JsonNode root;
  private long nodes;
  private boolean shared;

  private YamlTreeReader(AnchoringYamlParser parser) {
    this.parser = parser;
  }

  /** Why a document was refused after it was read as YAML: where, which field and what is wrong. */
  static final class Refusal extends Exception {
    private final int line;
    private final String field;
    private final transient JsonNode readSoFar;

    Refusal(int line, String field, String reason, JsonNode readSoFar) {
      super(reason, null, false, false);
      this.line = line;
      this.field = field;
      this.readSoFar = readSoFar;
    }

    /** The line in the document, from 1. */
    int line() {
      return line;
    }

    /** The path of the field at fault, such as "spec.http[0]"; empty for the document itself. */
    String field() {
      return field;
    }

    String reason() {
      return getMessage();
    }

    /** What was read before the refusal (its kind and name, when they came first); may be null. */
    JsonNode readSoFar() {
      return readSoFar;
    }
  }

  /**
   * Reads the first document of {@code text}; null when it holds none.
   *
   * @throws Refusal when the document is valid YAML that is refused
   * @throws IOException when it is not valid YAML (a {@link
   *     com.fasterxml.jackson.core.JsonProcessingException})
   */
  static JsonNode read(String text) throws IOException, Refusal {
    try (AnchoringYamlParser parser = AnchoringYamlParser.of(text)) {
      if (parser.nextToken() == null) {
        return null;
      }
      YamlTreeReader reader = new YamlTreeReader(parser);
      reader.readDocument();
      // Aliases and merges left references shared across the tree; a plain tree is what every
      // reader of it expects, and it is now known to be within the bounds.
      return reader.shared ? reader.root.deepCopy() : reader.root;
    }
  }

  /**
   * A mapping or sequence being read: kept on a stack, so that deep nesting costs no thread stack.
   */
  private static final class Open {
    final ContainerNode<?> node;
    final String anchor;
    final Object definition;

    /** A sequence a merge key names: its items are the mappings to merge. */
    final boolean mergeList;

    /** A mapping's merged mappings, in order. */
    final List<JsonNode> merged = new ArrayList<>();

    /** A mapping's key whose value is being read. */
    String key;

    /** Whether that key is a merge key; what its value counted is then given back. */
    boolean merging;

    long nodesBeforeMerge;
    int mergeLine;

    /** A sequence's items so far. */
    int items;

    Open(ContainerNode<?> node, String anchor, Object definition, boolean mergeList) {
      this.node = node;
      this.anchor = anchor;
      this.definition = definition;
      this.mergeList = mergeList;
    }
  }

  private void readDocument() throws IOException, Refusal {
    JsonToken token = parser.currentToken();
    while (token != null) {
      Open parent = open.peek();
      if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
        begin(token, parent);
      } else if (parser.isCurrentAlias()) {
        place(alias(parent), parent);
      } else {
        count(1);
        place(scalar(token), parent);
      }
      token = advance();
    }
  }

  private void begin(JsonToken token, Open parent) throws Refusal {
    if (open.size() + 1 > MAX_DEPTH) {
      throw refusal("nested deeper than " + MAX_DEPTH + " levels");
    }
    count(1);
    String anchor = ((CollectionStartEvent) parser.lastEvent()).getAnchor();
    Object definition = anchor == null ? null : parser.anchors.get(anchor);
    boolean mergeList =
        token == JsonToken.START_ARRAY
            && parent != null
            && parent.node.isObject()
            && parent.merging;
    ContainerNode<?> node =
        token == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
    // In place at once, so that what was read is there if a refusal comes.
    if (!mergeList) {
      place(node, parent);
    }
    open.push(new Open(node, anchor, definition, mergeList));
  }

  /** Puts {@code value} where {@code parent} reads its next value; at the top when null. */
  private void place(JsonNode value, Open parent) throws Refusal {
    if (parent == null) {
      root = value;
    } else if (isMergeSource(parent)) {
      if (!value.isObject()) {
        throw refusal("the merge key << takes a mapping, an alias of one, or a sequence of them");
      }
      if (parent.mergeList) {
        ((ArrayNode) parent.node).add(value);
      } else {
        parent.merged.add(value);
      }
    } else if (parent.node instanceof ObjectNode object) {
      object.set(parent.key, value);
    } else {
      ((ArrayNode) parent.node).add(value);
    }
  }

  /** Whether what is read next in {@code parent} is a mapping to merge, not a value of the tree. */
  private static boolean isMergeSource(Open parent) {
    return parent != null && (parent.mergeList || parent.merging);
  }

  /**
   * Reads on to the next value, finishing the mappings and sequences that end on the way; null at
   * the end of the document.
   */
  private JsonToken advance() throws IOException, Refusal {
    while (!open.isEmpty()) {
      Open top = open.peek();
      if (top.node instanceof ObjectNode object) {
        if (top.merging) {
          // The mappings a merge key names are not part of the tree: their keys count when merged.
          nodes = top.nodesBeforeMerge;
          top.merging = false;
        }
        top.key = null;
        if (parser.nextToken() == JsonToken.FIELD_NAME) {
          top.key = parser.currentName();
          if (isMergeKey(parser.lastEvent())) {
            top.merging = true;
            top.nodesBeforeMerge = nodes;
            top.mergeLine = line();
          } else if (object.has(top.key)) {
            throw refusal("duplicate key \"" + top.key + "\"");
          } else {
            count(1);
          }
          return next();
        }
        merge(object, top);
      } else if (next() != JsonToken.END_ARRAY) {
        top.items++;
        return parser.currentToken();
      }
      open.pop();
      if (top.anchor != null && parser.anchors.get(top.anchor) == top.definition) {
        // Unless the anchor was defined again inside, aliases from here on mean this node.
        parser.anchors.put(top.anchor, top.node);
      }
      if (top.mergeList) {
        top.node.forEach(open.peek().merged::add);
      }
    }
    return null;
  }

  /**
   * Adds what the mapping's merge keys name and it does not set itself; of two merged mappings, the
   * earlier wins.
   */
  private void merge(ObjectNode object, Open top) throws Refusal {
    for (JsonNode source : top.merged) {
      for (Map.Entry<String, JsonNode> e : source.properties()) {
        if (!object.has(e.getKey())) {
          count(1);
          take(e.getValue(), open.size(), top.mergeLine);
          object.set(e.getKey(), e.getValue());
        }
      }
    }
  }

  /** The next token, inside a mapping or sequence, which SnakeYAML always ends or fails. */
  private JsonToken next() throws IOException {
    JsonToken token = parser.nextToken();
    if (token == null) {
      throw new JsonParseException(parser, "the document ends inside a mapping or sequence");
    }
    return token;
  }

  /** The node an alias names, counted as if it were written out here. */
  private JsonNode alias(Open parent) throws IOException, Refusal {
    JsonNode target = target(parser.getText());
    if (!isMergeSource(parent)) {
      take(target, open.size(), line());
    }
    return target;
  }

  private JsonNode target(String anchor) throws Refusal {
    Object target = parser.anchors.get(anchor);
    if (target == null) {
      throw refusal("unknown alias *" + anchor + ": no anchor &" + anchor + " comes before it");
    }
    if (!(target instanceof JsonNode node)) {
      throw refusal("the alias *" + anchor + " is inside the node it names");
    }
    return node;
  }

  /**
   * Counts {@code node}, written out at {@code depth}, against the bounds, walking it no further
   * than what is left of them, and takes it shared.
   */
  private void take(JsonNode node, int depth, int line) throws Refusal {
    long left = MAX_NODES - nodes;
    long size = 1;
    Deque<Iterator<JsonNode>> walking = new ArrayDeque<>();
    JsonNode next = node;
    while (true) {
      if (next != null && next.isContainerNode()) {
        if (depth + walking.size() + 1 > MAX_DEPTH) {
          throw refusal(
              line, "nested deeper than " + MAX_DEPTH + " levels once aliases are expanded");
        }
        size += next.isObject() ? next.size() : 0;
        walking.push(next.values());
      }
      if (size > left) {
        throw refusal(line, tooMany());
      }
      next = null;
      while (!walking.isEmpty() && !walking.peek().hasNext()) {
        walking.pop();
      }
      if (walking.isEmpty()) {
        break;
      }
      next = walking.peek().next();
      size++;
    }
    nodes += size;
    shared = true;
  }

  private void count(int n) throws Refusal {
    nodes += n;
    if (nodes > MAX_NODES) {
      throw refusal(tooMany());
    }
  }

  private static String tooMany() {
    return "over "
        + MAX_NODES
        + " YAML nodes once aliases and merge keys are expanded; at most "
        + MAX_NODES
        + " are read in one document";
  }

  /** As Jackson's tree reader makes the node, with its default settings. */
  private JsonNode scalar(JsonToken token) throws IOException {
    return switch (token) {
      case VALUE_STRING -> NODES.textNode(parser.getText());
      case VALUE_NUMBER_INT ->
          switch (parser.getNumberType()) {
            case INT -> NODES.numberNode(parser.getIntValue());
            case LONG -> NODES.numberNode(parser.getLongValue());
            default -> NODES.numberNode(parser.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT -> NODES.numberNode(parser.getDoubleValue());
      case VALUE_TRUE -> NODES.booleanNode(true);
      case VALUE_FALSE -> NODES.booleanNode(false);
      case VALUE_EMBEDDED_OBJECT -> embedded(parser.getEmbeddedObject());
      default -> NODES.nullNode();
    };
  }

  private static JsonNode embedded(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof byte[] bytes) {
      return NODES.binaryNode(bytes);
    }
    return value instanceof JsonNode node ? node : NODES.pojoNode(value);
  }

  /** A plain {@code <<} key (or one tagged {@code !!merge}); a quoted one is an ordinary key. */
  private static boolean isMergeKey(Event key) {
    if (!(key instanceof ScalarEvent scalar) || !scalar.getValue().equals("<<")) {
      return false;
    }
    return MERGE_TAG.equals(scalar.getTag())
        || (scalar.getTag() == null && scalar.getScalarStyle() == ScalarStyle.PLAIN);
  }

  private int line() {
    return parser.currentTokenLocation().getLineNr();
  }

  private Refusal refusal(String reason) {
    return refusal(line(), reason);
  }

  private Refusal refusal(int line, String reason) {
    StringBuilder field = new StringBuilder();
    for (Iterator<Open> outer = open.descendingIterator(); outer.hasNext(); ) {
      Open o = outer.next();
      if (o.node.isObject() && o.key != null) {
        field.append(field.length() == 0 ? "" : ".").append(o.key);
      } else if (o.node.isArray() && o.items > 0) {
        field.append('[').append(o.items - 1).append(']');
      }
    }
    return new Refusal(line, field.toString(), reason, root);
  }
}
