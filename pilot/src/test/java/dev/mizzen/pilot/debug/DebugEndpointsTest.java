package dev.mizzen.pilot.debug;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.mesh.MeshYaml;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each debug endpoint's shape against a live control plane with connected proxies. */
class DebugEndpointsTest {
  @TempDir Path dir;
  private ControlPlane cp;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeEach
  void start() throws Exception {
    Files.writeString(
        dir.resolve("mesh.yaml"),
        MeshYaml.members("shop")
            + """
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop, labels: {app: web}}
        spec:
          clusterIP: 10.96.0.20
          selector: {app: web}
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: v1
        kind: Endpoints
        metadata: {name: web, namespace: shop}
        subsets:
        - addresses: [{ip: 10.1.0.1, targetRef: {kind: Pod, name: web-1}}]
          ports: [{name: http, port: 8080}]
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: web-1, namespace: shop, labels: {app: web, version: v1}}
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: web, namespace: shop}
        spec:
          hosts: [web]
          http: [{route: [{destination: {host: web, subset: v9}}]}]
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: broken, namespace: shop}
        spec:
          hosts: [web]
          http: [{route: [{destination: {host: web}}], timeout: soon}]
        """);
    cp =
        ControlPlane.start(
            ControlPlane.Options.forTest(dir, "istio-system")
                .withMonitoring(new InetSocketAddress("127.0.0.1", 0)));
  }

  @AfterEach
  void stop() {
    cp.close();
  }

