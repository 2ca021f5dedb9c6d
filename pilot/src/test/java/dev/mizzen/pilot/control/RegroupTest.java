package dev.mizzen.pilot.control;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.core.v3.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A push that changes VirtualServices looks for proxies of a new shape only when the label keys of
 * their {@code sourceLabels} change; when they do, proxies that differ in those labels part.
 */
class RegroupTest {
  @TempDir Path dir;
  private ControlPlane cp;

  private static final String MESH =
      MeshYaml.members("shop")
          + """
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        clusterIP: 10.96.0.20
        ports: [{name: http, port: 8080}]
      """;

  private static String virtualService(String sourceLabels, int timeoutSeconds) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: shop}
        spec:
          hosts: [web.shop.svc.cluster.local]
          http:
          - match: [{%s}]
            route: [{destination: {host: web.shop.svc.cluster.local}}]
            timeout: %ds
        """
        .formatted(sourceLabels, timeoutSeconds);
  }

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("mesh.yaml"), MESH);
    Files.writeString(dir.resolve("vs.yaml"), virtualService("uri: {prefix: /}", 1));
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  private static Node withVersion(String pod, String version) {
    Node n = AdsTestStream.sidecar(pod, "shop");
    Struct labels =
        Struct.newBuilder()
            .putFields("version", Value.newBuilder().setStringValue(version).build())
            .build();
    return n.toBuilder()
        .setMetadata(
            n.getMetadata().toBuilder()
                .putFields("LABELS", Value.newBuilder().setStructValue(labels).build()))
        .build();
  }

  private Set<String> versionsByGroup() {
    return cp.pipeline().streams().cache().keys().stream()
        .map(GroupKey::labels)
        .map(l -> l.getOrDefault("version", "-"))
        .collect(Collectors.toSet());
  }

  private void awaitPushAfter(long number) throws InterruptedException {
    AdsTestStream.await(() -> cp.pipeline().status().push().number() > number);
  }

  @Test
  void proxiesPartAndJoinAsSourceLabelsComeAndGo() throws Exception {
    try (AdsTestStream v1 = new AdsTestStream(cp.xdsPort());
        AdsTestStream v2 = new AdsTestStream(cp.xdsPort())) {
      v1.request(withVersion("web-1", "v1"), TypeUrls.CLUSTER, List.of(), "", "");
      v2.request(withVersion("web-2", "v2"), TypeUrls.CLUSTER, List.of(), "", "");
      v1.next();
      v2.next();
      assertThat(versionsByGroup()).containsExactly("-");

      long number = cp.pipeline().status().push().number();
      Files.writeString(dir.resolve("vs.yaml"), virtualService("sourceLabels: {version: v1}", 1));
      awaitPushAfter(number);
      assertThat(versionsByGroup()).containsExactlyInAnyOrder("v1", "v2");

      // Another change that names the same label keys: the groups stay as they are.
      number = cp.pipeline().status().push().number();
      Files.writeString(dir.resolve("vs.yaml"), virtualService("sourceLabels: {version: v2}", 2));
      awaitPushAfter(number);
      assertThat(versionsByGroup()).containsExactlyInAnyOrder("v1", "v2");

      number = cp.pipeline().status().push().number();
      Files.writeString(dir.resolve("vs.yaml"), virtualService("uri: {prefix: /}", 3));
      awaitPushAfter(number);
      assertThat(versionsByGroup()).containsExactly("-");
    }
  }
}
