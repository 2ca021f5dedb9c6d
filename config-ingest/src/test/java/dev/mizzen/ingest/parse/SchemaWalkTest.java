package dev.mizzen.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.proto.maistra.authentication.v1.ServiceMeshPolicySpec;
import dev.mizzen.proto.maistra.rbac.v1.ServiceMeshRbacConfigSpec;
import dev.mizzen.proto.maistra.v1.ServiceMeshMemberRollSpec;
import io.fabric8.istio.api.api.networking.v1alpha3.DestinationRule;
import io.fabric8.istio.api.api.networking.v1alpha3.Gateway;
import io.fabric8.istio.api.api.networking.v1alpha3.ServiceEntry;
import io.fabric8.istio.api.api.networking.v1alpha3.Sidecar;
import io.fabric8.istio.api.api.networking.v1alpha3.VirtualService;
import io.fabric8.istio.api.api.security.v1beta1.AuthorizationPolicy;
import io.fabric8.istio.api.api.security.v1beta1.PeerAuthentication;
import io.fabric8.istio.api.api.security.v1beta1.RequestAuthentication;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Puts null, a value of the wrong type and an empty value at every field path of every Istio and
 * Maistra kind, and checks that each either is accepted or refused with an error naming that path,
 * and never reaches the user as an internal error.
 *
 * <p>The paths are not listed by hand: they come from the types the translators read, through
 * Jackson's own introspection of the istio-model classes (following the unwrapped one-of members
 * into their subtypes) and through the protobuf descriptors of the Maistra kinds. Each mutation is
 * applied to a valid example object of the kind (src/test/resources/schema-walk/examples.yaml),
 * creating the parents a path needs when the example lacks them.
 */
class SchemaWalkTest {
  private static final int MAX_DEPTH = 12;
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** What the translator of each kind reads its spec as. */
  private static final Map<String, Object> SPEC_TYPES =
      Map.ofEntries(
          Map.entry("VirtualService", VirtualService.class),
          Map.entry("DestinationRule", DestinationRule.class),
          Map.entry("Gateway", Gateway.class),
          Map.entry("ServiceEntry", ServiceEntry.class),
          Map.entry("Sidecar", Sidecar.class),
          Map.entry("AuthorizationPolicy", AuthorizationPolicy.class),
          Map.entry("PeerAuthentication", PeerAuthentication.class),
          Map.entry("RequestAuthentication", RequestAuthentication.class),
          Map.entry("ServiceMeshPolicy", ServiceMeshPolicySpec.getDescriptor()),
          Map.entry("ServiceMeshRbacConfig", ServiceMeshRbacConfigSpec.getDescriptor()),
          Map.entry("ServiceMeshMemberRoll", ServiceMeshMemberRollSpec.getDescriptor()));

  /**
   * Where a translator deliberately reads a null as an empty object: Maistra's manifests ask for
   * the default peer mTLS mode with {@code peers: [{mtls: }]}.
   */
  private static final Set<String> NULL_AS_EMPTY = Set.of("spec.peers[0].mtls");

  private enum Shape {
    STRING,
    INTEGER,
    NUMBER,
    BOOLEAN,
    ENUM,
    OBJECT,
    LIST,
    MAP
  }

  private enum Mutation {
    NULL,
    WRONG_TYPE,
    EMPTY
  }

  /** A field path ("spec", "http", 0, "match", ...) and what its value must be. */
  private record FieldPath(List<Object> path, Shape shape) {}

  /** The paths that are entries of a map (a null there is an empty value, not an absent field). */
  private final Set<List<Object>> mapEntries = new HashSet<>();

  /** For each member of a one-of, the other members: removed when it is set, or a path under it. */
  private final Map<List<Object>, Set<String>> rivals = new HashMap<>();

  private final ObjectTranslator translator = new ObjectTranslator();

  @Test
  void everyFieldPathOfEveryKindGetsAClearAnswer() throws IOException {
    Map<String, ObjectNode> examples = examples();
    assertThat(examples.keySet()).containsExactlyInAnyOrderElementsOf(SPEC_TYPES.keySet());
    List<String> failures = new ArrayList<>();
    int cases = 0;
    for (Map.Entry<String, ObjectNode> e : examples.entrySet()) {
      ObjectNode example = e.getValue();
      String[] refusal = outcome(example);
      assertThat(refusal == null ? null : List.of(refusal))
          .as("the example " + e.getKey() + " is valid")
          .isNull();
      List<FieldPath> paths = new ArrayList<>();
      Object type = SPEC_TYPES.get(e.getKey());
      List<Object> spec = List.of("spec");
      if (type instanceof Class<?> c) {
        walkBean(Mappers.STRICT.constructType(c), spec, example, paths, new HashSet<>());
      } else {
        walkMessage((Descriptor) type, spec, example, paths, new HashSet<>());
      }
      for (FieldPath p : paths) {
        for (Mutation m : Mutation.values()) {
          cases++;
          String problem = check(example, p, m);
          if (problem != null) {
            failures.add(e.getKey() + " " + render(p.path()) + " " + m + ": " + problem);
          }
        }
      }
    }
    assertThat(failures).as("%d cases", cases).isEmpty();
    assertThat(cases).isGreaterThan(1500);
  }

