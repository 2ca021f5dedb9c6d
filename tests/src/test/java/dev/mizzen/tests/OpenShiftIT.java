package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.openshift.inject.Injection;
import dev.mizzen.openshift.inject.InjectionTemplate;
import dev.mizzen.openshift.ior.IorController;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.tenancy.controller.MemberController;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.mesh.MeshYaml;
import io.fabric8.openshift.api.model.Route;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control planes in one OpenShift cluster, each with its member controller running IOR and its
 * serving control plane running the injection webhook: each mirrors and injects its own members
 * only, and follows its roll.
 */
class OpenShiftIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path pki;
  private MockApiServer api;
  private final List<AutoCloseable> running = new ArrayList<>();
  private ControlPlane meshA;
  private ControlPlane meshB;
  private HttpClient https;

  @BeforeEach
  void cluster() throws Exception {
    api = MockApiServer.openShift();
    for (String ns : List.of("istio-system", "mesh-b", "a1", "a2", "b1")) {
      api.create("apiVersion: v1\nkind: Namespace\nmetadata: {name: " + ns + "}\n");
    }
    for (String cp : List.of("istio-system", "mesh-b")) {
      api.create(
          "apiVersion: v1\nkind: Pod\nmetadata: {name: ingress-1, namespace: "
              + cp
              + ", labels: {istio: ingressgateway}}\nspec: {containers: [{name: p, image: p}]}\n");
      api.create(
          "apiVersion: v1\nkind: Service\nmetadata: {name: istio-ingressgateway, namespace: "
              + cp
              + "}\nspec: {selector: {istio: ingressgateway}, ports: [{name: http2, port: 80}]}\n");
    }
    api.create(MeshYaml.memberRoll("istio-system", List.of("a1")));
    api.create(MeshYaml.memberRoll("mesh-b", List.of("b1")));
    Certificates certs = new Certificates(pki);
    Certificates.Issued serving = certs.server();
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certs.caCertificate())) {
      trust.setCertificateEntry(
          "ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    https = HttpClient.newBuilder().sslContext(ctx).build();
    meshA = controlPlane("istio-system", serving);
    meshB = controlPlane("mesh-b", serving);
  }

  private ControlPlane controlPlane(String namespace, Certificates.Issued serving)
      throws Exception {
    MemberController.Settings settings =
        MemberController.Settings.defaults(namespace, "default", namespace + "-1");
    MemberController members =
        new MemberController(api.newClient("members-" + namespace), settings);
    IorController ior = new IorController(api.newClient("ior-" + namespace), settings);
    members.add(ior);
    running.add(ior);
    running.add(members);
    members.start();
    MultitenancyIT.await(
        namespace + " configures its member", () -> !configured(namespace).isEmpty());
    ControlPlane cp =
        ControlPlane.start(
            ControlPlane.Options.forTest(null, namespace),
            new ControlPlane.Kube(api.newClient(), WatchScope.NAMESPACES, Duration.ofSeconds(20)),
            null,
            new ControlPlane.Webhook(
                new InetSocketAddress("127.0.0.1", 0),
                serving.certificate(),
                serving.privateKey(),
                new Injection(
                    namespace,
                    Injection.serviceAddress(namespace, 15012),
                    "cluster.local",
                    false,
                    InjectionTemplate.builtIn()),
                true));
    running.add(cp);
    return cp;
  }

  private List<?> configured(String namespace) {
    Object v =
        api.client()
            .genericKubernetesResources(MockApiServer.ROLLS)
            .inNamespace(namespace)
            .withName("default")
            .get()
            .get("status", "configuredMembers");
    return v instanceof List<?> l ? l : List.of();
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = running.size() - 1; i >= 0; i--) {
      running.get(i).close();
    }
    api.close();
  }

  /** What the webhook of {@code cp} says about an annotated pod in {@code namespace}. */
  private String inject(ControlPlane cp, String namespace) throws Exception {
    String review =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\""
            + UUID.randomUUID()
            + "\","
            + "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},\"namespace\":\""
            + namespace
            + "\",\"operation\":\"CREATE\","
            + "\"object\":{\"metadata\":{\"name\":\"web-1\",\"annotations\":{\"sidecar.istio.io/inject\":\"true\"}},"
            + "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"web\"}]}}}}";
    HttpResponse<String> r =
        https.send(
            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + cp.webhookPort() + "/inject"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(review))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode patch =
        JSON.readTree(
            Base64.getDecoder()
                .decode(JSON.readTree(r.body()).path("response").path("patch").asText()));
    for (JsonNode op : patch) {
      if (op.path("path").asText().endsWith("sidecar.maistra.io~1injection")) {
        return op.path("value").asText();
      }
      if (op.path("path").asText().equals("/metadata/annotations")) {
        return op.path("value").path("sidecar.maistra.io/injection").asText();
      }
    }
    throw new AssertionError("no decision in " + patch);
  }

  /**
   * What the validating webhook of {@code cp} answers for the creation of {@code object} (JSON):
   * "allowed", or the refusal's message.
   */
  private String validate(ControlPlane cp, String kind, String namespace, String object)
      throws Exception {
    String review =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\""
            + UUID.randomUUID()
            + "\",\"kind\":"
            + kind
            + ",\"namespace\":\""
            + namespace
            + "\",\"operation\":\"CREATE\",\"userInfo\":{\"username\":\"admin\"},\"object\":"
            + object
            + ",\"dryRun\":false}}";
    HttpResponse<String> r =
        https.send(
            HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + cp.webhookPort() + "/validate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(review))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode response = JSON.readTree(r.body()).path("response");
    return response.path("allowed").asBoolean()
        ? "allowed"
        : response.path("status").path("message").asText();
  }

  /** What {@code cp} answers for a VirtualService in {@code namespace} whose regex RE2 refuses. */
  private String badRegex(ControlPlane cp, String namespace) {
    try {
      return validate(
          cp,
          "{\"group\":\"networking.istio.io\",\"version\":\"v1\",\"kind\":\"VirtualService\"}",
          namespace,
          "{\"apiVersion\":\"networking.istio.io/v1\",\"kind\":\"VirtualService\",\"metadata\":{\"name\":\"shop\",\"namespace\":\""
              + namespace
              + "\"},\"spec\":{\"hosts\":[\"shop\"],\"http\":[{\"match\":[{\"uri\":{\"regex\":\"(?!x)\"}}],"
              + "\"route\":[{\"destination\":{\"host\":\"shop\"}}]}]}}");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private String decision(ControlPlane cp, String namespace) {
    try {
      return inject(cp, namespace);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> routes(String namespace) {
    return api.client().resources(Route.class).inNamespace(namespace).list().getItems().stream()
        .map(r -> r.getMetadata().getName())
        .sorted()
        .toList();
  }

  @Test
  void eachControlPlaneMirrorsAndInjectsItsOwnMembersOnly() throws Exception {
    String servers =
        "  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: [shop.example.com]}]\n";
    for (String ns : List.of("a1", "a2", "b1")) {
      api.create(
          "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: gw, namespace: "
              + ns
              + "}\nspec:\n  selector: {istio: ingressgateway}\n"
              + servers);
    }
    MultitenancyIT.await(
        "a1's and b1's Routes",
        () ->
            routes("istio-system").equals(List.of("a1-gw-951623a2"))
                && routes("mesh-b").equals(List.of("b1-gw-951623a2")));

    assertThat(inject(meshA, "a1")).isEqualTo("injected");
    assertThat(inject(meshA, "b1"))
        .isEqualTo("not injected: namespace b1 is not a member of the mesh of istio-system");
    assertThat(inject(meshA, "a2"))
        .isEqualTo("not injected: namespace a2 is not a member of the mesh of istio-system");
    assertThat(inject(meshB, "b1")).isEqualTo("injected");
    assertThat(inject(meshB, "a1"))
        .isEqualTo("not injected: namespace a1 is not a member of the mesh of mesh-b");

    // a2 joins istio-system's mesh: its Gateway is mirrored and its pods are injected.
    api.setMembers("istio-system", "default", List.of("a1", "a2"));
    MultitenancyIT.await(
        "a2's Route",
        () -> routes("istio-system").equals(List.of("a1-gw-951623a2", "a2-gw-951623a2")));
    MultitenancyIT.await("a2's pods are injected", () -> "injected".equals(decision(meshA, "a2")));

    // a1 leaves: its Route goes, its pods are no longer injected.
    api.setMembers("istio-system", "default", List.of("a2"));
    MultitenancyIT.await(
        "a1's Route is gone", () -> routes("istio-system").equals(List.of("a2-gw-951623a2")));
    MultitenancyIT.await(
        "a1's pods are not injected",
        () -> decision(meshA, "a1").startsWith("not injected: namespace a1"));
    assertThat(routes("mesh-b")).containsExactly("b1-gw-951623a2");

    for (String request : api.requestsFrom("ior-istio-system")) {
      assertThat(request).doesNotContain("/namespaces/b1/").doesNotContain("/namespaces/mesh-b/");
    }
    for (String request : api.requestsFrom("ior-mesh-b")) {
      assertThat(request)
          .doesNotContain("/namespaces/a1/")
          .doesNotContain("/namespaces/a2/")
          .doesNotContain("/namespaces/istio-system/");
    }
  }

  @Test
  void eachControlPlaneJudgesTheObjectsOfItsOwnMeshOnly() throws Exception {
    String refusedInA1 =
        "VirtualService a1/shop: spec.http[0].match[0].uri.regex: invalid RE2 regular expression:"
            + " error parsing regexp: invalid or unsupported Perl syntax: `(?!`";
    assertThat(badRegex(meshA, "a1")).isEqualTo(refusedInA1);
    assertThat(badRegex(meshB, "a1")).isEqualTo("allowed");
    assertThat(badRegex(meshB, "b1")).startsWith("VirtualService b1/shop: ");
    assertThat(badRegex(meshA, "b1")).isEqualTo("allowed");
    assertThat(badRegex(meshA, "a2")).as("not yet a member").isEqualTo("allowed");

    // Its own namespace, where the mesh-wide Maistra kinds live, is judged by each control plane.
    String rbac =
        "{\"apiVersion\":\"rbac.maistra.io/v1\",\"kind\":\"ServiceMeshRbacConfig\",\"metadata\":{\"name\":\"default\",\"namespace\":\"NS\"},"
            + "\"spec\":{\"mode\":\"ON_WITH_EXCLUSION\"}}";
    String kind =
        "{\"group\":\"rbac.maistra.io\",\"version\":\"v1\",\"kind\":\"ServiceMeshRbacConfig\"}";
    assertThat(validate(meshA, kind, "istio-system", rbac.replace("NS", "istio-system")))
        .startsWith("ServiceMeshRbacConfig istio-system/default: ");
    assertThat(validate(meshB, kind, "istio-system", rbac.replace("NS", "istio-system")))
        .isEqualTo("allowed");
    assertThat(validate(meshB, kind, "mesh-b", rbac.replace("NS", "mesh-b")))
        .startsWith("ServiceMeshRbacConfig mesh-b/default: ");

    // a2 joins istio-system's mesh, a1 leaves: the webhook follows the roll.
    api.setMembers("istio-system", "default", List.of("a2"));
    MultitenancyIT.await("a2's objects are judged", () -> !badRegex(meshA, "a2").equals("allowed"));
    MultitenancyIT.await(
        "a1's objects are no longer judged", () -> badRegex(meshA, "a1").equals("allowed"));
  }
}
