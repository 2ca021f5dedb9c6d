package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.AuthorizationPolicySpec;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Action;
import dev.mizzen.ingest.model.AuthorizationPolicySpec.Rule;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.JwtRule;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.MeshPolicySpec;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.MtlsMode;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.model.PeerAuthenticationSpec;
import dev.mizzen.ingest.model.RbacConfigSpec;
import dev.mizzen.ingest.model.RequestAuthenticationSpec;
import dev.mizzen.ingest.model.Spec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What is served in place of a security object that is refused: removing an authorization or
 * authentication policy can open access, so a refused one is replaced by a stand-in built from what
 * can still be read (its name, selector and action) that closes rather than opens. Whatever field
 * made the object unreadable, the stand-in is the same:
 *
 * <ul>
 *   <li>AuthorizationPolicy DENY (or CUSTOM, or an action that cannot be read): denies every
 *       request to what it selects; ALLOW: an ALLOW policy without rules, which allows nothing;
 *       AUDIT: none, as auditing never enforces anything.
 *   <li>PeerAuthentication: STRICT for what it selects.
 *   <li>RequestAuthentication: refuses every token no readable rule of the workload accepts.
 *   <li>ServiceMeshPolicy: peers STRICT, and tokens refused as for RequestAuthentication.
 *   <li>ServiceMeshRbacConfig: ON, enforced everywhere.
 * </ul>
 *
 * A selector that cannot be read is taken as empty: the whole namespace (the mesh, in the root
 * namespace). An object whose name cannot be read cannot be stood in for, and stays refused.
 */
final class FailClosedStandIns {
  private FailClosedStandIns() {}

  /** The stand-in for {@code object}, refused with {@code error}; empty when none is served. */
  static Optional<Config<?>> standIn(Kind<?> kind, JsonNode object, ConfigError error) {
    Optional<Spec> spec = spec(kind, object.path("spec"));
    if (spec.isEmpty()) {
      return Optional.empty();
    }
    Optional<Meta> meta = meta(kind, object);
    if (meta.isEmpty()) {
      return Optional.empty();
    }
    Meta m = meta.get();
    JsonNode source = object.get("spec");
    return Optional.of(
        new Config<>(
            new ObjectRef(kind, m.namespace(), m.name()),
            m,
            spec.get(),
            error.origin(),
            source == null ? null : source.deepCopy(),
            error));
  }

  /** Whether a refused object of {@code kind} is served fail closed rather than left out. */
  static boolean isSecurityKind(Kind<?> kind) {
    return kind == Kind.AUTHORIZATION_POLICY
        || kind == Kind.PEER_AUTHENTICATION
        || kind == Kind.REQUEST_AUTHENTICATION
        || kind == Kind.SERVICE_MESH_POLICY
        || kind == Kind.SERVICE_MESH_RBAC_CONFIG;
  }

  private static Optional<Spec> spec(Kind<?> kind, JsonNode spec) {
    Map<String, String> selector = selector(spec);
    if (kind == Kind.AUTHORIZATION_POLICY) {
      return switch (action(spec)) {
        case AUDIT -> Optional.empty();
        case ALLOW -> Optional.of(new AuthorizationPolicySpec(selector, Action.ALLOW, List.of()));
        case DENY ->
            Optional.of(new AuthorizationPolicySpec(selector, Action.DENY, List.of(matchAll())));
      };
    }
    if (kind == Kind.PEER_AUTHENTICATION) {
      return Optional.of(new PeerAuthenticationSpec(selector, MtlsMode.STRICT, Map.of()));
    }
    if (kind == Kind.REQUEST_AUTHENTICATION) {
      return Optional.of(
          new RequestAuthenticationSpec(selector, List.of(JwtRule.REFUSE_EVERY_TOKEN)));
    }
    if (kind == Kind.SERVICE_MESH_POLICY) {
      return Optional.of(
          new MeshPolicySpec(MtlsMode.STRICT, List.of(JwtRule.REFUSE_EVERY_TOKEN), true));
    }
    if (kind == Kind.SERVICE_MESH_RBAC_CONFIG) {
      RbacConfigSpec.Target none = new RbacConfigSpec.Target(List.of(), List.of());
      return Optional.of(new RbacConfigSpec(RbacConfigSpec.Mode.ON, none, none, false));
    }
    return Optional.empty();
  }

  /** A rule without sources, operations or conditions: it matches every request. */
  private static Rule matchAll() {
    return new Rule(List.of(), List.of(), List.of(), null);
  }

  /** ALLOW and AUDIT as written; anything else, CUSTOM and the unreadable included, is DENY. */
  private static Action action(JsonNode spec) {
    JsonNode action = spec.get("action");
    if (action == null || action.isNull()) {
      return Action.ALLOW;
    }
    if (action.isTextual() && action.asText().equals("ALLOW")) {
      return Action.ALLOW;
    }
    if (action.isTextual() && action.asText().equals("AUDIT")) {
      return Action.AUDIT;
    }
    return Action.DENY;
  }

  /** {@code selector.matchLabels} when it is a map of strings; otherwise empty (everything). */
  private static Map<String, String> selector(JsonNode spec) {
    JsonNode labels = spec.path("selector").path("matchLabels");
    if (!labels.isObject()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : labels.properties()) {
      if (!e.getValue().isTextual()) {
        return Map.of();
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** The metadata as read, or failing that only the name and namespace when they are valid. */
  private static Optional<Meta> meta(Kind<?> kind, JsonNode object) {
    try {
      return Optional.of(MetaTranslator.translate(kind, object));
    } catch (FieldException e) {
      JsonNode metadata = object.path("metadata");
      String name = metadata.path("name").isTextual() ? metadata.path("name").asText() : "";
      String namespace =
          metadata.path("namespace").isTextual() ? metadata.path("namespace").asText() : "default";
      if (name.isEmpty() || !Names.isDns1123Subdomain(name) || !Names.isDns1123Label(namespace)) {
        return Optional.empty();
      }
      return Optional.of(Meta.of(namespace, name));
    }
  }
}
