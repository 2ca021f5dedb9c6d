package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.mizzen.ca.Callers;
import dev.mizzen.ingest.kube.KubeSource;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.openshift.inject.CaBundleWriter;
import dev.mizzen.openshift.ior.IorController;
import dev.mizzen.openshift.validate.ConfigValidation;
import dev.mizzen.pilot.app.AnalysisStatus;
import dev.mizzen.pilot.app.Application;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cmd.Mizzen;
import dev.mizzen.tenancy.MemberRollResolver;
import dev.mizzen.tenancy.controller.MemberController;
import dev.mizzen.tenancy.controller.WriterLease;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.mesh.MeshYaml;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.openshift.api.model.Route;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RBAC objects in deploy/ against what Mizzen really asks of the API server: the serving
 * control plane's Role and reader ClusterRole grant exactly what its informers use, its status
 * ClusterRole and the Role's writes exactly what the status writer uses; the member controller's
 * grants cover all it does; every cluster-scoped object names its control plane.
 */
class DeployRbacTest {
  private static final Path DEPLOY = Path.of("..", "deploy");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @TempDir Path dir;

  static List<JsonNode> objects(String file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    try (var it =
        YAML.readerFor(JsonNode.class)
            .<JsonNode>readValues(Files.readString(DEPLOY.resolve(file)))) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          out.add(n);
        }
      }
    }
    return out;
  }

  static JsonNode object(String file, String kind, String name) throws IOException {
    return objects(file).stream()
        .filter(
            o ->
                o.path("kind").asText().equals(kind)
                    && o.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(kind + " " + name + " not in " + file));
  }

  /** The (group, resource, verb) grants of the object of {@code kind} named {@code name}. */
  static Set<ApiRequest> grants(String file, String kind, String name) throws IOException {
    JsonNode role = object(file, kind, name);
    Set<ApiRequest> grants = new TreeSet<>(Comparator.comparing(ApiRequest::toString));
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

  /** The grants of rules that name their objects: each request with the names it may touch. */
  private static Map<ApiRequest, Set<String>> namedGrants(String file, String kind, String name)
      throws IOException {
    Map<ApiRequest, Set<String>> grants = new TreeMap<>(Comparator.comparing(ApiRequest::toString));
    for (JsonNode r : object(file, kind, name).path("rules")) {
      PolicyRule rule = new ObjectMapper().convertValue(r, PolicyRule.class);
      List<String> names = Objects.requireNonNullElse(rule.getResourceNames(), List.of());
      if (names.isEmpty()) {
        continue;
      }
      for (String g : rule.getApiGroups()) {
        for (String res : rule.getResources()) {
          for (String v : rule.getVerbs()) {
            grants
                .computeIfAbsent(new ApiRequest("", g, res, v), k -> new TreeSet<>())
                .addAll(names);
          }
        }
      }
    }
    return grants;
  }

  private static boolean grantedByName(Map<ApiRequest, Set<String>> grants, String request) {
    ApiRequest r = ApiRequest.parse(request);
    String name = ApiRequest.name(request);
    return name != null && grants.getOrDefault(r.anyNamespace(), Set.of()).contains(name);
  }

  private static Set<ApiRequest> used(MockApiServer api, Predicate<ApiRequest> where) {
    return used(api.requests, where);
  }

  private static Set<ApiRequest> used(List<String> requests, Predicate<ApiRequest> where) {
    return requests.stream()
        .map(ApiRequest::parse)
        .filter(Objects::nonNull)
        .filter(where)
        .map(ApiRequest::anyNamespace)
        .collect(
            Collectors.toCollection(
                () -> new TreeSet<>(Comparator.comparing(ApiRequest::toString))));
  }

  @Test
  void theServingRolesGrantWhatTheInformersUseAndNothingMore() throws Exception {
    try (MockApiServer api = new MockApiServer()) {
      api.create(MeshYaml.memberRoll("istio-system", List.of("a1")));
      api.configure("istio-system", "default", List.of("a1"));
      api.requests.clear();
      try (KubeSource source =
          new KubeSource(
              api.newClient(),
              new ConfigStore(),
              "istio-system",
              "default",
              WatchScope.NAMESPACES,
              Duration.ofSeconds(10),
              MemberRollResolver.fromStatus("istio-system", "default")::watched)) {
        source.start(Duration.ofSeconds(20));
        MultitenancyIT.await(
            "a1 is watched",
            () ->
                api.requests.stream()
                    .anyMatch(r -> r.contains("/namespaces/a1/") && r.contains("watch=true")));
        Thread.sleep(500);
      }
      Set<ApiRequest> reader =
          grants("control-plane.yaml", "ClusterRole", "mizzen-reader-istio-system");
      // The Role's reads; its writes are the status writer's (the next test).
      Set<ApiRequest> role = new TreeSet<>(Comparator.comparing(ApiRequest::toString));
      grants("control-plane.yaml", "Role", "mizzen").stream()
          .filter(g -> g.verb().equals("list") || g.verb().equals("watch"))
          .forEach(role::add);
      assertThat(used(api, r -> r.namespace().equals("a1"))).isEqualTo(reader);
      Set<ApiRequest> inControlPlane = new TreeSet<>(Comparator.comparing(ApiRequest::toString));
      inControlPlane.addAll(reader);
      inControlPlane.addAll(role);
      assertThat(used(api, r -> r.namespace().equals("istio-system"))).isEqualTo(inControlPlane);
      assertThat(used(api, r -> r.namespace().isEmpty()))
          .as("requests outside any namespace")
          .isEmpty();
    }
  }

  private static void createGeneric(MockApiServer api, String group, String plural, String yaml) {
    KubernetesClient c = api.client();
    GenericKubernetesResource r =
        c.getKubernetesSerialization().unmarshal(yaml, GenericKubernetesResource.class);
    c.genericKubernetesResources(
            new ResourceDefinitionContext.Builder()
                .withGroup(group)
                .withVersion("v1")
                .withKind(r.getKind())
                .withPlural(plural)
                .withNamespaced(true)
                .build())
        .inNamespace(r.getMetadata().getNamespace())
        .resource(r)
        .create();
  }

  /** One object of each kind whose status is written, in {@code namespace}. */
  private static void oneOfEachAnalysedKind(MockApiServer api, String namespace) {
    String meta = "metadata: {name: one, namespace: " + namespace + "}\n";
    api.create(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
            + meta
            + "spec: {hosts: [gone], http: [{route: [{destination: {host: gone}}]}]}\n");
    api.create(
        "apiVersion: networking.istio.io/v1\nkind: DestinationRule\n"
            + meta
            + "spec: {host: gone}\n");
    api.create(
        "apiVersion: networking.istio.io/v1\nkind: Gateway\n"
            + meta
            + "spec: {selector: {istio: nowhere}, servers: [{port: {number: 80, name: http,"
            + " protocol: HTTP}, hosts: ['*']}]}\n");
    api.create(
        "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\n"
            + meta
            + "spec: {hosts: [api.example.com], ports: [{number: 443, name: tls, protocol: TLS}],"
            + " resolution: DNS}\n");
    api.create(
        "apiVersion: networking.istio.io/v1\nkind: Sidecar\n"
            + meta
            + "spec: {egress: [{hosts: ['./*']}]}\n");
    api.create(
        "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\n"
            + meta
            + "spec: {selector: {matchLabels: {app: nowhere}}}\n");
    api.create(
        "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\n"
            + meta
            + "spec: {mtls: {mode: STRICT}}\n");
    api.create(
        "apiVersion: security.istio.io/v1\nkind: RequestAuthentication\n"
            + meta
            + "spec: {jwtRules: [{issuer: https://issuer.example.com, jwks: '{\"keys\":[]}'}]}\n");
  }

  @Test
  void theStatusWriterIsGrantedWhatItUsesAndWritesOnlyInTheMeshUnderItsLease() throws Exception {
    try (MockApiServer api = new MockApiServer()) {
      for (String ns : List.of("istio-system", "a1", "outside")) {
        api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
      }
      api.create(MeshYaml.memberRoll("istio-system", List.of("a1")));
      api.configure("istio-system", "default", List.of("a1"));
      oneOfEachAnalysedKind(api, "a1");
      oneOfEachAnalysedKind(api, "outside");
      // fabric8 has no typed handler for these two: created as what they are.
      createGeneric(
          api,
          "authentication.maistra.io",
          "servicemeshpolicies",
          "apiVersion: authentication.maistra.io/v1\nkind: ServiceMeshPolicy\n"
              + "metadata: {name: default, namespace: istio-system}\n"
              + "spec: {peers: [{mtls: {mode: PERMISSIVE}}]}\n");
      createGeneric(
          api,
          "rbac.maistra.io",
          "servicemeshrbacconfigs",
          "apiVersion: rbac.maistra.io/v1\nkind: ServiceMeshRbacConfig\n"
              + "metadata: {name: default, namespace: istio-system}\n"
              + "spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [a1, outside]}}\n");
      try (ControlPlane cp =
              ControlPlane.start(
                  ControlPlane.Options.forTest(null, "istio-system"),
                  new ControlPlane.Kube(
                      api.newClient("serving"), WatchScope.NAMESPACES, Duration.ofSeconds(20)),
                  null);
          AnalysisStatus status =
              new AnalysisStatus(api.newClient("status"), "istio-system", Clock.systemUTC());
          WriterLease lease =
              new WriterLease(
                  api.newClient("status"), "istio-system", Application.STATUS_LEASE, "test")) {
        lease.add(status);
        status.follow(cp.kubeSource()::servedVersion, cp.pipeline().status());
        cp.pipeline().afterPush(status::analysed);
        lease.start();
        MultitenancyIT.await(
            "every analysed object of the mesh has a status, and the Lease was renewed",
            () -> {
              List<String> sent = api.requestsFrom("status");
              return sent.stream().filter(r -> r.startsWith("PUT") && r.endsWith("/status")).count()
                      >= 10
                  && sent.stream().anyMatch(r -> r.startsWith("PATCH") && r.contains("/leases/"));
            });
      }
      List<String> sent = api.requestsFrom("status");
      assertThat(sent).noneMatch(r -> r.contains("/namespaces/outside/"));
      Set<ApiRequest> reader =
          grants("control-plane.yaml", "ClusterRole", "mizzen-reader-istio-system");
      Set<ApiRequest> statusRole =
          grants("control-plane.yaml", "ClusterRole", "mizzen-status-istio-system");
      Set<ApiRequest> role = grants("control-plane.yaml", "Role", "mizzen");
      Map<ApiRequest, Set<String>> roleByName = namedGrants("control-plane.yaml", "Role", "mizzen");
      // In a member: the status of each kind, written; the objects, read through the reader.
      Set<ApiRequest> inMember = used(sent, r -> r.namespace().equals("a1"));
      assertThat(inMember.stream().filter(r -> r.resource().endsWith("/status")).toList())
          .containsExactlyInAnyOrderElementsOf(statusRole);
      assertThat(reader)
          .containsAll(inMember.stream().filter(r -> !r.resource().endsWith("/status")).toList());
      // In the control plane's namespace: the Maistra kinds' status and the Lease, by the Role.
      Set<ApiRequest> writes = new TreeSet<>(Comparator.comparing(ApiRequest::toString));
      for (String request : sent) {
        ApiRequest r = ApiRequest.parse(request);
        if (r == null || !r.namespace().equals("istio-system")) {
          continue;
        }
        boolean granted =
            role.contains(r.anyNamespace())
                || grantedByName(roleByName, request)
                || reader.contains(r.anyNamespace())
                || statusRole.contains(r.anyNamespace());
        assertThat(granted).as("%s is granted", request).isTrue();
        if (!r.verb().equals("list") && !r.verb().equals("watch")) {
          writes.add(r.anyNamespace());
        }
      }
      Set<ApiRequest> roleWrites = new TreeSet<>(Comparator.comparing(ApiRequest::toString));
      role.stream()
          .filter(g -> !g.verb().equals("list") && !g.verb().equals("watch"))
          .forEach(roleWrites::add);
      roleByName.keySet().forEach(roleWrites::add);
      assertThat(writes).as("every write the Role grants is used").containsAll(roleWrites);
      assertThat(roleWrites).as("every write in istio-system is the Role's").containsAll(writes);
    }
  }

  @Test
  void theCaIsGrantedWhatItUsesInItsOwnNamespaceAndTokenReviews() throws Exception {
    try (MockApiServer api = new MockApiServer()) {
      api.create(MeshYaml.memberRoll("istio-system", List.of("a1")));
      api.configure("istio-system", "default", List.of("a1"));
      try (ControlPlane cp =
          ControlPlane.start(
              ControlPlane.Options.forTest(null, "istio-system"),
              new ControlPlane.Kube(
                  api.newClient("serving"), WatchScope.NAMESPACES, Duration.ofSeconds(20)),
              new ControlPlane.SecureXds(
                  new java.net.InetSocketAddress("127.0.0.1", 0),
                  null,
                  new ControlPlane.Ca(
                      null, "cluster.local", List.of("mizzen.istio-system.svc"))))) {
        Callers.tokenReview(api.newClient("serving"))
            .review(api.serviceAccountToken("a1", "default", Callers.AUDIENCE));
      }
      Set<ApiRequest> role = grants("control-plane.yaml", "Role", "mizzen-ca");
      Map<ApiRequest, Set<String>> roleByName =
          namedGrants("control-plane.yaml", "Role", "mizzen-ca");
      List<String> ca =
          api.requestsFrom("serving").stream()
              .filter(r -> r.contains("/secrets") || r.contains("/tokenreviews"))
              .toList();
      assertThat(ca)
          .anyMatch(r -> r.startsWith("POST /api/v1/namespaces/istio-system/secrets"))
          .anyMatch(r -> r.startsWith("POST /apis/authentication.k8s.io/v1/tokenreviews"));
      for (String request : ca) {
        ApiRequest r = ApiRequest.parse(request);
        boolean granted =
            r.resource().equals("tokenreviews")
                ? r.verb().equals("create")
                : r.namespace().equals("istio-system")
                    && (role.contains(r.anyNamespace()) || grantedByName(roleByName, request));
        assertThat(granted).as("%s is granted", request).isTrue();
      }
      JsonNode delegator =
          object("control-plane.yaml", "ClusterRoleBinding", "mizzen-auth-delegator-istio-system");
      assertThat(delegator.path("roleRef").path("name").asText())
          .isEqualTo("system:auth-delegator");
      assertThat(delegator.path("subjects").get(0).path("name").asText()).isEqualTo("mizzen");
    }
  }

  @Test
  void theMemberControllerIsGrantedAllItDoes() throws Exception {
    try (MockApiServer api = new MockApiServer()) {
      for (String ns : List.of("istio-system", "a1", "a2", "joiner")) {
        api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
      }
      for (String file : List.of("control-plane.yaml", "member-controller.yaml")) {
        for (JsonNode o : objects(file)) {
          if (o.path("kind").asText().equals("RoleBinding")) {
            api.create(o.toString());
          }
        }
      }
      api.create(
          "apiVersion: v1\nkind: Secret\nmetadata: {name: istio-ca-secret, namespace: istio-system}\n"
              + "stringData: {ca-cert.pem: \"-----BEGIN CERTIFICATE-----\\nroot\\n-----END CERTIFICATE-----\\n\"}\n");
      api.create(MeshYaml.memberRoll("istio-system", List.of("a1", "a2")));
      api.create(
          "apiVersion: maistra.io/v1\nkind: ServiceMeshMember\nmetadata: {name: default, namespace: joiner}\nspec: {controlPlaneRef: {name: basic, namespace: istio-system}}\n");
      // The webhooks' configurations as deploy/ has them, less the annotation for OpenShift's
      // service CA (as elsewhere), so that the member controller keeps their caBundle.
      for (JsonNode o : objects("control-plane.yaml")) {
        if (o.path("kind").asText().endsWith("WebhookConfiguration")) {
          ((ObjectNode) o.path("metadata")).remove("annotations");
          api.create(o.toString());
        }
      }
      Path webhookCert = new Certificates(dir).caCertificate();
      try (KubernetesClient c = api.newClient();
          CaBundleWriter bundles =
              new CaBundleWriter(api.newClient("member-controller"), "istio-system", webhookCert);
          MemberController controller =
              new MemberController(
                  api.newClient("member-controller"),
                  MemberController.Settings.defaults("istio-system", "default", "test"))) {
        controller.add(bundles);
        controller.start();
        MultitenancyIT.await(
            "the validator's caBundle is kept",
            () ->
                c.admissionRegistration()
                        .v1()
                        .validatingWebhookConfigurations()
                        .withName("mizzen-validator-istio-system")
                        .get()
                        .getWebhooks()
                        .get(1)
                        .getClientConfig()
                        .getCaBundle()
                    != null);
        MultitenancyIT.await(
            "all are configured",
            () ->
                List.of("a1", "a2", "joiner")
                    .equals(
                        c.genericKubernetesResources(MockApiServer.ROLLS)
                            .inNamespace("istio-system")
                            .withName("default")
                            .get()
                            .get("status", "configuredMembers")));
        MultitenancyIT.await(
            "a2 has the root certificate",
            () -> c.configMaps().inNamespace("a2").withName("istio-ca-root-cert").get() != null);
        api.setMembers("istio-system", "default", List.of("a1"));
        MultitenancyIT.await(
            "a2 is let go",
            () -> c.network().v1().networkPolicies().inNamespace("a2").list().getItems().isEmpty());
        assertThat(c.configMaps().inNamespace("a2").withName("istio-ca-root-cert").get()).isNull();
      }
      Set<ApiRequest> cluster =
          grants("member-controller.yaml", "ClusterRole", "mizzen-member-controller-istio-system");
      Map<ApiRequest, Set<String>> clusterByName =
          namedGrants(
              "member-controller.yaml", "ClusterRole", "mizzen-member-controller-istio-system");
      Set<ApiRequest> role = grants("member-controller.yaml", "Role", "mizzen-member-controller");
      Map<ApiRequest, Set<String>> roleByName =
          namedGrants("member-controller.yaml", "Role", "mizzen-member-controller");
      // Bound in the members by copies of the RoleBinding mizzen-ca-root, never cluster-wide.
      Set<ApiRequest> caRoot =
          grants("member-controller.yaml", "ClusterRole", "mizzen-ca-root-istio-system");
      Map<ApiRequest, Set<String>> caRootByName =
          namedGrants("member-controller.yaml", "ClusterRole", "mizzen-ca-root-istio-system");
      List<String> sent = api.requestsFrom("member-controller");
      assertThat(sent).isNotEmpty();
      for (String request : sent) {
        ApiRequest r = ApiRequest.parse(request);
        if (r == null) {
          continue;
        }
        boolean inControlPlane = r.namespace().equals("istio-system");
        boolean granted =
            cluster.contains(r.anyNamespace())
                || grantedByName(clusterByName, request)
                || (inControlPlane
                    && (role.contains(r.anyNamespace()) || grantedByName(roleByName, request)))
                || (!r.namespace().isEmpty()
                    && (caRoot.contains(r.anyNamespace()) || grantedByName(caRootByName, request)));
        assertThat(granted).as("%s is granted", request).isTrue();
      }
      // The webhooks' configurations: granted by name, and all of it used.
      Set<String> webhookRequests = new TreeSet<>();
      for (String request : sent) {
        ApiRequest r = ApiRequest.parse(request);
        if (r != null && r.group().equals("admissionregistration.k8s.io")) {
          webhookRequests.add(r.verb() + " " + r.resource() + "/" + ApiRequest.name(request));
        }
      }
      Set<String> webhookGrants = new TreeSet<>();
      clusterByName.forEach(
          (g, names) -> {
            if (g.group().equals("admissionregistration.k8s.io")) {
              names.forEach(n -> webhookGrants.add(g.verb() + " " + g.resource() + "/" + n));
            }
          });
      assertThat(webhookRequests)
          .isEqualTo(webhookGrants)
          .containsExactlyInAnyOrder(
              "get validatingwebhookconfigurations/mizzen-validator-istio-system",
              "patch validatingwebhookconfigurations/mizzen-validator-istio-system",
              "get mutatingwebhookconfigurations/mizzen-sidecar-injector-istio-system",
              "patch mutatingwebhookconfigurations/mizzen-sidecar-injector-istio-system");
      assertThat(cluster)
          .as("no webhook configuration is granted but by name")
          .noneMatch(g -> g.group().equals("admissionregistration.k8s.io"));
    }
  }

  @Test
  void theValidationWebhookJudgesEveryKindMizzenReadsAndIsServed() throws Exception {
    JsonNode config =
        object(
            "control-plane.yaml",
            "ValidatingWebhookConfiguration",
            "mizzen-validator-istio-system");
    assertThat(
            config
                .path("metadata")
                .path("annotations")
                .path("service.beta.openshift.io/inject-cabundle")
                .asText())
        .isEqualTo("true");
    // What Mizzen reads of Istio's and Maistra's kinds, as the webhook's rules list it.
    Map<String, Set<String>> versions = new TreeMap<>();
    Map<String, Set<String>> resources = new TreeMap<>();
    for (Kind<?> k : ConfigValidation.kinds()) {
      versions.computeIfAbsent(k.group(), g -> new TreeSet<>()).addAll(k.versions());
      resources.computeIfAbsent(k.group(), g -> new TreeSet<>()).add(k.plural());
    }
    JsonNode hooks = config.path("webhooks");
    assertThat(hooks).hasSize(2);
    List<String> selectors = new ArrayList<>();
    for (JsonNode hook : hooks) {
      assertThat(hook.path("admissionReviewVersions").toString()).isEqualTo("[\"v1\"]");
      assertThat(hook.path("sideEffects").asText()).isEqualTo("None");
      assertThat(hook.path("failurePolicy").asText()).isEqualTo("Fail");
      assertThat(hook.path("timeoutSeconds").asInt()).isEqualTo(10);
      assertThat(hook.path("clientConfig").path("service").toString())
          .isEqualTo(
              "{\"name\":\"mizzen\",\"namespace\":\"istio-system\",\"path\":\"/validate\",\"port\":15017}");
      Map<String, Set<String>> ruleVersions = new TreeMap<>();
      Map<String, Set<String>> ruleResources = new TreeMap<>();
      for (JsonNode rule : hook.path("rules")) {
        assertThat(rule.path("operations").toString()).isEqualTo("[\"CREATE\",\"UPDATE\"]");
        assertThat(rule.path("scope").asText()).isEqualTo("Namespaced");
        assertThat(rule.path("apiGroups")).hasSize(1);
        String group = rule.path("apiGroups").get(0).asText();
        rule.path("apiVersions")
            .forEach(
                v -> ruleVersions.computeIfAbsent(group, g -> new TreeSet<>()).add(v.asText()));
        rule.path("resources")
            .forEach(
                r -> ruleResources.computeIfAbsent(group, g -> new TreeSet<>()).add(r.asText()));
      }
      assertThat(ruleVersions).isEqualTo(versions);
      assertThat(ruleResources).isEqualTo(resources);
      assertThat(hook.has("objectSelector")).isFalse();
      selectors.add(hook.path("namespaceSelector").toString());
    }
    assertThat(selectors)
        .containsExactly(
            "{\"matchLabels\":{\"maistra.io/member-of\":\"istio-system\"}}",
            "{\"matchLabels\":{\"kubernetes.io/metadata.name\":\"istio-system\"},"
                + "\"matchExpressions\":[{\"key\":\"maistra.io/member-of\",\"operator\":\"DoesNotExist\"}]}");

    JsonNode container =
        object("control-plane.yaml", "Deployment", "mizzen")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    assertThat(
            new picocli.CommandLine(new Mizzen())
                .parseArgs(args.toArray(String[]::new))
                .subcommand()
                .hasMatchedOption("--validation-webhook"))
        .isTrue();
  }

  @Test
  void theMemberControllerMayBindEveryClusterRoleItsCopiesGrant() throws Exception {
    Set<String> bindable = new TreeSet<>();
    for (JsonNode rule :
        object("member-controller.yaml", "ClusterRole", "mizzen-member-controller-istio-system")
            .path("rules")) {
      boolean bind = false;
      for (JsonNode v : rule.path("verbs")) {
        bind |= v.asText().equals("bind");
      }
      if (bind) {
        rule.path("resourceNames").forEach(n -> bindable.add(n.asText()));
      }
    }
    Set<String> copied = new TreeSet<>();
    for (String file : List.of("control-plane.yaml", "member-controller.yaml")) {
      for (JsonNode o : objects(file)) {
        if (o.path("kind").asText().equals("RoleBinding")
            && o.path("metadata").path("labels").has("maistra.io/owner")
            && o.path("roleRef").path("kind").asText().equals("ClusterRole")) {
          copied.add(o.path("roleRef").path("name").asText());
        }
      }
    }
    assertThat(copied).isNotEmpty();
    // The API server refuses a RoleBinding to a role whose rights its creator may not bind.
    assertThat(bindable).containsAll(copied);
  }

  @Test
  void everyClusterScopedObjectNamesItsControlPlane() throws Exception {
    try (var files = Files.list(DEPLOY)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        for (JsonNode o : objects(f.getFileName().toString())) {
          String kind = o.path("kind").asText();
          if (kind.startsWith("Cluster") || kind.endsWith("WebhookConfiguration")) {
            assertThat(o.path("metadata").path("name").asText())
                .as("%s in %s", kind, f)
                .endsWith("-istio-system");
            assertThat(o.path("metadata").path("labels").path("maistra.io/owner").asText())
                .as("%s in %s", kind, f)
                .isEqualTo("istio-system");
          }
        }
      }
    }
  }

  @Test
  void iorIsGrantedExactlyWhatItUsesAndOnlyInTheMembers() throws Exception {
    List<String> seen;
    try (MockApiServer api = MockApiServer.openShift()) {
      for (String ns : List.of("istio-system", "a1", "a2")) {
        api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
      }
      for (String file : List.of("control-plane.yaml", "member-controller.yaml")) {
        for (JsonNode o : objects(file)) {
          if (o.path("kind").asText().equals("RoleBinding")) {
            api.create(o.toString());
          }
        }
      }
      api.create(
          "apiVersion: v1\nkind: Pod\nmetadata: {name: ingress-1, namespace: istio-system, labels: {istio: ingressgateway}}\nspec: {containers: [{name: p, image: p}]}\n");
      api.create(
          "apiVersion: v1\nkind: Service\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\nspec: {selector: {istio: ingressgateway}, ports: [{name: http2, port: 80}]}\n");
      api.create(
          "apiVersion: v1\nkind: Pod\nmetadata: {name: own-1, namespace: a2, labels: {istio: own}}\nspec: {containers: [{name: p, image: p}]}\n");
      api.create(
          "apiVersion: v1\nkind: Service\nmetadata: {name: own, namespace: a2}\nspec: {selector: {istio: own}, ports: [{name: http2, port: 80}]}\n");
      String servers =
          "  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [foo.example.com]}]\n";
      api.create(
          "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: a1}\nspec:\n  selector: {istio: ingressgateway}\n"
              + servers);
      api.create(
          "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: a2}\nspec:\n  selector: {istio: own}\n"
              + servers);
      api.create(MeshYaml.memberRoll("istio-system", List.of("a1", "a2")));
      MemberController.Settings settings =
          MemberController.Settings.defaults("istio-system", "default", "test");
      try (KubernetesClient c = api.newClient();
          IorController ior = new IorController(api.newClient("ior"), settings);
          MemberController controller =
              new MemberController(api.newClient("member-controller"), settings)) {
        controller.add(ior);
        controller.start();
        var routes = c.resources(Route.class);
        MultitenancyIT.await(
            "both Routes",
            () ->
                routes.inNamespace("istio-system").list().getItems().size() == 1
                    && routes.inNamespace("a2").list().getItems().size() == 1);
        // A rewrite: a Route changed by hand goes back to what its Gateway asks.
        var route = routes.inNamespace("istio-system").list().getItems().get(0);
        route.getSpec().getPort().setTargetPort(new IntOrString("other"));
        routes.inNamespace("istio-system").resource(route).update();
        MultitenancyIT.await(
            "rewritten",
            () ->
                "http2"
                    .equals(
                        routes
                            .inNamespace("istio-system")
                            .list()
                            .getItems()
                            .get(0)
                            .getSpec()
                            .getPort()
                            .getTargetPort()
                            .getStrVal()));
        api.setMembers("istio-system", "default", List.of("a1"));
        MultitenancyIT.await(
            "a2 is let go",
            () -> c.rbac().roleBindings().inNamespace("a2").list().getItems().isEmpty());
        assertThat(routes.inNamespace("a2").list().getItems()).isEmpty();
      }
      seen = api.requestsWithAgents();
    }
    List<ApiRequest> used =
        seen.stream()
            .filter(r -> r.startsWith("ior: "))
            .map(r -> ApiRequest.parse(r.substring(5)))
            .filter(Objects::nonNull)
            .toList();
    assertThat(used).isNotEmpty();
    assertThat(used)
        .as("only in the mesh's namespaces")
        .allMatch(r -> Set.of("istio-system", "a1", "a2").contains(r.namespace()));
    Set<ApiRequest> granted =
        grants("member-controller.yaml", "ClusterRole", "mizzen-ior-istio-system");
    // Checked by OpenShift on a Route that names its host; no request asks for it.
    granted.removeIf(g -> g.resource().equals("routes/custom-host"));
    Set<ApiRequest> usedAnywhere = new TreeSet<>(Comparator.comparing(ApiRequest::toString));
    used.forEach(r -> usedAnywhere.add(r.anyNamespace()));
    assertThat(usedAnywhere).isEqualTo(granted);
    int lastInA2 = -1;
    int unbound = -1;
    for (int i = 0; i < seen.size(); i++) {
      String r = seen.get(i);
      if (r.startsWith("ior: ") && r.contains("/namespaces/a2/")) {
        lastInA2 = i;
      }
      if (r.startsWith(
              "member-controller: DELETE /apis/rbac.authorization.k8s.io/v1/namespaces/a2/rolebindings")
          && unbound < 0) {
        unbound = i;
      }
    }
    assertThat(unbound).as("a2's RoleBindings are deleted").isPositive();
    assertThat(lastInA2)
        .as("IOR is done in a2 before its RoleBinding there goes")
        .isLessThan(unbound);
  }

  @Test
  void theInjectionWebhookSelectsOnlyThisControlPlanesMembersAndIsServed() throws Exception {
    JsonNode config =
        object(
            "control-plane.yaml",
            "MutatingWebhookConfiguration",
            "mizzen-sidecar-injector-istio-system");
    assertThat(config.path("webhooks")).hasSize(1);
    JsonNode hook = config.path("webhooks").get(0);
    assertThat(hook.path("namespaceSelector").toString())
        .isEqualTo("{\"matchLabels\":{\"maistra.io/member-of\":\"istio-system\"}}");
    assertThat(hook.has("objectSelector")).isFalse();
    assertThat(hook.path("failurePolicy").asText()).isEqualTo("Fail");
    assertThat(hook.path("sideEffects").asText()).isEqualTo("None");
    assertThat(hook.path("admissionReviewVersions").toString()).isEqualTo("[\"v1\"]");
    assertThat(hook.path("rules").toString())
        .isEqualTo(
            "[{\"operations\":[\"CREATE\"],\"apiGroups\":[\"\"],\"apiVersions\":[\"v1\"],\"resources\":[\"pods\"],\"scope\":\"Namespaced\"}]");
    JsonNode service = hook.path("clientConfig").path("service");
    assertThat(service.toString())
        .isEqualTo(
            "{\"name\":\"mizzen\",\"namespace\":\"istio-system\",\"path\":\"/inject\",\"port\":15017}");

    JsonNode svc = object("control-plane.yaml", "Service", "mizzen");
    assertThat(svc.path("spec").path("ports").findValuesAsText("port")).contains("15017");
    JsonNode container =
        object("control-plane.yaml", "Deployment", "mizzen")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    List<String> args = new ArrayList<>();
    container.path("args").forEach(a -> args.add(a.asText()));
    picocli.CommandLine.ParseResult serve =
        new picocli.CommandLine(new Mizzen()).parseArgs(args.toArray(String[]::new)).subcommand();
    assertThat(serve.hasMatchedOption("--inject")).isTrue();
    assertThat(serve.matchedOptionValue("--webhook-port", 15017))
        .isEqualTo(service.path("port").asInt());
    assertThat(container.path("ports").findValuesAsText("containerPort")).contains("15017");

    JsonNode controller =
        object("member-controller.yaml", "Deployment", "mizzen-member-controller")
            .path("spec")
            .path("template")
            .path("spec")
            .path("containers")
            .get(0);
    List<String> controllerArgs = new ArrayList<>();
    controller.path("args").forEach(a -> controllerArgs.add(a.asText()));
    assertThat(
            new picocli.CommandLine(new Mizzen())
                .parseArgs(controllerArgs.toArray(String[]::new))
                .subcommand()
                .hasMatchedOption("--ior"))
        .isTrue();

    // Another control plane's copy, made as the README says, names and selects its own.
    String meshB =
        Files.readString(DEPLOY.resolve("control-plane.yaml")).replace("istio-system", "mesh-b");
    assertThat(meshB)
        .contains("name: mizzen-sidecar-injector-mesh-b")
        .contains("matchLabels: {maistra.io/member-of: mesh-b}")
        .doesNotContain("istio-system");
  }
}
