package dev.mizzen.openshift.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mizzen.openshift.validate.ConfigValidation;
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

/**
 * The injection webhook served over HTTPS on loopback with a test CA, and the API server's side of
 * a call: an AdmissionReview for a pod in, the pod with the returned patch applied (by zjsonpatch)
 * out.
 */
public final class WebhookHarness implements AutoCloseable {
  /** The namespaces that are members in every harness. */
  public static final Set<String> MEMBERS = Set.of("a1", "a2");

  /** A pod spec with one application container. */
  public static final String APP =
      "{\"serviceAccountName\":\"web\",\"containers\":[{\"name\":\"web\",\"image\":\"web:1\"}]}";

  static final ObjectMapper JSON = new ObjectMapper();

  private final WebhookServer webhook;
  private final HttpClient client;

  private WebhookHarness(WebhookServer webhook, HttpClient client) {
    this.webhook = webhook;
    this.client = client;
  }

  /**
   * Serves the webhook of control plane {@code istio-system}, members {@link #MEMBERS}, with the
   * built-in template; its certificate and key are written into {@code dir}.
   */
  public static WebhookHarness start(Path dir, boolean cni) throws Exception {
    return start(dir, cni, null);
  }

  /**
   * The same, serving {@code /validate} too when {@code validation} is given (closed with the
   * server).
   */
  static WebhookHarness start(Path dir, boolean cni, ConfigValidation validation) throws Exception {
    TestCertificates certificates = new TestCertificates();
    certificates.server(dir.resolve("tls.crt"), dir.resolve("tls.key"), true);
    Injection injection =
        new Injection(
            "istio-system",
            "mizzen.istio-system.svc:15012",
            "cluster.local",
            cni,
            InjectionTemplate.builtIn());
    WebhookServer webhook =
        WebhookServer.start(
            new InetSocketAddress("127.0.0.1", 0),
            dir.resolve("tls.crt"),
            dir.resolve("tls.key"),
            injection,
            MEMBERS::contains,
            validation);
    return new WebhookHarness(
        webhook, HttpClient.newBuilder().sslContext(certificates.clientContext()).build());
  }

  @Override
  public void close() {
    webhook.close();
  }

  /** POSTs {@code body} to /inject. */
  public HttpResponse<String> post(String contentType, String body) throws Exception {
    return post("/inject", contentType, body);
  }

  /** POSTs {@code body} to {@code path}. */
  public HttpResponse<String> post(String path, String contentType, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + webhook.port() + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** GETs {@code path}. */
  public HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + webhook.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Sends the pod for review and returns it as the API server would store it, the patch applied.
   */
  public JsonNode admit(String namespace, ObjectNode pod) throws Exception {
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

  /** Pod {@code web-1} labelled app=web, version=v1, with these annotations (JSON, or null). */
  public static ObjectNode pod(String namespace, String annotations, String spec) throws Exception {
    return (ObjectNode)
        JSON.readTree(
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"web-1\",\"namespace\":\""
                + namespace
                + "\",\"labels\":{\"app\":\"web\",\"version\":\"v1\"}"
                + (annotations == null ? "" : ",\"annotations\":" + annotations)
                + "},\"spec\":"
                + spec
                + "}");
  }

  /** An AdmissionReview v1 for creating {@code pod}. */
  public static String review(String uid, String namespace, JsonNode pod) {
    return "{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\""
        + uid
        + "\","
        + "\"kind\":{\"group\":\"\",\"version\":\"v1\",\"kind\":\"Pod\"},\"resource\":{\"group\":\"\",\"version\":\"v1\",\"resource\":\"pods\"},"
        + "\"namespace\":\""
        + namespace
        + "\",\"operation\":\"CREATE\",\"object\":"
        + pod
        + "}}";
  }

  /** What the webhook says it did with the pod. */
  public static String decision(JsonNode pod) {
    return pod.path("metadata").path("annotations").path("sidecar.maistra.io/injection").asText();
  }

  /** The container named {@code name} in {@code spec.SECTION}, or null. */
  public static JsonNode container(JsonNode pod, String section, String name) {
    for (JsonNode c : pod.path("spec").path(section)) {
      if (name.equals(c.path("name").asText())) {
        return c;
      }
    }
    return null;
  }

  /** The names of a list of containers or volumes. */
  public static List<String> names(JsonNode items) {
    List<String> names = new ArrayList<>();
    items.forEach(i -> names.add(i.path("name").asText()));
    return names;
  }

  /** The proxy container's environment as the kubelet sets it for a pod with {@code ip}. */
  public static Map<String, String> env(JsonNode pod, String ip) {
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
              case "spec.serviceAccountName" ->
                  pod.path("spec").path("serviceAccountName").asText();
              default -> "";
            };
      }
      env.put(e.path("name").asText(), value);
    }
    return env;
  }
}
