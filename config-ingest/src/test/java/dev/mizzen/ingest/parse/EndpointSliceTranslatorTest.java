package dev.mizzen.ingest.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.model.EndpointSliceSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointSliceTranslatorTest {
  private static ParseResult parse(String body) {
    List<ParseResult> results =
        new ManifestParser()
            .parse(
                "mesh.yaml",
                "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\n"
                    + "metadata: {name: web-a, namespace: shop, labels: {kubernetes.io/service-name: web}}\n"
                    + body);
    assertThat(results).hasSize(1);
    return results.get(0);
  }

  @Test
  void readsAddressesConditionsAndPorts() {
    ParseResult r =
        parse(
            """
            addressType: IPv4
            endpoints:
            - addresses: [10.1.0.1]
              conditions: {ready: false, serving: true, terminating: true}
              targetRef: {kind: Pod, name: web-1}
            - addresses: [10.1.0.2]
            ports: [{name: http, port: 8080}, {name: all}]
            """);
    EndpointSliceSpec spec = (EndpointSliceSpec) r.config().spec();
    assertThat(spec.serviceName()).isEqualTo("web");
    assertThat(spec.endpoints().get(0))
        .isEqualTo(new EndpointSliceSpec.Endpoint(List.of("10.1.0.1"), false, true, true, "web-1"));
    assertThat(spec.endpoints().get(1).ready()).isTrue();
    assertThat(spec.endpoints().get(1).serving()).isTrue();
    assertThat(spec.ports()).containsExactly(new EndpointSliceSpec.Port("http", 8080));
  }

  @Test
  void refusesWhatTheApiServerRefuses() {
    assertThat(parse("endpoints: []\n").error().message())
        .contains("addressType")
        .contains("required");
    assertThat(parse("addressType: IPv5\n").error().message())
        .contains("must be IPv4, IPv6 or FQDN, not \"IPv5\"");
    assertThat(
            parse("addressType: IPv4\nendpoints: [{addresses: [\"fd00::1\"]}]\n").error().message())
        .contains("endpoints[0].addresses[0]")
        .contains("\"fd00::1\" is not an IPv4 address");
    assertThat(parse("addressType: IPv4\nendpoints: [{addresses: []}]\n").error().message())
        .contains("endpoints[0].addresses")
        .contains("at least one address is required");
    assertThat(
            parse(
                    "addressType: IPv4\nendpoints: [{addresses: [10.0.0.1], conditions: {ready: yes-ish}}]\n")
                .error()
                .message())
        .contains("endpoints[0].conditions.ready");
    assertThat(parse("addressType: IPv4\nports: [{name: http, port: 70000}]\n").error().message())
        .contains("ports[0].port")
        .contains("between 1 and 65535");
  }
}