  private HttpResponse<String> get(int port, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode getJson(String path) throws Exception {
    HttpResponse<String> r = get(cp.debugPort(), path);
    assertThat(r.statusCode()).as(path).isEqualTo(200);
    return json.readTree(r.body());
  }

  @Test
  void syncTheWayKialiReadsIt() throws Exception {
    try (AdsTestStream synced = new AdsTestStream(cp.xdsPort());
        AdsTestStream nacking = new AdsTestStream(cp.xdsPort())) {
      synced.request(AdsTestStream.sidecar("web-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      synced.ack(synced.next(), List.of());
      nacking.request(AdsTestStream.sidecar("web-2", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      DiscoveryResponse r = nacking.next();
      nacking.nack(r, List.of(), "bad cluster");
      AdsTestStream.await(
          () ->
              cp.pipeline()
                      .streams()
                      .find("web-2.shop")
                      .orElseThrow()
                      .status()
                      .get(TypeUrls.CLUSTER)
                      .nackCount()
                  == 1);
      AdsTestStream.await(
          () ->
              !cp.pipeline()
                  .streams()
                  .find("web-1.shop")
                  .orElseThrow()
                  .status()
                  .get(TypeUrls.CLUSTER)
                  .ackedNonce()
                  .isEmpty());

      JsonNode syncz = getJson("/debug/syncz");
      assertThat(syncz).hasSize(2);
      JsonNode web1 = syncz.get(0);
      assertThat(web1.get("proxy").asText()).isEqualTo("web-1.shop");
      assertThat(web1.get("proxy_type").asText()).isEqualTo("sidecar");
      assertThat(web1.get("cluster_sent").asText())
          .isNotEmpty()
          .isEqualTo(web1.get("cluster_acked").asText());
      assertThat(web1.get("listener_sent").asText()).isEmpty();
      JsonNode web2 = syncz.get(1);
      assertThat(web2.get("cluster_sent").asText()).isNotEmpty();
      assertThat(web2.get("cluster_acked").asText()).isEmpty();
      assertThat(web2.at("/resources/cluster/lastError").asText()).isEqualTo("bad cluster");
      for (String field :
          List.of(
              "cluster_id",
              "proxy_version",
              "istio_version",
              "endpoint_sent",
              "endpoint_acked",
              "route_sent",
              "route_acked",
              "listener_acked")) {
        assertThat(web1.has(field)).as(field).isTrue();
      }
      assertThat(getJson("/debug/syncz?proxyID=web-2.shop")).hasSize(1);
      assertThat(getJson("/debug/syncz?namespace=other")).isEmpty();

      JsonNode adsz = getJson("/debug/adsz");
      assertThat(adsz.get("totalClients").asInt()).isEqualTo(2);
      JsonNode client = adsz.get("clients").get(0);
      assertThat(client.get("connectionId").asText()).startsWith("web-1.shop-");
      assertThat(client.get("address").asText()).contains("127.0.0.1");
      assertThat(client.has("connectedAt")).isTrue();
      assertThat(client.at("/metadata/NAMESPACE").asText()).isEqualTo("shop");
      assertThat(client.get("watches").has(TypeUrls.CLUSTER)).isTrue();
      assertThat(getJson("/debug/connections").get("clients")).hasSize(2);
    }
  }

  @Test
  void aRefusalIsTracedBackToTheObjectThatCausedIt() throws Exception {
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort())) {
      var node = AdsTestStream.sidecar("web-1", "shop");
      ads.request(node, TypeUrls.ROUTE, List.of("8080"), "", "");
      DiscoveryResponse rds = ads.next();
      // Envoy names the virtual host it could not take.
      ads.nack(
          rds,
          List.of("8080"),
          "Error adding/updating route 8080: virtual host web.shop.svc.cluster.local:8080: bad route");
      AdsTestStream.await(() -> !cp.pipeline().rejections().current().isEmpty());
      assertThat(ads.poll(800)).as("the refused version is not sent again").isNull();

      JsonNode syncz = getJson("/debug/syncz?proxyID=web-1.shop");
      JsonNode route = syncz.at("/0/resources/route");
      assertThat(route.get("lastError").asText()).contains("bad route");
      assertThat(route.get("rejectedResources"))
          .extracting(JsonNode::asText)
          .containsExactly("8080");
      assertThat(route.get("rejectedObjects"))
          .extracting(JsonNode::asText)
          .contains("VirtualService shop/web", "Service shop/web");

      JsonNode vs = null;
      for (JsonNode e : getJson("/debug/configz")) {
        if (e.get("kind").asText().equals("VirtualService")
            && e.at("/metadata/name").asText().equals("web")) {
          vs = e;
        }
      }
      assertThat(vs.at("/rejections/0/proxy").asText()).isEqualTo("web-1.shop");
      assertThat(vs.at("/rejections/0/type").asText()).isEqualTo("route");

      HttpResponse<String> metrics = get(cp.monitoringPort(), "/metrics");
      assertThat(metrics.body())
          .contains("pilot_total_xds_rejects{type=\"rds\"} 1.0")
          .contains("pilot_xds_rds_reject{");

      // Fixing the VirtualService sends a new version; accepting it clears the refusal.
      Path mesh = dir.resolve("mesh.yaml");
      Files.writeString(mesh, Files.readString(mesh).replace("subset: v9", "subset: v1"));
      DiscoveryResponse fixed = ads.next();
      assertThat(fixed.getVersionInfo()).isNotEqualTo(rds.getVersionInfo());
      ads.ack(fixed, List.of("8080"));
      AdsTestStream.await(() -> cp.pipeline().rejections().current().isEmpty());
    }
  }

  @Test
  void staleNoncesAndPushTriggersAreCounted() throws Exception {
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort())) {
      ads.request(AdsTestStream.sidecar("web-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      DiscoveryResponse cds = ads.next();
      ads.send(
          DiscoveryRequest.newBuilder()
              .setTypeUrl(TypeUrls.CLUSTER)
              .setVersionInfo(cds.getVersionInfo())
              .setResponseNonce("not-" + cds.getNonce())
              .build());
      AdsTestStream.await(
          () -> metricsBody().contains("pilot_xds_expired_nonce{type=\"cds\"} 1.0"));
      assertThat(metricsBody())
          .contains("pilot_push_triggers{type=\"global\"} 1.0")
          .contains("pilot_xds_expired_nonce{type=\"eds\"} 0.0")
          .doesNotContain("pilot_proxy_queue_time_count 0");
    }
  }

  private String metricsBody() {
    try {
      return get(cp.monitoringPort(), "/metrics").body();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void registryEndpointsConfigAndPushStatus() throws Exception {
    JsonNode registry = getJson("/debug/registryz");
    assertThat(registry).hasSize(1);
    assertThat(registry.get(0).get("hostname").asText()).isEqualTo("web.shop.svc.cluster.local");
    assertThat(registry.get(0).at("/Attributes/Namespace").asText()).isEqualTo("shop");
    assertThat(registry.get(0).at("/ports/0/port").asInt()).isEqualTo(8080);

    JsonNode endpoints = getJson("/debug/endpointz");
    assertThat(endpoints.get(0).get("svc").asText()).isEqualTo("web.shop.svc.cluster.local:http");
    assertThat(endpoints.get(0).at("/ep/0/address").asText()).isEqualTo("10.1.0.1");
    assertThat(endpoints.get(0).at("/ep/0/labels/version").asText()).isEqualTo("v1");

    JsonNode configz = getJson("/debug/configz");
    JsonNode web = null;
    JsonNode broken = null;
    for (JsonNode e : configz) {
      String name = e.at("/metadata/name").asText();
      if (name.equals("web") && e.get("kind").asText().equals("VirtualService")) {
        web = e;
      } else if (name.equals("broken")) {
        broken = e;
      }
    }
    assertThat(web.get("accepted").asBoolean()).isTrue();
    assertThat(web.at("/warnings/0/field").asText())
        .isEqualTo("spec.http[0].route[0].destination.subset");
    assertThat(broken.get("accepted").asBoolean()).isFalse();
    assertThat(broken.at("/errors/0/field").asText()).isEqualTo("spec.http[0].timeout");

    JsonNode push = getJson("/debug/push_status");
    assertThat(push.get("pushVersion").asText()).isNotEmpty();
    assertThat(push.at("/members/configured/0").asText()).isEqualTo("shop");
    assertThat(push.get("refused")).hasSize(1);

    JsonNode list = getJson("/debug/list");
    assertThat(list.findValuesAsText("path"))
        .contains(
            "/debug/syncz",
            "/debug/adsz",
            "/debug/config_dump",
            "/debug/configz",
            "/debug/registryz",
            "/debug/endpointz",
            "/debug/push_status",
            "/debug/connections");
  }

  @Test
  void analyzeShowsTheLastPushsMessagesAsTheCommandDoes() throws Exception {
    JsonNode analysis = getJson("/debug/analyze");
    assertThat(analysis.get("pushVersion").asText()).isNotEmpty();
    assertThat(analysis.at("/counts/Error").asInt()).isEqualTo(2);
    assertThat(analysis.at("/counts/Warning").asInt()).isZero();
    JsonNode messages = analysis.get("messages");
    assertThat(messages.findValuesAsText("code")).containsExactly("IST0101", "IST0106");
    JsonNode subset = messages.get(0);
    assertThat(subset.get("level").asText()).isEqualTo("Error");
    assertThat(subset.get("origin").asText()).isEqualTo("VirtualService shop/web");
    assertThat(subset.at("/object/namespace").asText()).isEqualTo("shop");
    assertThat(subset.get("field").asText()).isEqualTo("spec.http[0].route[0].destination.subset");
    assertThat(subset.get("message").asText())
        .isEqualTo("Referenced host+subset in destinationrule not found: \"web+v9\"");
    assertThat(subset.get("documentationUrl").asText())
        .isEqualTo("https://istio.io/latest/docs/reference/config/analysis/ist0101/");
    assertThat(messages.get(1).get("origin").asText()).isEqualTo("VirtualService shop/broken");
    assertThat(getJson("/debug/analyze?namespace=other").get("messages")).isEmpty();
    assertThat(getJson("/debug/push_status").at("/analysis/Error").asInt()).isEqualTo(2);
    assertThat(getJson("/debug/list").findValuesAsText("path")).contains("/debug/analyze");
    assertThat(get(cp.monitoringPort(), "/metrics").body())
        .contains("mizzen_analysis_messages{code=\"IST0101\",level=\"Error\"} 1.0")
        .contains("mizzen_analysis_messages{code=\"IST0106\",level=\"Error\"} 1.0");
  }

  @Test
  void readyVersionAndMetricsOnTheMonitoringPort() throws Exception {
    assertThat(get(cp.debugPort(), "/ready").statusCode()).isEqualTo(200);
    assertThat(json.readTree(get(cp.monitoringPort(), "/version").body()).get("version").asText())
        .isEqualTo("test");
    HttpResponse<String> metrics = get(cp.monitoringPort(), "/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains(
            "pilot_services 1.0",
            "pilot_total_rejected_configs{type=\"VirtualService\"} 1.0",
            "jvm_memory_used_bytes");
    assertThat(get(cp.debugPort(), "/metrics").statusCode()).isEqualTo(404);
    assertThat(get(cp.monitoringPort(), "/debug/syncz").statusCode()).isEqualTo(200);
    assertThat(get(cp.debugPort(), "/debug/nothing").statusCode()).isEqualTo(404);
  }

  @Test
  void configDumpOfOneProxy() throws Exception {
    try (AdsTestStream ads = new AdsTestStream(cp.xdsPort())) {
      ads.request(AdsTestStream.sidecar("web-1", "shop"), TypeUrls.CLUSTER, List.of(), "", "");
      ads.ack(ads.next(), List.of());
      AdsTestStream.await(() -> cp.pipeline().streams().find("web-1.shop").isPresent());
      JsonNode dump = getJson("/debug/config_dump?proxyID=web-1.shop&types=cluster");
      assertThat(dump.get("configs")).hasSize(1);
      assertThat(dump.at("/configs/0/@type").asText())
          .isEqualTo("type.googleapis.com/envoy.admin.v3.ClustersConfigDump");
      assertThat(dump.at("/configs/0/dynamic_active_clusters").findValuesAsText("name"))
          .contains(
              "outbound|8080||web.shop.svc.cluster.local",
              "outbound|8080|v9|web.shop.svc.cluster.local");
      assertThat(get(cp.debugPort(), "/debug/config_dump?proxyID=nobody.shop").statusCode())
          .isEqualTo(404);
      assertThat(get(cp.debugPort(), "/debug/config_dump").statusCode()).isEqualTo(400);
    }
  }
}
