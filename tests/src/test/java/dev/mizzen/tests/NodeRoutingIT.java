package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mizzen.pilot.app.ControlPlane;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.testing.mesh.MeshYaml;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Node's xDS client (grpc-js-xds) following a live edit of the config directory. grpc-js-xds sends
 * its node on the stream's first request only; its later requests (route configurations, load
 * assignments, and everything after an edit) are answered all the same, which /debug/adsz shows.
 * Header matches, weights, faults and retries through Node: {@link ClientFeaturesIT}.
 */
class NodeRoutingIT {
  @TempDir static Path dir;

  private static Backend v1;
  private static Backend v2;
  private static ControlPlane cp;
  private static final MeshYaml SHOP = MeshYaml.in("shop");
  private static NodeCaller node;

  @BeforeAll
  static void start() throws Exception {
    NodeCaller.install();
    v1 = new Backend("v1");
    v2 = new Backend("v2");
    Map<String, Backend> versions = new LinkedHashMap<>();
    versions.put("v1", v1);
    versions.put("v2", v2);
    Files.writeString(
        dir.resolve("mesh.yaml"),
        MeshYaml.members("shop")
            + SHOP.service("echo", Backend.ports(versions))
            + SHOP.destinationRule(
                "echo",
                "subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]"));
    Files.writeString(dir.resolve("routing.yaml"), routeTo("v1"));
    cp = ControlPlane.start(ControlPlane.Options.forTest(dir, "istio-system"));
    node = new NodeCaller(cp.xdsPort(), "node-client", "shop", Map.of("app", "client"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    if (cp != null) {
      cp.close();
    }
    if (v1 != null) {
      v1.close();
    }
    if (v2 != null) {
      v2.close();
    }
  }

  private static String routeTo(String subset) {
    return SHOP.virtualService(
        "echo", "- route: [{destination: {host: echo, subset: %s}}]".formatted(subset));
  }

  private static Map<String, Integer> tally(int calls) {
    Map<String, Integer> counts = new HashMap<>();
    node.call("echo.shop:7070", Map.of(), Duration.ofSeconds(10), calls, false)
        .forEach(o -> counts.merge(o.toString(), 1, Integer::sum));
    return counts;
  }

  @Test
  void followsAnEditAndIsAnsweredAfterItsFirstRequest() throws Exception {
    assertThat(tally(10)).containsOnlyKeys("v1");
    // What it asked for after the first request (routes, clusters, endpoints) was answered.
    JsonNode watches = adsz().path("watches");
    assertThat(names(watches, TypeUrls.LISTENER)).containsExactly("echo.shop:7070");
    assertThat(names(watches, TypeUrls.ROUTE))
        .containsExactly("outbound|7070||echo.shop.svc.cluster.local");
    assertThat(names(watches, TypeUrls.CLUSTER))
        .contains("outbound|7070|v1|echo.shop.svc.cluster.local");
    assertThat(names(watches, TypeUrls.ENDPOINT))
        .contains("outbound|7070|v1|echo.shop.svc.cluster.local");

    Files.writeString(dir.resolve("routing.yaml"), routeTo("v2"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!tally(5).keySet().equals(Set.of("v2"))) {
      assertThat(System.nanoTime()).as("every call reaches v2 within 20s").isLessThan(deadline);
      Thread.sleep(100);
    }
    assertThat(tally(50)).containsOnlyKeys("v2");
    // The new cluster was asked for on the same stream, without a node, and answered.
    assertThat(names(adsz().path("watches"), TypeUrls.CLUSTER))
        .contains("outbound|7070|v2|echo.shop.svc.cluster.local");
  }

  private static List<String> names(JsonNode watches, String type) {
    List<String> out = new ArrayList<>();
    watches.path(type).forEach(n -> out.add(n.asText()));
    return out;
  }

  private static JsonNode adsz() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + cp.debugPort()
                                + "/debug/adsz?proxyID=node-client.shop"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    JsonNode clients = new ObjectMapper().readTree(r.body()).path("clients");
    assertThat(clients).as("one connection of the Node client").hasSize(1);
    return clients.get(0);
  }
}