  // ---- paths from the model ----

  private void walkBean(
      JavaType type, List<Object> path, JsonNode example, List<FieldPath> out, Set<Class<?>> seen) {
    if (path.size() > MAX_DEPTH || !seen.add(type.getRawClass())) {
      return;
    }
    List<JavaType> concrete = concreteTypes(type);
    Set<String> members = new HashSet<>();
    for (JavaType t : concrete) {
      for (BeanPropertyDefinition prop : properties(t)) {
        members.add(prop.getName());
      }
    }
    for (JavaType t : concrete) {
      for (BeanPropertyDefinition prop : properties(t)) {
        if (prop.getPrimaryMember().hasAnnotation(JsonUnwrapped.class)) {
          walkBean(prop.getPrimaryType(), path, example, out, seen);
          continue;
        }
        if (concrete.size() > 1) {
          Set<String> others = new HashSet<>(members);
          others.remove(prop.getName());
          rivals.put(append(path, prop.getName()), Set.copyOf(others));
        }
        walkValue(prop.getPrimaryType(), append(path, prop.getName()), example, out, seen);
      }
    }
    seen.remove(type.getRawClass());
  }

  private static List<BeanPropertyDefinition> properties(JavaType type) {
    BeanDescription bean = Mappers.STRICT.getDeserializationConfig().introspect(type);
    return bean.findProperties().stream()
        .filter(p -> p.couldDeserialize() && p.getPrimaryMember() != null)
        .toList();
  }

  /** A one-of member is an interface whose JSON subtypes each add their own field. */
  private static List<JavaType> concreteTypes(JavaType type) {
    JsonSubTypes subtypes = type.getRawClass().getAnnotation(JsonSubTypes.class);
    if (subtypes == null) {
      return List.of(type);
    }
    List<JavaType> out = new ArrayList<>();
    for (JsonSubTypes.Type t : subtypes.value()) {
      out.add(Mappers.STRICT.constructType(t.value()));
    }
    return out;
  }

  private void walkValue(
      JavaType type, List<Object> path, JsonNode example, List<FieldPath> out, Set<Class<?>> seen) {
    Shape shape = shapeOf(type);
    if (shape == null) {
      return; // free-form values (google.protobuf.Struct and the like) have no schema to walk
    }
    out.add(new FieldPath(path, shape));
    if (shape == Shape.LIST) {
      walkValue(type.getContentType(), append(path, 0), example, out, seen);
    } else if (shape == Shape.MAP) {
      List<Object> entry = append(path, mapKey(example, path));
      mapEntries.add(entry);
      walkValue(type.getContentType(), entry, example, out, seen);
    } else if (shape == Shape.OBJECT) {
      walkBean(type, path, example, out, seen);
    }
  }

  private static Shape shapeOf(JavaType type) {
    Class<?> raw = type.getRawClass();
    if (type.isEnumType()) {
      return Shape.ENUM;
    }
    if (raw == String.class) {
      return Shape.STRING;
    }
    if (raw == Integer.class
        || raw == int.class
        || raw == Long.class
        || raw == long.class
        || raw == BigInteger.class) {
      return Shape.INTEGER;
    }
    if (raw == Double.class || raw == double.class || raw == Float.class || raw == float.class) {
      return Shape.NUMBER;
    }
    if (raw == Boolean.class || raw == boolean.class) {
      return Shape.BOOLEAN;
    }
    if (type.isCollectionLikeType()) {
      return Shape.LIST;
    }
    if (type.isMapLikeType()) {
      return Shape.MAP;
    }
    if (raw == Object.class
        || JsonNode.class.isAssignableFrom(raw)
        || !raw.getName().startsWith("io.fabric8.istio")) {
      return null;
    }
    return Shape.OBJECT;
  }

