package dev.mizzen.pilot.cmd;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * Makes a manifest document wrong in one of the ways people and programs get manifests wrong: a
 * field dropped, a value of the wrong type, numbers out of range, overlong names and labels,
 * invalid UTF-8, a duplicate key, anchors and aliases (a billion laughs among them), regular
 * expressions that explode, deep nesting, enum typos, empty list items, and very large documents.
 * Every choice comes from the {@link Random} given, so a seed reproduces a run.
 */
final class ManifestMutator {
  /** One mutated document. */
  record Mutation(String kind, String where, byte[] document) {
    @Override
    public String toString() {
      return kind + " at " + where;
    }
  }

  private static final Pattern SCALAR_LINE =
      Pattern.compile(
          "^( *(?:- )?)([A-Za-z][\\w.-]*): ([^{\\[&*|>#\\s][^#\\n]*)$", Pattern.MULTILINE);

  private static final List<Object> NUMBERS =
      List.of(
          -1,
          0,
          2147483648L,
          Long.MAX_VALUE,
          -9_999_999_999L,
          1e308,
          1.5,
          "99999999999999999999999",
          "-0.000001");

  private static final List<String> REGEXES =
      List.of(
          "(a+)+$",
          "(a{1000}){1000}",
          "((a*)*)*b",
          "[",
          "\\p{Nope}",
          "(?P<x>a)(?P=x)",
          "a{100001}",
          "x".repeat(40_000));

  private static final List<String> STRINGS =
      List.of(
          "",
          " ",
          "Bad_Name!",
          "UPPER",
          "a".repeat(64),
          "a".repeat(254),
          "b".repeat(256),
          "c".repeat(1_000),
          "-leading-dash",
          "x/y",
          "*",
          "*.*",
          "..",
          "\u202e\u0000\u0007",
          "line\nbreak",
          "10.0.0.1/33",
          "::1",
          "0s",
          "-5s",
          "1ms",
          "100000h",
          "https://example.com/",
          "spiffe://x/ns/y/sa/z");

  private final Random random;
  private final Yaml yaml;

  ManifestMutator(Random random) {
    this.random = random;
    LoaderOptions loading = new LoaderOptions();
    loading.setAllowDuplicateKeys(true);
    DumperOptions dumping = new DumperOptions();
    dumping.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    dumping.setWidth(Integer.MAX_VALUE);
    dumping.setSplitLines(false);
    this.yaml = new Yaml(loading, dumping);
  }

  /** {@code document} made wrong in one way, chosen at random. */
  Mutation mutate(String document) {
    Object tree = yaml.load(document);
    if (!(tree instanceof Map<?, ?>)) {
      return new Mutation("as-is", "(not a mapping)", bytes(document));
    }
    int choice = random.nextInt(100);
    if (choice < 12) {
      return dropField(tree);
    } else if (choice < 24) {
      return wrongType(tree);
    } else if (choice < 32) {
      return replaceScalar(tree, "number", NUMBERS.get(random.nextInt(NUMBERS.size())));
    } else if (choice < 44) {
      return replaceScalar(tree, "string", STRINGS.get(random.nextInt(STRINGS.size())));
    } else if (choice < 50) {
      return longLabel(tree);
    } else if (choice < 56) {
      return replaceScalar(tree, "regex", REGEXES.get(random.nextInt(REGEXES.size())));
    } else if (choice < 62) {
      return enumTypo(tree);
    } else if (choice < 67) {
      return nullItem(tree);
    } else if (choice < 72) {
      return deepNesting(tree);
    } else if (choice < 78) {
      return invalidUtf8(document);
    } else if (choice < 86) {
      return duplicateKey(document);
    } else if (choice < 94) {
      return alias(document);
    } else if (choice < 98) {
      return billionLaughs(document);
    } else {
      return large(document);
    }
  }

  // ---- mutations of the tree ----

  /** A place in the tree: a key of a mapping or an index of a list. */
  private record Slot(Object container, Object key, String path) {
    Object get() {
      return container instanceof Map<?, ?> m ? m.get(key) : ((List<?>) container).get((int) key);
    }

    @SuppressWarnings("unchecked")
    void set(Object value) {
      if (container instanceof Map<?, ?> m) {
        ((Map<Object, Object>) m).put(key, value);
      } else {
        ((List<Object>) container).set((int) key, value);
      }
    }

    @SuppressWarnings("unchecked")
    void remove() {
      if (container instanceof Map<?, ?> m) {
        ((Map<Object, Object>) m).remove(key);
      } else {
        ((List<Object>) container).remove((int) key);
      }
    }
  }

