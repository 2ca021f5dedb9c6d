package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mizzen.ingest.kube.KubeSource;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.tenancy.controller.MemberController;
import dev.mizzen.testing.kube.MockApiServer;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The RBAC objects in deploy/ against what Mizzen really asks of the API server: the serving
 * control plane's Role and reader ClusterRole grant exactly what its informers use; the member
 * controller's grants cover all it does; every cluster-scoped object names its control plane.
 */
class DeployRbacTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static List<JsonNode> objects(String file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(Files.readString(DEPLOY.resolve(file)))) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          out.add(n);
        }
      }
    }
    return out;
  }

  /** The (group, resource, verb) grants of the object of {@code kind} named {@code name}. */
  private static Set<ApiRequest> grants(String file, String kind, String name) throws IOException {
    JsonNode role =
        objects(file).stream()
            .filter(o -> o.path("kind").asText().equals(kind) && o.path("metadata").path("name").asText().equals(name))
            .findFirst()
            .orElseThrow(() -> new AssertionError(kind + " " + name + " not in " + file));
    Set<ApiRequest> grants = new TreeSet<>(java.util.Comparator.comparing(ApiRequest::toString));
    for (JsonNode r : role.path("rules")) {
      PolicyRule rule = new ObjectMapper().convertValue(r, PolicyRule.class);
      if (!Objects.requireNonNullElse(rule.getResourceNames(), List.of()).isEmpty()) {
        continue;
      }
      for (String g : rule.getApiGroups()) {
        for (String res : rule.getResources()) {
          for (String v : rule.getVerbs()) {
            grants.add(new ApiRequest("", g, res, v));
          }
        }
      }
    }
    return grants;
  }

  private static Set<ApiRequest> used(MockApiServer api, java.util.function.Predicate<ApiRequest> where) {
    return used(api.requests, where);
  }

  private static Set<ApiRequest> used(List<String> requests, java.util.function.Predicate<ApiRequest> where) {
    return requests.stream()
        .map(ApiRequest::parse)
        .filter(Objects::nonNull)
        .filter(where)
        .map(ApiRequest::anyNamespace)
        .collect(Collectors.toCollection(() -> new TreeSet<>(java.util.Comparator.comparing(ApiRequest::toString))));
  }

  @Test
  void theServingRolesGrantWhatTheInformersUseAndNothingMore() throws Exception {
    try (MockApiServer api = new MockApiServer()) {
      api.create("apiVersion: maistra.io/v1\nkind: ServiceMeshMemberRoll\nmetadata: {name: default, namespace: istio-system}\nspec: {members: [a1]}\n");
      api.configure("istio-system", "default", List.of("a1"));
      api.requests.clear();
      try (KubeSource source = new KubeSource(api.newClient(), new ConfigStore(), "istio-system", "default", WatchScope.NAMESPACES, Duration.ofSeconds(10))) {
        source.start(Duration.ofSeconds(20));
        MultitenancyIT.await("a1 is watched", () -> api.requests.stream().anyMatch(r -> r.contains("/namespaces/a1/") && r.contains("watch=true")));
        Thread.sleep(500);
      }
      Set<ApiRequest> reader = grants("control-plane.yaml", "ClusterRole", "mizzen-reader-istio-system");
      Set<ApiRequest> role = grants("control-plane.yaml", "Role", "mizzen");
      assertThat(used(api, r -> r.namespace().equals("a1"))).isEqualTo(reader);
      Set<ApiRequest> inControlPlane = new TreeSet<>(java.util.Comparator.comparing(ApiRequest::toString));
      inControlPlane.addAll(reader);
      inControlPlane.addAll(role);
      assertThat(used(api, r -> r.namespace().equals("istio-system"))).isEqualTo(inControlPlane);
      assertThat(used(api, r -> r.namespace().isEmpty())).as("requests outside any namespace").isEmpty();
    }
  }

  @Test
  void theMemberControllerIsGrantedAllItDoes() throws Exception {
    try (MockApiServer api = new MockApiServer()) {
      for (String ns : List.of("istio-system", "a1", "a2", "joiner")) {
        api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
      }
      for (JsonNode o : objects("control-plane.yaml")) {
        if (o.path("kind").asText().equals("RoleBinding")) {
          api.create(o.toString());
        }
      }
      api.create("apiVersion: maistra.io/v1\nkind: ServiceMeshMemberRoll\nmetadata: {name: default, namespace: istio-system}\nspec: {members: [a1, a2]}\n");
      api.create("apiVersion: maistra.io/v1\nkind: ServiceMeshMember\nmetadata: {name: default, namespace: joiner}\nspec: {controlPlaneRef: {name: basic, namespace: istio-system}}\n");
      try (KubernetesClient c = api.newClient();
          MemberController controller =
              new MemberController(api.newClient("member-controller"), MemberController.Settings.defaults("istio-system", "default", "test"))) {
        controller.start();
        MultitenancyIT.await(
            "all are configured",
            () -> List.of("a1", "a2", "joiner").equals(c.genericKubernetesResources(MockApiServer.ROLLS).inNamespace("istio-system").withName("default").get().get("status", "configuredMembers")));
        api.setMembers("istio-system", "default", List.of("a1"));
        MultitenancyIT.await("a2 is let go", () -> c.network().v1().networkPolicies().inNamespace("a2").list().getItems().isEmpty());
      }
      Set<ApiRequest> cluster = grants("member-controller.yaml", "ClusterRole", "mizzen-member-controller-istio-system");
      Set<ApiRequest> role = grants("member-controller.yaml", "Role", "mizzen-member-controller");
      List<String> sent = api.requestsFrom("member-controller");
      assertThat(sent).isNotEmpty();
      for (String request : sent) {
        ApiRequest r = ApiRequest.parse(request);
        if (r == null) {
          continue;
        }
        boolean granted =
            cluster.contains(r.anyNamespace()) || (r.namespace().equals("istio-system") && role.contains(r.anyNamespace()));
        assertThat(granted).as("%s is granted", request).isTrue();
      }
    }
  }

  @Test
  void everyClusterScopedObjectNamesItsControlPlane() throws Exception {
    try (var files = Files.list(DEPLOY)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        for (JsonNode o : objects(f.getFileName().toString())) {
          String kind = o.path("kind").asText();
          if (kind.startsWith("Cluster")) {
            assertThat(o.path("metadata").path("name").asText()).as("%s in %s", kind, f).endsWith("-istio-system");
            assertThat(o.path("metadata").path("labels").path("maistra.io/owner").asText()).as("%s in %s", kind, f).isEqualTo("istio-system");
          }
        }
      }
    }
  }
}