  private void walkMessage(
      Descriptor type,
      List<Object> path,
      JsonNode example,
      List<FieldPath> out,
      Set<Descriptor> seen) {
    if (path.size() > MAX_DEPTH || !seen.add(type)) {
      return;
    }
    for (FieldDescriptor f : type.getFields()) {
      List<Object> p = append(path, f.getJsonName());
      if (f.getRealContainingOneof() != null) {
        Set<String> others = new HashSet<>();
        f.getRealContainingOneof().getFields().forEach(o -> others.add(o.getJsonName()));
        others.remove(f.getJsonName());
        rivals.put(p, Set.copyOf(others));
      }
      if (f.isMapField()) {
        out.add(new FieldPath(p, Shape.MAP));
        List<Object> entry = append(p, mapKey(example, p));
        mapEntries.add(entry);
        walkProtoValue(f.getMessageType().findFieldByName("value"), entry, example, out, seen);
      } else if (f.isRepeated()) {
        out.add(new FieldPath(p, Shape.LIST));
        walkProtoValue(f, append(p, 0), example, out, seen);
      } else {
        walkProtoValue(f, p, example, out, seen);
      }
    }
    seen.remove(type);
  }

  private void walkProtoValue(
      FieldDescriptor f,
      List<Object> path,
      JsonNode example,
      List<FieldPath> out,
      Set<Descriptor> seen) {
    Shape shape =
        switch (f.getJavaType()) {
          case STRING, BYTE_STRING -> Shape.STRING;
          case INT, LONG -> Shape.INTEGER;
          case FLOAT, DOUBLE -> Shape.NUMBER;
          case BOOLEAN -> Shape.BOOLEAN;
          case ENUM -> Shape.ENUM;
          case MESSAGE -> Shape.OBJECT;
        };
    out.add(new FieldPath(path, shape));
    if (shape == Shape.OBJECT) {
      walkMessage(f.getMessageType(), path, example, out, seen);
    }
  }

  /** The example's own key where it has one, so that deeper paths stay otherwise valid. */
  private static String mapKey(JsonNode example, List<Object> path) {
    JsonNode at = at(example, path);
    if (at != null && at.isObject() && at.size() > 0) {
      return at.fieldNames().next();
    }
    return "k";
  }

  // ---- mutations ----

  /**
   * @return why the answer is wrong, or null when it is right
   */
  private String check(ObjectNode example, FieldPath p, Mutation m) {
    ObjectNode object = example.deepCopy();
    int created = put(object, p.path(), value(p.shape(), m));
    String[] answer = outcome(object);
    String here = render(p.path());
    boolean property =
        p.path().get(p.path().size() - 1) instanceof String && !mapEntries.contains(p.path());
    // A field istio-model has and Istio does not is refused by name, null or not.
    boolean unknown = answer != null && answer[0].equals(here) && answer[1].equals("unknown field");
    if (m == Mutation.NULL && property && !unknown && !NULL_AS_EMPTY.contains(here)) {
      // Both Kubernetes and the protobuf JSON mapping read a null field as an absent one.
      ObjectNode absent = example.deepCopy();
      put(absent, p.path(), null);
      String[] without = outcome(absent);
      if (!Arrays.equals(answer, without)) {
        return "null answered " + Arrays.toString(answer) + ", absent " + Arrays.toString(without);
      }
    }
    if (answer == null) {
      return m == Mutation.WRONG_TYPE ? "accepted" : null;
    }
    String field = answer[0];
    String reason = answer[1];
    if (reason.contains("internal error")) {
      return "internal error at " + field + ": " + reason;
    }
    if (m == Mutation.WRONG_TYPE) {
      // istio-model knows a few fields Istio does not; refusing them by name is right too.
      boolean named = reason.contains("wrong type") || reason.equals("unknown field");
      return field.equals(here) && named ? null : "refused as " + field + ": " + reason;
    }
    if (field.equals(here) || field.startsWith(here + ".") || field.startsWith(here + "[")) {
      return null;
    }
    // A field the mutation added (or whose parents it invented) may make its surroundings
    // incomplete: a complaint about them is the right answer.
    List<String> at = parse(field);
    List<String> mutated = parse(here);
    if (created < mutated.size()
        && at.size() >= created
        && at.subList(0, created).equals(mutated.subList(0, created))) {
      return null;
    }
    // A complaint about a field beside it or about a parent, which names it.
    if (reason.contains(here)) {
      return null;
    }
    int common = 0;
    while (common < Math.min(at.size(), mutated.size())
        && at.get(common).equals(mutated.get(common))) {
      common++;
    }
    if (common > 0 && at.size() - 1 <= common) {
      for (String name : mutated.subList(common, mutated.size())) {
        if (!name.startsWith("[") && reason.contains(name)) {
          return null;
        }
      }
    }
    return "refused as " + field + ": " + reason;
  }