  private static void slots(Object node, String path, List<Slot> out) {
    if (node instanceof Map<?, ?> m) {
      for (Object k : List.copyOf(m.keySet())) {
        String p = path.isEmpty() ? String.valueOf(k) : path + "." + k;
        out.add(new Slot(m, k, p));
        slots(m.get(k), p, out);
      }
    } else if (node instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) {
        String p = path + "[" + i + "]";
        out.add(new Slot(l, i, p));
        slots(l.get(i), p, out);
      }
    }
  }

  /** Slots other than apiVersion and kind, mostly under spec, sometimes in metadata. */
  private List<Slot> slots(Object tree) {
    List<Slot> all = new ArrayList<>();
    slots(tree, "", all);
    all.removeIf(s -> s.path().equals("apiVersion") || s.path().equals("kind"));
    return all;
  }

  private Slot pick(List<Slot> slots) {
    return slots.get(random.nextInt(slots.size()));
  }

  private Mutation dump(String kind, String where, Object tree) {
    return new Mutation(kind, where, bytes(yaml.dump(tree)));
  }

  private Mutation dropField(Object tree) {
    List<Slot> slots = slots(tree);
    if (slots.isEmpty()) {
      return dump("as-is", "(empty)", tree);
    }
    Slot s = pick(slots);
    s.remove();
    return dump("drop", s.path(), tree);
  }

  private Mutation wrongType(Object tree) {
    List<Slot> slots = slots(tree);
    if (slots.isEmpty()) {
      return dump("as-is", "(empty)", tree);
    }
    Slot s = pick(slots);
    Object old = s.get();
    Object replacement;
    if (old instanceof Map<?, ?>) {
      replacement = random.nextBoolean() ? "a string" : List.of(1, 2);
    } else if (old instanceof List<?>) {
      replacement = random.nextBoolean() ? 42 : Map.of("a", "b");
    } else {
      replacement =
          switch (random.nextInt(4)) {
            case 0 -> Map.of("a", "b");
            case 1 -> List.of("x");
            case 2 -> old instanceof Number ? "forty-two" : 42;
            default -> old instanceof Boolean ? "maybe" : true;
          };
    }
    s.set(replacement);
    return dump("wrong-type", s.path(), tree);
  }

  private Mutation replaceScalar(Object tree, String kind, Object value) {
    List<Slot> slots = slots(tree);
    slots.removeIf(s -> s.get() instanceof Map<?, ?> || s.get() instanceof List<?>);
    if (slots.isEmpty()) {
      return dump("as-is", "(no scalar)", tree);
    }
    Slot s = pick(slots);
    s.set(value);
    return dump(kind, s.path(), tree);
  }

  @SuppressWarnings("unchecked")
  private Mutation longLabel(Object tree) {
    Map<Object, Object> root = (Map<Object, Object>) tree;
    Object meta = root.computeIfAbsent("metadata", k -> new LinkedHashMap<>());
    if (!(meta instanceof Map<?, ?>)) {
      return dump("as-is", "(metadata)", tree);
    }
    Map<Object, Object> metadata = (Map<Object, Object>) meta;
    String where;
    switch (random.nextInt(4)) {
      case 0 -> {
        metadata.put("name", "n".repeat(254 + random.nextInt(3)));
        where = "metadata.name";
      }
      case 1 -> {
        labels(metadata).put("k".repeat(64 + random.nextInt(300)), "v");
        where = "metadata.labels (key)";
      }
      case 2 -> {
        labels(metadata).put("app", "v".repeat(64 + random.nextInt(100)));
        where = "metadata.labels (value)";
      }
      default -> {
        metadata.put("namespace", "Not-A-Label");
        where = "metadata.namespace";
      }
    }
    return dump("long-name", where, tree);
  }

  @SuppressWarnings("unchecked")
  private static Map<Object, Object> labels(Map<Object, Object> metadata) {
    Object labels = metadata.get("labels");
    if (!(labels instanceof Map<?, ?>)) {
      labels = new LinkedHashMap<>();
      metadata.put("labels", labels);
    }
    return (Map<Object, Object>) labels;
  }

  private Mutation enumTypo(Object tree) {
    List<Slot> slots = slots(tree);
    slots.removeIf(s -> !(s.get() instanceof String v && v.matches("[A-Z][A-Z0-9_]+")));
    if (slots.isEmpty()) {
      return replaceScalar(tree, "string", "STRICTT");
    }
    Slot s = pick(slots);
    String v = (String) s.get();
    s.set(
        switch (random.nextInt(3)) {
          case 0 -> v + "T";
          case 1 -> v.toLowerCase(java.util.Locale.ROOT);
          default -> "BLAH";
        });
    return dump("enum-typo", s.path(), tree);
  }

  private Mutation nullItem(Object tree) {
    List<Slot> slots = slots(tree);
    slots.removeIf(s -> !(s.container() instanceof List<?>));
    if (slots.isEmpty()) {
      return dropField(tree);
    }
    Slot s = pick(slots);
    s.set(null);
    return dump("null-item", s.path(), tree);
  }

  private Mutation deepNesting(Object tree) {
    List<Slot> slots = slots(tree);
    if (slots.isEmpty()) {
      return dump("as-is", "(empty)", tree);
    }
    Slot s = pick(slots);
    int depth = 20 + random.nextInt(2_000);
    Object nested = "leaf";
    for (int i = 0; i < depth; i++) {
      nested = random.nextBoolean() ? List.of(nested) : Map.of("a", nested);
    }
    s.set(nested);
    try {
      return dump("deep-" + depth, s.path(), tree);
    } catch (RuntimeException | StackOverflowError e) {
      // Too deep to write as a tree: written as flow text instead.
      return new Mutation(
          "deep-" + depth, s.path(), bytes("a: " + "[".repeat(depth) + "]".repeat(depth) + "\n"));
    }
  }

  // ---- mutations of the text ----

  private Mutation invalidUtf8(String document) {
    byte[] text = bytes(document);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int at = random.nextInt(text.length);
    // Inside a value, not in the middle of a multi-byte character the document already has.
    while (at < text.length && (text[at] & 0xC0) == 0x80) {
      at++;
    }
    out.write(text, 0, at);
    byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC3}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}};
    byte[] b = bad[random.nextInt(bad.length)];
    out.write(b, 0, b.length);
    out.write(text, at, text.length - at);
    return new Mutation("invalid-utf8", "byte " + at, out.toByteArray());
  }

  private Mutation duplicateKey(String document) {
    List<java.util.regex.MatchResult> lines = new ArrayList<>();
    Matcher m = SCALAR_LINE.matcher(document);
    while (m.find()) {
      String indent = m.group(1);
      if (!indent.contains("-") && !m.group(2).equals("kind")) {
        lines.add(m.toMatchResult());
      }
    }
    if (lines.isEmpty()) {
      return new Mutation("as-is", "(no block key)", bytes(document));
    }
    var line = lines.get(random.nextInt(lines.size()));
    String copy = line.group(1) + line.group(2) + ": other-" + random.nextInt(100) + "\n";
    int cut = Math.min(document.length(), line.end() + 1);
    String out = document.substring(0, cut) + copy + document.substring(cut);
    return new Mutation("duplicate-key", line.group(2), bytes(out));
  }

  private Mutation alias(String document) {
    List<java.util.regex.MatchResult> lines = new ArrayList<>();
    Matcher m = SCALAR_LINE.matcher(document);
    while (m.find()) {
      if (!m.group(2).equals("apiVersion") && !m.group(2).equals("kind")) {
        lines.add(m.toMatchResult());
      }
    }
    if (lines.size() < 2) {
      return new Mutation("as-is", "(no two scalars)", bytes(document));
    }
    int a = random.nextInt(lines.size() - 1);
    int b = a + 1 + random.nextInt(lines.size() - a - 1);
    var first = lines.get(a);
    var second = lines.get(b);
    StringBuilder out = new StringBuilder(document);
    // The later line first, so the earlier offsets still hold.
    out.replace(second.start(3), second.end(3), "*v");
    out.insert(first.start(3), "&v ");
    return new Mutation("alias", first.group(2) + " -> " + second.group(2), bytes(out.toString()));
  }

  private Mutation billionLaughs(String document) {
    StringBuilder b = new StringBuilder(document.stripTrailing()).append("\nlaughs:\n");
    b.append("  a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; c++) {
      b.append("  ").append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        b.append(i == 0 ? "" : ",").append('*').append(prev);
      }
      b.append("]\n");
      prev = c;
    }
    return new Mutation("billion-laughs", "laughs", bytes(b.toString()));
  }

  private Mutation large(String document) {
    // A long string value: a document a little under the document bound, or well over it.
    int[] sizes = {1_500_000, 3 * 1024 * 1024, 6 * 1024 * 1024};
    int size = sizes[random.nextInt(sizes.length)];
    String out = document.stripTrailing() + "\nbulk: \"" + "x".repeat(size) + "\"\n";
    return new Mutation("large-" + size, "bulk", bytes(out));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
