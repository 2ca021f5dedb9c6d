package dev.mizzen.tests;

import static dev.mizzen.openshift.inject.WebhookHarness.container;
import static dev.mizzen.openshift.inject.WebhookHarness.env;
import static dev.mizzen.openshift.inject.WebhookHarness.pod;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import dev.mizzen.openshift.inject.WebhookHarness;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.proxy.ProxyParser;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A proxy injected by the webhook identifies itself in the way Mizzen's xDS server reads proxies.
 */
class InjectedProxyTest {
  @TempDir Path dir;

  @Test
  void theNodeAnInjectedProxySendsIsTheOneMizzenReads() throws Exception {
    JsonNode pod;
    try (WebhookHarness webhook = WebhookHarness.start(dir, false)) {
      pod =
          webhook.admit(
              "a1",
              pod(
                  "a1",
                  "{\"sidecar.istio.io/inject\":\"true\"}",
                  "{\"serviceAccountName\":\"web\",\"containers\":[{\"name\":\"web\",\"image\":\"web:1\"}]}"));
    }
    Proxy proxy = ProxyParser.parse(agentNode(pod, "10.128.0.7"));
    assertThat(proxy.id()).isEqualTo("sidecar~10.128.0.7~web-1.a1~a1.svc.cluster.local");
    assertThat(proxy.namespace()).isEqualTo("a1");
    assertThat(proxy.podName()).isEqualTo("web-1");
    assertThat(proxy.ips()).containsExactly("10.128.0.7");
    assertThat(proxy.labels())
        .isEqualTo(Map.of("app", "web", "version", "v1", "security.istio.io/tlsMode", "istio"));
    assertThat(proxy.clusterId()).isEqualTo("Kubernetes");
    assertThat(proxy.istioVersion()).isEqualTo("1.20.8");
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
        metadata.putFields(
            e.getKey().substring("ISTIO_METAJSON_".length()),
            Value.newBuilder().setStructValue(parsed).build());
      } else if (e.getKey().startsWith("ISTIO_META_")) {
        metadata.putFields(
            e.getKey().substring("ISTIO_META_".length()),
            Value.newBuilder().setStringValue(e.getValue()).build());
      }
    }
    metadata.putFields(
        "NAMESPACE", Value.newBuilder().setStringValue(env.get("POD_NAMESPACE")).build());
    metadata.putFields(
        "INSTANCE_IPS", Value.newBuilder().setStringValue(env.get("INSTANCE_IP")).build());
    List<String> args = new ArrayList<>();
    for (JsonNode a : container(pod, "containers", "istio-proxy").path("args")) {
      args.add(a.asText());
    }
    String domain =
        args.get(args.indexOf("--domain") + 1)
            .replace("$(POD_NAMESPACE)", env.get("POD_NAMESPACE"));
    return Node.newBuilder()
        .setId(
            "sidecar~"
                + env.get("INSTANCE_IP")
                + "~"
                + env.get("POD_NAME")
                + "."
                + env.get("POD_NAMESPACE")
                + "~"
                + domain)
        .setMetadata(metadata)
        .build();
  }
}