  private static JsonNode value(Shape shape, Mutation m) {
    return switch (m) {
      case NULL -> NODES.nullNode();
      case WRONG_TYPE ->
          switch (shape) {
            case STRING, ENUM -> NODES.numberNode(7);
            case INTEGER, NUMBER, BOOLEAN, OBJECT, LIST, MAP -> NODES.textNode("x");
          };
      case EMPTY ->
          switch (shape) {
            case STRING, ENUM -> NODES.textNode("");
            case INTEGER -> NODES.numberNode(0);
            case NUMBER -> NODES.numberNode(0.0);
            case BOOLEAN -> NODES.booleanNode(false);
            case OBJECT, MAP -> NODES.objectNode();
            case LIST -> NODES.arrayNode();
          };
    };
  }

  /**
   * Sets the value at {@code path} (removes the field for a Java null), creating missing parents.
   *
   * @return how many leading path elements existed before (the depth of the first created parent)
   */
  private int put(ObjectNode root, List<Object> path, JsonNode value) {
    JsonNode node = root;
    int created = path.size();
    for (int i = 0; i < path.size() - 1; i++) {
      Object key = path.get(i);
      if (node instanceof ObjectNode o) {
        o.remove(rivals.getOrDefault(path.subList(0, i + 1), Set.of()));
      }
      boolean nextIsIndex = path.get(i + 1) instanceof Integer;
      JsonNode child = key instanceof Integer ? node.get((Integer) key) : node.get((String) key);
      boolean fits =
          child != null
              && (nextIsIndex
                  ? child.isArray() && child.size() > 0 || child.isArray() && i + 2 == path.size()
                  : child.isObject());
      if (!fits) {
        created = Math.min(created, i);
        child = nextIsIndex ? NODES.arrayNode() : NODES.objectNode();
        if (key instanceof Integer index) {
          ArrayNode array = (ArrayNode) node;
          if (array.size() > index) {
            array.set(index, child);
          } else {
            array.add(child);
          }
        } else {
          ((ObjectNode) node).set((String) key, child);
        }
      }
      if (nextIsIndex && child.size() == 0 && i + 2 < path.size()) {
        ((ArrayNode) child).addObject();
      }
      node = child;
    }
    Object last = path.get(path.size() - 1);
    if (last instanceof Integer index) {
      ArrayNode array = (ArrayNode) node;
      if (array.size() > index) {
        array.set(index, value);
      } else {
        array.add(value);
      }
    } else {
      ((ObjectNode) node).remove(rivals.getOrDefault(path, Set.of()));
      if (!node.has((String) last)) {
        created = Math.min(created, path.size() - 1);
      }
      if (value == null) {
        ((ObjectNode) node).remove((String) last);
      } else {
        ((ObjectNode) node).set((String) last, value);
      }
    }
    return created;
  }

  /**
   * @return the refused field and reason (or the first problem kept in a policy), or null
   */
  private String[] outcome(ObjectNode object) {
    ParseResult r = translator.translate("walk", object);
    if (!r.isAccepted()) {
      return new String[] {r.error().field(), r.error().reason()};
    }
    if (r.config().spec() instanceof AuthorizationPolicySpec policy
        && !policy.problems().isEmpty()) {
      AuthorizationPolicySpec.Problem first = policy.problems().get(0);
      return new String[] {first.field(), first.reason()};
    }
    return null;
  }

  // ---- helpers ----

  private static Map<String, ObjectNode> examples() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    Map<String, ObjectNode> out = new LinkedHashMap<>();
    try (InputStream in = SchemaWalkTest.class.getResourceAsStream("/schema-walk/examples.yaml");
        YAMLParser parser = new YAMLFactory().createParser(in)) {
      for (var it = yaml.readValues(parser, ObjectNode.class); it.hasNext(); ) {
        ObjectNode doc = it.next();
        out.put(doc.get("kind").asText(), doc);
      }
    }
    return out;
  }

  private static JsonNode at(JsonNode root, List<Object> path) {
    JsonNode node = root;
    for (Object key : path) {
      if (node == null) {
        return null;
      }
      node = key instanceof Integer i ? node.get(i) : node.get((String) key);
    }
    return node;
  }

  private static List<Object> append(List<Object> path, Object key) {
    List<Object> out = new ArrayList<>(path);
    out.add(key);
    return List.copyOf(out);
  }

  private static String render(List<Object> path) {
    StringBuilder b = new StringBuilder();
    for (Object key : path) {
      if (key instanceof Integer i) {
        b.append('[').append(i).append(']');
      } else {
        b.append(b.length() == 0 ? "" : ".").append(key);
      }
    }
    return b.toString();
  }

  private static List<String> parse(String field) {
    List<String> out = new ArrayList<>();
    for (String part : field.split("\\.")) {
      int bracket = part.indexOf('[');
      out.add(bracket < 0 ? part : part.substring(0, bracket));
      while (bracket >= 0) {
        int close = part.indexOf(']', bracket);
        out.add(part.substring(bracket, close + 1));
        bracket = part.indexOf('[', close);
      }
    }
    return out;
  }
}
