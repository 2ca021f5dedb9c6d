package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mizzen.testing.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Two control planes' webhook configurations, made from deploy/ for istio-system and for mesh-b as
 * its notes say (every "istio-system" replaced), on one API server with namespaces labelled for one
 * mesh, the other or none: the API server, evaluating each webhook's namespaceSelector, sends a
 * namespace's objects to at most one control plane, and a namespace outside every roll to none.
 */
class WebhookSelectorsTest {
  private static final Path CONTROL_PLANE = Path.of("..", "deploy", "control-plane.yaml");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final ResourceDefinitionContext VALIDATING =
      admission("ValidatingWebhookConfiguration");
  private static final ResourceDefinitionContext MUTATING =
      admission("MutatingWebhookConfiguration");

  private static ResourceDefinitionContext admission(String kind) {
    return new ResourceDefinitionContext.Builder()
        .withGroup("admissionregistration.k8s.io")
        .withVersion("v1")
        .withKind(kind)
        .withPlural(kind.toLowerCase(Locale.ROOT) + "s")
        .withNamespaced(false)
        .build();
  }

  /** Creates the namespace, labelled as the API server and the member controllers label it. */
  private static void namespace(MockApiServer api, String name, String memberOf) {
    api.create(
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: "
            + name
            + "\n  labels: {kubernetes.io/metadata.name: "
            + name
            + (memberOf == null ? "" : ", maistra.io/member-of: " + memberOf)
            + "}\n");
  }

  /** The webhook configurations of deploy/ for the control plane in {@code namespace}. */
  private static void install(MockApiServer api, String namespace) throws Exception {
    String manifest = Files.readString(CONTROL_PLANE).replace("istio-system", namespace);
    try (var docs = YAML.readerFor(JsonNode.class).<JsonNode>readValues(manifest)) {
      while (docs.hasNext()) {
        JsonNode o = docs.next();
        if (o != null && o.path("kind").asText().endsWith("WebhookConfiguration")) {
          api.create(o.toString());
        }
      }
    }
  }

  /**
   * For each namespace, the configurations of {@code kind} whose webhooks select it, as the API
   * server evaluates their selectors as stored.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Set<String>> selecting(
      MockApiServer api, ResourceDefinitionContext kind) {
    Map<String, Set<String>> selected = new TreeMap<>();
    for (Namespace ns : api.client().namespaces().list().getItems()) {
      selected.put(ns.getMetadata().getName(), new TreeSet<>());
    }
    List<GenericKubernetesResource> configs =
        api.client().genericKubernetesResources(kind).list().getItems();
    assertThat(configs).hasSize(2);
    for (GenericKubernetesResource config : configs) {
      for (Object hook : (List<Object>) config.getAdditionalProperties().get("webhooks")) {
        LabelSelector selector =
            JSON.convertValue(
                ((Map<String, Object>) hook).get("namespaceSelector"), LabelSelector.class);
        for (Namespace ns :
            api.client().namespaces().withLabelSelector(selector).list().getItems()) {
          selected.get(ns.getMetadata().getName()).add(config.getMetadata().getName());
        }
      }
    }
    return selected;
  }

  @Test
  void everyNamespaceIsSentToAtMostOneControlPlaneAndOneOutsideEveryRollToNone() throws Exception {
    try (MockApiServer api = new MockApiServer()) {
      Map<String, String> memberOf = new LinkedHashMap<>();
      memberOf.put("istio-system", null);
      memberOf.put("mesh-b", null);
      memberOf.put("a1", "istio-system");
      memberOf.put("a2", "istio-system");
      memberOf.put("b1", "mesh-b");
      memberOf.put("outside", null);
      memberOf.put("elsewhere", "mesh-c");
      memberOf.forEach((ns, cp) -> namespace(api, ns, cp));
      install(api, "istio-system");
      install(api, "mesh-b");

      Map<String, Set<String>> validators = selecting(api, VALIDATING);
      assertThat(validators)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "istio-system", Set.of("mizzen-validator-istio-system"),
                  "a1", Set.of("mizzen-validator-istio-system"),
                  "a2", Set.of("mizzen-validator-istio-system"),
                  "mesh-b", Set.of("mizzen-validator-mesh-b"),
                  "b1", Set.of("mizzen-validator-mesh-b"),
                  "outside", Set.of(),
                  "elsewhere", Set.of()));
      Map<String, Set<String>> injectors = selecting(api, MUTATING);
      assertThat(injectors)
          .containsExactlyInAnyOrderEntriesOf(
              Map.of(
                  "istio-system", Set.of(),
                  "a1", Set.of("mizzen-sidecar-injector-istio-system"),
                  "a2", Set.of("mizzen-sidecar-injector-istio-system"),
                  "mesh-b", Set.of(),
                  "b1", Set.of("mizzen-sidecar-injector-mesh-b"),
                  "outside", Set.of(),
                  "elsewhere", Set.of()));

      // A control plane's namespace made a member of another mesh goes to that mesh alone.
      Namespace meshB = api.client().namespaces().withName("mesh-b").get();
      meshB.getMetadata().getLabels().put("maistra.io/member-of", "istio-system");
      api.client().namespaces().resource(meshB).update();
      assertThat(selecting(api, VALIDATING).get("mesh-b"))
          .containsExactly("mizzen-validator-istio-system");
    }
  }
}
