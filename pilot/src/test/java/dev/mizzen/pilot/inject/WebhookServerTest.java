package dev.mizzen.pilot.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.proxy.ProxyParser;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.fabric8.zjsonpatch.JsonPatch;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The injection webhook over HTTPS, as the API server calls it: AdmissionReviews in, JSON patches
 * out, each patch checked by applying it to the pod with zjsonpatch.
 */
class WebhookServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> MEMBERS = Set.of("a1", "a2");

  @TempDir Path dir;
  private TestCertificates certificates;
  private WebhookServer webhook;
  private HttpClient client;

  private void start(boolean cni) throws Exception {
    certificates = new TestCertificates();
    certificates.server(dir.resolve("tls.crt"), dir.resolve("tls.key"), true);
    Injection injection =
        new Injection("istio-system", "mizzen.istio-system.svc:15012", "cluster.local", cni, InjectionTemplate.builtIn());
    webhook =
        WebhookServer.start(new InetSocketAddress("127.0.0.1", 0), dir.resolve("tls.crt"), dir.resolve("tls.key"), injection, MEMBERS::contains);
    client = HttpClient.newBuilder().sslContext(certificates.clientContext()).build();
  }

  @AfterEach
  void stop() {
    if (webhook != null) {
      webhook.close();
    }
  }

  private HttpResponse<String> post(String contentType, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + webhook.port() + "/inject"))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static ObjectNode pod(String namespace, String annotations, String spec) throws Exception {
    return (ObjectNode)
        JSON.readTree(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\"" + namespace
                + "\",\"labels\":{\"app\":\"web\",\"version\":\"v1\"}" + (annotations == null ? "" : ",\"annotations\":" + annotations)
                + "},\"spec\":" + spec + "}");
  }

  private static final String APP = "{\"serviceAccountName\":\"web\",\"containers\":[{\"name\":\"web\",\"image\":\"web:1\"}]}";

  private static String review(String uid, String namespace, JsonNode pod) {
    return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"" + uid + "\","
        + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
        + "\"namespace\":\"" + namespace + "\",\"operation\":\"CREATE\",\"object\":" + pod + "}}";
  }

  /** Sends the pod for review and returns it as the API server would store it, the patch applied. */
  private JsonNode admit(String namespace, ObjectNode pod) throws Exception {
    String uid = UUID.randomUUID().toString();
    HttpResponse<String> r = post("application/json", review(uid, namespace, pod));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode response = JSON.readTree(r.body()).path("response");
    assertThat(response.path("uid").asText()).isEqualTo(uid);
    assertThat(response.path("allowed").asBoolean()).as("never refuses a pod").isTrue();
    assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
    JsonNode patch = JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
    return JsonPatch.apply(patch, pod);
  }

  private static String decision(JsonNode pod) {
    return pod.path("metadata").path("annotations").path("sidecar.maistra.io/injection").asText();
  }

  private static JsonNode container(JsonNode pod, String section, String name) {
    for (JsonNode c : pod.path("spec").path(section)) {
      if (name.equals(c.path("name").asText())) {
        return c;
      }
    }
    return null;
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
  void anInjectedPodGetsTheProxyPointingAtTheSecurePortWithTheNodeMetadataMizzenReads() throws Exception {
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
    assertThat(names(pod.path("spec").path("initContainers"))).containsExactly("migrate", "istio-init");
    assertThat(names(pod.path("spec").path("volumes"))).containsExactly("data", "istio-envoy", "istio-data", "istio-podinfo", "istio-token", "istiod-ca-cert");
    assertThat(container(pod, "initContainers", "istio-init").path("securityContext").path("capabilities").path("add").toString())
        .isEqualTo("[\"NET_ADMIN\",\"NET_RAW\"]");
    assertThat(pod.path("metadata").path("labels").path("security.istio.io/tlsMode").asText()).isEqualTo("istio");
    assertThat(pod.path("metadata").path("annotations").path("team").asText()).isEqualTo("web");
    JsonNode status = JSON.readTree(pod.path("metadata").path("annotations").path("sidecar.istio.io/status").asText());
    assertThat(status.path("containers").toString()).isEqualTo("[\"istio-proxy\"]");
    assertThat(status.path("initContainers").toString()).isEqualTo("[\"istio-init\"]");

    Map<String, String> env = env(pod, "10.128.0.7");
    assertThat(JSON.readTree(env.get("PROXY_CONFIG")).path("discoveryAddress").asText()).isEqualTo("mizzen.istio-system.svc:15012");
    Proxy proxy = ProxyParser.parse(agentNode(pod, "10.128.0.7"));
    assertThat(proxy.id()).isEqualTo("sidecar~10.128.0.7~web-1.a1~a1.svc.cluster.local");
    assertThat(proxy.namespace()).isEqualTo("a1");
    assertThat(proxy.podName()).isEqualTo("web-1");
    assertThat(proxy.ips()).containsExactly("10.128.0.7");
    assertThat(proxy.labels()).isEqualTo(Map.of("app", "web", "version", "v1", "security.istio.io/tlsMode", "istio"));
    assertThat(proxy.clusterId()).isEqualTo("Kubernetes");
    assertThat(proxy.istioVersion()).isEqualTo("1.20.8");
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
      assertThat(security.path("privileged").asBoolean(false)).as(c.path("name").asText()).isFalse();
      assertThat(security.path("capabilities").path("add").toString()).as(c.path("name").asText()).doesNotContain("NET_ADMIN");
    }
    JsonNode status = JSON.readTree(pod.path("metadata").path("annotations").path("sidecar.istio.io/status").asText());
    assertThat(status.path("initContainers").isNull()).isTrue();
  }

  @Test
  void everyPodItDoesNotInjectIsAllowedAsItIsWithTheReason() throws Exception {
    start(false);
    Map<String, String> cases = new java.util.LinkedHashMap<>();
    JsonNode unannotated = admit("a1", pod("a1", null, APP));
    cases.put("unannotated", decision(unannotated));
    JsonNode no = admit("a1", pod("a1", "{\"sidecar.istio.io/inject\":\"false\"}", APP));
    cases.put("false", decision(no));
    JsonNode host =
        admit("a1", pod("a1", "{\"sidecar.istio.io/inject\":\"true\"}", "{\"hostNetwork\":true,\"containers\":[{\"name\":\"web\",\"image\":\"web:1\"}]}"));
    cases.put("hostNetwork", decision(host));
    JsonNode outsider = admit("b1", pod("b1", "{\"sidecar.istio.io/inject\":\"true\"}", APP));
    cases.put("not a member", decision(outsider));
    JsonNode controlPlane = admit("istio-system", pod("istio-system", "{\"sidecar.istio.io/inject\":\"true\"}", APP));
    cases.put("the control plane's namespace", decision(controlPlane));
    assertThat(cases)
        .containsExactly(
            Map.entry("unannotated", "not injected: not annotated sidecar.istio.io/inject (injection is opt-in)"),
            Map.entry("false", "not injected: annotated sidecar.istio.io/inject: \"false\""),
            Map.entry("hostNetwork", "not injected: the pod uses the node's network (hostNetwork)"),
            Map.entry("not a member", "not injected: namespace b1 is not a member of the mesh of istio-system"),
            Map.entry("the control plane's namespace", "not injected: namespace istio-system is not a member of the mesh of istio-system"));
    for (JsonNode pod : List.of(unannotated, no, host, outsider, controlPlane)) {
      ObjectNode without = pod.deepCopy();
      ((ObjectNode) without.path("metadata").path("annotations")).remove("sidecar.maistra.io/injection");
      if (without.path("metadata").path("annotations").isEmpty()) {
        ((ObjectNode) without.path("metadata")).remove("annotations");
      }
      assertThat(without.path("spec")).as("only the explanation is added").isEqualTo(pod.path("spec"));
      assertThat(names(pod.path("spec").path("containers"))).containsExactly("web");
    }
  }

  @Test
  void malformedReviewsAreRefusedWithTheReasonAndTheServerKeepsServing() throws Exception {
    start(false);
    HttpResponse<String> notJson = post("application/json", "{not json");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(notJson.body()).startsWith("malformed AdmissionReview: the body is not JSON: ");
    HttpResponse<String> v1beta1 = post("application/json", "{\"apiVersion\":\"admission.k8s.io/v1beta1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"1\"}}");
    assertThat(v1beta1.statusCode()).isEqualTo(400);
    assertThat(v1beta1.body()).isEqualTo("malformed AdmissionReview: apiVersion must be \"admission.k8s.io/v1\", not \"admission.k8s.io/v1beta1\"\n");
    HttpResponse<String> noUid = post("application/json", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{}}");
    assertThat(noUid.body()).isEqualTo("malformed AdmissionReview: request.uid is missing\n");
    HttpResponse<String> noRequest = post("application/json", "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\"}");
    assertThat(noRequest.body()).isEqualTo("malformed AdmissionReview: request is missing\n");
    String noPod =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"2\",\"namespace\":\"a1\","
            + "\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},\"operation\":\"CREATE\",\"object\":\"web\"}}";
    assertThat(post("application/json", noPod).body())
        .isEqualTo("malformed AdmissionReview: request.object: a Pod with spec.containers is required to create a pod\n");
    HttpResponse<String> text = post("text/plain", review("3", "a1", pod("a1", null, APP)));
    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(text.body()).isEqualTo("malformed AdmissionReview: Content-Type must be application/json, not text/plain\n");
    HttpResponse<String> get =
        client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + webhook.port() + "/inject")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);

    // Requests it has nothing to do with are allowed untouched.
    String deployment =
        "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"4\",\"namespace\":\"a1\","
            + "\"resource\":{\"group\":\"apps\",\"version\":\"v1\",\"resource\":\"deployments\"},\"operation\":\"CREATE\",\"object\":{}}}";
    JsonNode allowed = JSON.readTree(post("application/json", deployment).body()).path("response");
    assertThat(allowed.path("allowed").asBoolean()).isTrue();
    assertThat(allowed.has("patch")).isFalse();

    assertThat(decision(admit("a1", pod("a1", "{\"sidecar.istio.io/inject\":\"yes\"}", APP)))).isEqualTo("injected");
  }

  @Test
  void aRotatedCertificateIsServedWithoutARestart() throws Exception {
    certificates = new TestCertificates();
    Path cert = dir.resolve("tls.crt");
    Path key = dir.resolve("tls.key");
    java.security.cert.X509Certificate first = certificates.server(cert, key, false);
    ServingCertificate serving = new ServingCertificate(cert, key, 0);
    assertThat(serving.getCertificateChain(serving.chooseEngineServerAlias("EC", null, null))[0]).isEqualTo(first);
    java.security.cert.X509Certificate second = certificates.server(cert, key, false);
    java.nio.file.Files.setLastModifiedTime(cert, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 2000));
    assertThat(serving.getCertificateChain(serving.chooseEngineServerAlias("EC", null, null))[0]).isEqualTo(second);
    java.nio.file.Files.writeString(key, "garbage");
    java.nio.file.Files.setLastModifiedTime(key, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 4000));
    assertThat(serving.getCertificateChain(serving.chooseEngineServerAlias("EC", null, null))[0]).as("a broken rotation keeps the last pair").isEqualTo(second);
  }

  private static List<String> names(JsonNode items) {
    List<String> names = new ArrayList<>();
    items.forEach(i -> names.add(i.path("name").asText()));
    return names;
  }

  /** The proxy container's environment as the kubelet sets it for a pod with {@code ip}. */
  private static Map<String, String> env(JsonNode pod, String ip) {
    Map<String, String> env = new HashMap<>();
    for (JsonNode e : container(pod, "containers", "istio-proxy").path("env")) {
      String value = e.path("value").asText(null);
      if (value == null) {
        value =
            switch (e.path("valueFrom").path("fieldRef").path("fieldPath").asText()) {
              case "metadata.name" -> pod.path("metadata").path("name").asText();
              case "metadata.namespace" -> pod.path("metadata").path("namespace").asText();
              case "status.podIP" -> ip;
              case "status.hostIP" -> "10.0.0.1";
              case "spec.serviceAccountName" -> pod.path("spec").path("serviceAccountName").asText();
              default -> "";
            };
      }
      env.put(e.path("name").asText(), value);
    }
    return env;
  }

  /**
   * The node pilot-agent (Istio's proxy agent, in the proxyv2 image) sends for this container, by
   * its conventions: id {@code sidecar~INSTANCE_IP~POD_NAME.POD_NAMESPACE~DOMAIN}, NAMESPACE from
   * POD_NAMESPACE, INSTANCE_IPS from INSTANCE_IP, ISTIO_META_X as X, ISTIO_METAJSON_X as X parsed.
   */
  private static Node agentNode(JsonNode pod, String ip) throws Exception {
    Map<String, String> env = env(pod, ip);
    Struct.Builder metadata = Struct.newBuilder();
    for (Map.Entry<String, String> e : env.entrySet()) {
      if (e.getKey().startsWith("ISTIO_METAJSON_")) {
        Struct.Builder parsed = Struct.newBuilder();
        JsonFormat.parser().merge(e.getValue(), parsed);
        metadata.putFields(e.getKey().substring("ISTIO_METAJSON_".length()), Value.newBuilder().setStructValue(parsed).build());
      } else if (e.getKey().startsWith("ISTIO_META_")) {
        metadata.putFields(e.getKey().substring("ISTIO_META_".length()), Value.newBuilder().setStringValue(e.getValue()).build());
      }
    }
    metadata.putFields("NAMESPACE", Value.newBuilder().setStringValue(env.get("POD_NAMESPACE")).build());
    metadata.putFields("INSTANCE_IPS", Value.newBuilder().setStringValue(env.get("INSTANCE_IP")).build());
    List<String> args = new ArrayList<>();
    for (JsonNode a : container(pod, "containers", "istio-proxy").path("args")) {
      args.add(a.asText());
    }
    String domain = args.get(args.indexOf("--domain") + 1).replace("$(POD_NAMESPACE)", env.get("POD_NAMESPACE"));
    return Node.newBuilder()
        .setId("sidecar~" + env.get("INSTANCE_IP") + "~" + env.get("POD_NAME") + "." + env.get("POD_NAMESPACE") + "~" + domain)
        .setMetadata(metadata)
        .build();
  }
}
