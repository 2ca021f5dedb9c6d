package dev.mizzen.pilot.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.envoyproxy.envoy.config.core.v3.Node;
import org.junit.jupiter.api.Test;

class ProxyParserTest {

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  @Test
  void readsIstioNodeIdAndMetadata() throws Exception {
    Node node =
        Node.newBuilder()
            .setId("sidecar~10.1.2.3~reviews-v1-abc.shop~shop.svc.cluster.local")
            .setMetadata(
                Struct.newBuilder()
                    .putFields("INSTANCE_IPS", str("10.1.2.3,fd00::3"))
                    .putFields("CLUSTER_ID", str("Kubernetes"))
                    .putFields("ISTIO_VERSION", str("1.20.1"))
                    .putFields("GENERATOR", str("grpc"))
                    .putFields(
                        "LABELS",
                        Value.newBuilder()
                            .setStructValue(
                                Struct.newBuilder()
                                    .putFields("app", str("reviews"))
                                    .putFields("version", str("v1")))
                            .build()))
            .build();
    Proxy p = ProxyParser.parse(node);
    assertThat(p.type()).isEqualTo(Proxy.Type.SIDECAR);
    assertThat(p.ips()).containsExactly("10.1.2.3", "fd00::3");
    assertThat(p.podName()).isEqualTo("reviews-v1-abc");
    assertThat(p.namespace()).isEqualTo("shop");
    assertThat(p.shortId()).isEqualTo("reviews-v1-abc.shop");
    assertThat(p.labels()).containsEntry("version", "v1");
    assertThat(p.clusterId()).isEqualTo("Kubernetes");
    assertThat(p.istioVersion()).isEqualTo("1.20.1");
    assertThat(p.generator()).isEqualTo(Proxy.Generator.GRPC);
  }

  @Test
  void namespaceComesFromMetadataFirstThenFromTheDomain() throws Exception {
    Proxy fromDomain =
        ProxyParser.parse(
            Node.newBuilder()
                .setId("router~10.0.0.9~gw-1.ingress~ingress.svc.cluster.local")
                .build());
    assertThat(fromDomain.namespace()).isEqualTo("ingress");
    assertThat(fromDomain.type()).isEqualTo(Proxy.Type.ROUTER);
    assertThat(fromDomain.generator()).isEqualTo(Proxy.Generator.ENVOY);
    assertThat(fromDomain.ip()).isEqualTo("10.0.0.9");
  }

  @Test
  void refusesWhatIstiodRefuses() {
    assertThatThrownBy(
            () -> ProxyParser.parse(Node.newBuilder().setId("sidecar~10.0.0.1~a.b").build()))
        .isInstanceOf(InvalidProxyException.class)
        .hasMessage("missing parts in the service node \"sidecar~10.0.0.1~a.b\"");
    assertThatThrownBy(
            () ->
                ProxyParser.parse(
                    Node.newBuilder().setId("gateway~10.0.0.1~a.b~b.svc.cluster.local").build()))
        .hasMessage(
            "invalid node type (valid types: sidecar, router) in the service node \"gateway~10.0.0.1~a.b~b.svc.cluster.local\"");
    assertThatThrownBy(
            () ->
                ProxyParser.parse(
                    Node.newBuilder()
                        .setId("sidecar~10.0.0.1~a.b~b.svc.cluster.local")
                        .setMetadata(Struct.newBuilder().putFields("LABELS", str("app=x")))
                        .build()))
        .hasMessage("node metadata LABELS must be a map of strings");
  }
}
