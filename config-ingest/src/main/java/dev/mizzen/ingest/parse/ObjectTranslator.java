package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.ingest.model.Spec;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Turns one object, as read from any source, into an accepted {@link Config} or a {@link
 * ConfigError} naming the object, the field and the reason; a refused object of a security kind is
 * served fail closed by a stand-in instead of being left out. The single entry point to validation:
 * the directory source, the Kubernetes source and the offline validator all come through here.
 */
public final class ObjectTranslator {

  private static final Map<Kind<?>, SpecTranslator<?>> TRANSLATORS =
      Map.ofEntries(
          Map.entry(Kind.NAMESPACE, new NamespaceTranslator()),
          Map.entry(Kind.SERVICE, new ServiceTranslator()),
          Map.entry(Kind.ENDPOINTS, new EndpointsTranslator()),
          Map.entry(Kind.ENDPOINT_SLICE, new EndpointSliceTranslator()),
          Map.entry(Kind.POD, new PodTranslator()),
          Map.entry(Kind.VIRTUAL_SERVICE, new VirtualServiceTranslator()),
          Map.entry(Kind.DESTINATION_RULE, new DestinationRuleTranslator()),
          Map.entry(Kind.GATEWAY, new GatewayTranslator()),
          Map.entry(Kind.SERVICE_ENTRY, new ServiceEntryTranslator()),
          Map.entry(Kind.SIDECAR, new SidecarTranslator()),
          Map.entry(
              Kind.WORKLOAD_ENTRY,
              new RefusedKindTranslator(ServiceEntryTranslator.NO_EXTERNAL_WORKLOADS)),
          Map.entry(
              Kind.WORKLOAD_GROUP,
              new RefusedKindTranslator(ServiceEntryTranslator.NO_EXTERNAL_WORKLOADS)),
          Map.entry(Kind.SERVICE_MESH_MEMBER_ROLL, new MemberRollTranslator()),
          Map.entry(Kind.AUTHORIZATION_POLICY, new AuthorizationPolicyTranslator()),
          Map.entry(Kind.PEER_AUTHENTICATION, new PeerAuthenticationTranslator()),
          Map.entry(Kind.REQUEST_AUTHENTICATION, new RequestAuthenticationTranslator()),
          Map.entry(Kind.SERVICE_MESH_POLICY, new MeshPolicyTranslator()),
          Map.entry(Kind.SERVICE_MESH_RBAC_CONFIG, new RbacConfigTranslator()));

  /**
   * @param origin where the object came from, used in errors (a file, "file:line", "kubernetes")
   * @param object the object as a JSON tree
   */
  public ParseResult translate(String origin, JsonNode object) {
    if (object == null || !object.isObject()) {
      return refused(origin, "", "", "", "", "not an object");
    }
    String kindName = text(object, "kind");
    String apiVersion = text(object, "apiVersion");
    String namespace = text(object.path("metadata"), "namespace");
    String name = text(object.path("metadata"), "name");
    if (kindName.isEmpty()) {
      return refused(origin, "", namespace, name, "kind", "required");
    }
    if (apiVersion.isEmpty()) {
      return refused(origin, kindName, namespace, name, "apiVersion", "required");
    }
    Optional<Kind<?>> found = Kind.byName(kindName);
    if (found.isEmpty()) {
      return refused(
          origin,
          kindName,
          namespace,
          name,
          "kind",
          "unknown kind \"" + kindName + "\" (" + apiVersion + "); known kinds: " + knownKinds());
    }
    Kind<?> kind = found.get();
    if (!kind.acceptsApiVersion(apiVersion)) {
      return refused(
          kind,
          object,
          origin,
          kindName,
          namespace,
          name,
          "apiVersion",
          "\""
              + apiVersion
              + "\" is not served for "
              + kindName
              + "; use "
              + kind.apiVersions().collect(Collectors.joining(" or ")));
    }
    return translate(origin, kind, object);
  }

  private <S extends Spec> ParseResult translate(String origin, Kind<S> kind, JsonNode object) {
    String namespace = text(object.path("metadata"), "namespace");
    String name = text(object.path("metadata"), "name");
    if (kind.namespaced() && namespace.isEmpty()) {
      namespace = "default";
    }
    @SuppressWarnings("unchecked")
    SpecTranslator<S> translator = (SpecTranslator<S>) TRANSLATORS.get(kind);
    try {
      Meta meta = MetaTranslator.translate(kind, object);
      S spec = translator.translate(object, meta);
      ObjectRef ref = new ObjectRef(kind, meta.namespace(), meta.name());
      JsonNode source = translator.source(object);
      return ParseResult.accepted(
          new Config<>(ref, meta, spec, origin, source == null ? null : source.deepCopy()));
    } catch (FieldException e) {
      return refused(kind, object, origin, kind.name(), namespace, name, e.field(), e.reason());
    } catch (RuntimeException e) {
      // A translator bug must not take the other objects down with it.
      return refused(
          kind, object, origin, kind.name(), namespace, name, "", "internal error: " + e);
    }
  }

  /**
   * Refuses an object of a known kind. A security kind is served fail closed, whatever field was at
   * fault: its stand-in takes its place (see {@link FailClosedStandIns}).
   */
  private static ParseResult refused(
      Kind<?> kind,
      JsonNode object,
      String origin,
      String kindName,
      String namespace,
      String name,
      String field,
      String reason) {
    ConfigError error = new ConfigError(origin, kindName, namespace, name, field, reason);
    if (!FailClosedStandIns.isSecurityKind(kind)) {
      return ParseResult.refused(error);
    }
    return FailClosedStandIns.standIn(kind, object, error)
        .map(ParseResult::servedFailClosed)
        .orElseGet(() -> ParseResult.refused(error));
  }

  private static String knownKinds() {
    return Kind.all().stream().map(Kind::name).collect(Collectors.joining(", "));
  }

  private static ParseResult refused(
      String origin, String kind, String namespace, String name, String field, String reason) {
    return ParseResult.refused(new ConfigError(origin, kind, namespace, name, field, reason));
  }

  private static String text(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value != null && value.isTextual() ? value.asText() : "";
  }
}
