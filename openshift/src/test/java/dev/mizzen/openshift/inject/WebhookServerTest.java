package dev.mizzen.openshift.inject;

import static dev.mizzen.openshift.inject.WebhookHarness.APP;
import static dev.mizzen.openshift.inject.WebhookHarness.container;
import static dev.mizzen.openshift.inject.WebhookHarness.decision;
import static dev.mizzen.openshift.inject.WebhookHarness.env;
import static dev.mizzen.openshift.inject.WebhookHarness.names;
import static dev.mizzen.openshift.inject.WebhookHarness.pod;
import static dev.mizzen.openshift.inject.WebhookHarness.review;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The injection webhook over HTTPS, as the API server calls it: AdmissionReviews in, JSON patches
 * out, each patch checked by applying it to the pod with zjsonpatch. That an injected proxy's node
 * is what Mizzen reads is checked across modules, in tests/ ({@code InjectedProxyTest}).
 */
class WebhookServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private WebhookHarness webhook;

  private void start(boolean cni) throws Exception {
    webhook = WebhookHarness.start(dir, cni);
  }

  @AfterEach
  void stop() {
    if (webhook != null) {
      webhook.close();
    }
  }

  private HttpResponse<String> post(String contentType, String body) throws Exception {
    return webhook.post(contentType, body);
  }

  private JsonNode admit(String namespace, ObjectNode pod) throws Exception {
    return webhook.admit(namespace, pod);
  }

  @Test
  void injectsPodsAnnotatedYesInAnyOfItsSpellings() throws Exception {
    start(false);
    for (String yes : List.of("true", "yes", "y", "on", "True", "YES", "On")) {
      JsonNode pod = admit("a1", pod("a1", "{\"sidecar.istio.io/inject\":\"" + yes + "\"}", APP));
      assertThat(decision(pod)).as(yes).isEqualTo("injected");
      assertThat(container(pod, "containers", "istio-proxy")).as(yes).isNotNull();
    }
  }

  @Test
  void anInjectedPodGetsTheProxyPointingAtTheSecurePort() throws Exception {
    start(false);
    JsonNode pod =
        admit(
            "a1",
            pod(
                "a1",
                "{\"sidecar.istio.io/inject\":\"true\",\"team\":\"web\"}",
                "{\"serviceAccountName\":\"web\",\"containers\":[{\"name\":\"web\",\"image\":\"web:1\"}],"
                    + "\"initContainers\":[{\"name\":\"migrate\",\"image\":\"web:1\"}],\"volumes\":[{\"name\":\"data\",\"emptyDir\":{}}]}"));
    assertThat(names(pod.path("spec").path("containers"))).containsExactly("web", "istio-proxy");
    assertThat(names(pod.path("spec").path("initContainers")))
        .containsExactly("migrate", "istio-init");
    assertThat(names(pod.path("spec").path("volumes")))
        .containsExactly(
            "data", "istio-envoy", "istio-data", "istio-podinfo", "istio-token", "istiod-ca-cert");
    assertThat(
            container(pod, "initContainers", "istio-init")
                .path("securityContext")
                .path("capabilities")
                .path("add")
                .toString())
        .isEqualTo("[\"NET_ADMIN\",\"NET_RAW\"]");
    assertThat(pod.path("metadata").path("labels").path("security.istio.io/tlsMode").asText())
        .isEqualTo("istio");
    assertThat(pod.path("metadata").path("annotations").path("team").asText()).isEqualTo("web");
    JsonNode status =
        JSON.readTree(
            pod.path("metadata").path("annotations").path("sidecar.istio.io/status").asText());
    assertThat(status.path("containers").toString()).isEqualTo("[\"istio-proxy\"]");
    assertThat(status.path("initContainers").toString()).isEqualTo("[\"istio-init\"]");

    Map<String, String> env = env(pod, "10.128.0.7");
    assertThat(JSON.readTree(env.get("PROXY_CONFIG")).path("discoveryAddress").asText())
        .isEqualTo("mizzen.istio-system.svc:15012");
  }

  @Test
  void inCniModeNoPrivilegedInitContainerIsAdded() throws Exception {
    start(true);
    JsonNode pod = admit("a1", pod("a1", "{\"sidecar.istio.io/inject\":\"true\"}", APP));
    assertThat(decision(pod)).isEqualTo("injected");
    assertThat(container(pod, "containers", "istio-proxy")).isNotNull();
    assertThat(pod.path("spec").has("initContainers")).isFalse();
    for (JsonNode c : pod.path("spec").path("containers")) {
      JsonNode security = c.path("securityContext");
      assertThat(security.path("privileged").asBoolean(false))
          .as(c.path("name").asText())
          .isFalse();
      assertThat(security.path("capabilities").path("add").toString())
          .as(c.path("name").asText())
          .doesNotContain("NET_ADMIN");
    }
    JsonNode status =
        JSON.readTree(
            pod.path("metadata").path("annotations").path("sidecar.istio.io/status").asText());
    assertThat(status.path("initContainers").isNull()).isTrue();
  }

  @Test
  void everyPodItDoesNotInjectIsAllowedAsItIsWithTheReason() throws Exception {
    start(false);
    Map<String, String> cases = new LinkedHashMap<>();
    JsonNode unannotated = admit("a1", pod("a1", null, APP));
    cases.put("unannotated", decision(unannotated));
    JsonNode no = admit("a1", pod("a1", "{\"sidecar.istio.io/inject\":\"false\"}", APP));
    cases.put("false", decision(no));
    JsonNode host =
        admit(
            "a1",
            pod(
                "a1",
                "{\"sidecar.istio.io/inject\":\"true\"}",
                "{\"hostNetwork\":true,\"containers\":[{\"name\":\"web\",\"image\":\"web:1\"}]}"));
    cases.put("hostNetwork", decision(host));
    JsonNode outsider = admit("b1", pod("b1", "{\"sidecar.istio.io/inject\":\"true\"}", APP));
    cases.put("not a member", decision(outsider));
    JsonNode controlPlane =
        admit("istio-system", pod("istio-system", "{\"sidecar.istio.io/inject\":\"true\"}", APP));
    cases.put("the control plane's namespace", decision(controlPlane));
    assertThat(cases)
        .containsExactly(
            Map.entry(
                "unannotated",
                "not injected: not annotated sidecar.istio.io/inject (injection is opt-in)"),
            Map.entry("false", "not injected: annotated sidecar.istio.io/inject: \"false\""),
            Map.entry("hostNetwork", "not injected: the pod uses the node's network (hostNetwork)"),
            Map.entry(
                "not a member",
                "not injected: namespace b1 is not a member of the mesh of istio-system"),
            Map.entry(
                "the control plane's namespace",
                "not injected: namespace istio-system is not a member of the mesh of istio-system"));
    for (JsonNode pod : List.of(unannotated, no, host, outsider, controlPlane)) {
      ObjectNode without = pod.deepCopy();
      ((ObjectNode) without.path("metadata").path("annotations"))
          .remove("sidecar.maistra.io/injection");
      if (without.path("metadata").path("annotations").isEmpty()) {
        ((ObjectNode) without.path("metadata")).remove("annotations");
      }
      assertThat(without.path("spec"))
          .as("only the explanation is added")
          .isEqualTo(pod.path("spec"));
      assertThat(names(pod.path("spec").path("containers"))).containsExactly("web");
    }
  }

  @Test
  void malformedReviewsAreRefusedWithTheReasonAndTheServerKeepsServing() throws Exception {
    start(false);
    HttpResponse<String> notJson = post("application/json", "{not json");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).startsWith("malformed AdmissionReview: the body is not JSON: ");
    HttpResponse<String> v1beta1 =
        post(
            "application/json",
            "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"1\"}}");
    assertThat(v1beta1.statusCode()).isEqualTo(400);
    assertThat(v1beta1.body())
        .isEqualTo(
            "malformed AdmissionReview: apiVersion must be \"admission.k8s.io/v1\", not \"admission.k8s.io/v1beta1\"\n");
    HttpResponse<String> noUid =
        post(
            "application/json",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}");
    assertThat(noUid.body()).isEqualTo("malformed AdmissionReview: request.uid is missing\n");
    HttpResponse<String> noRequest =
        post(
            "application/json",
            "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}");
    assertThat(noRequest.body()).isEqualTo("malformed AdmissionReview: request is missing\n");
    String noPod =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"2\",\"namespace\":\"a1\","
            + "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},\"operation\":\"CREATE\",\"object\":\"web\"}}";
    assertThat(post("application/json", noPod).body())
        .isEqualTo(
            "malformed AdmissionReview: request.object: a Pod with spec.containers is required to create a pod\n");
    HttpResponse<String> text = post("text/plain", review("3", "a1", pod("a1", null, APP)));
    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(text.body())
        .isEqualTo(
            "malformed AdmissionReview: Content-Type must be application/json, not text/plain\n");
    HttpResponse<String> get = webhook.get("/inject");
    assertThat(get.statusCode()).isEqualTo(405);

    // Requests it has nothing to do with are allowed untouched.
    String deployment =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"4\",\"namespace\":\"a1\","
            + "\"resource\":{\"group\":\"apps\",\"version\":\"v1\",\"resource\":\"deployments\"},\"operation\":\"CREATE\",\"object\":{}}}";
    JsonNode allowed = JSON.readTree(post("application/json", deployment).body()).path("response");
    assertThat(allowed.path("allowed").asBoolean()).isTrue();
    assertThat(allowed.has("patch")).isFalse();

    assertThat(decision(admit("a1", pod("a1", "{\"sidecar.istio.io/inject\":\"yes\"}", APP))))
        .isEqualTo("injected");
  }

  @Test
  void aRotatedCertificateIsServedWithoutARestart() throws Exception {
    TestCertificates certificates = new TestCertificates();
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    X509Certificate first = certificates.server(cert, key, false);
    ServingCertificate serving = new ServingCertificate(cert, key, 0);
    assertThat(serving.getCertificateChain(serving.chooseEngineServerAlias("EC", null, null))[0])
        .isEqualTo(first);
    X509Certificate second = certificates.server(cert, key, false);
    Files.setLastModifiedTime(cert, FileTime.fromMillis(System.currentTimeMillis() + 2000));
    assertThat(serving.getCertificateChain(serving.chooseEngineServerAlias("EC", null, null))[0])
        .isEqualTo(second);
    Files.writeString(key, "garbage");
    Files.setLastModifiedTime(key, FileTime.fromMillis(System.currentTimeMillis() + 4000));
    assertThat(serving.getCertificateChain(serving.chooseEngineServerAlias("EC", null, null))[0])
        .as("a broken rotation keeps the last pair")
        .isEqualTo(second);
  }
}
