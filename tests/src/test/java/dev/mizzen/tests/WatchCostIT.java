package dev.mizzen.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mizzen.ingest.kube.KubeSource;
import dev.mizzen.ingest.kube.WatchScope;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.store.ConfigStore;
import dev.mizzen.tenancy.MemberRollResolver;
import dev.mizzen.testing.kube.MockApiServer;
import dev.mizzen.testing.mesh.MeshYaml;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * What watching only the members costs: informers, watches, connections to the API server and
 * memory, per member namespace and per scope. Prints a report; asserts only counts that follow from
 * the design, never a time. {@code -Dwatch-cost=10,100,500} measures those sizes (the default is
 * 10, to keep the build quick); docs/multitenancy-cost.md holds a run's numbers.
 */
class WatchCostIT {
  private static final int OBJECTS_PER_NAMESPACE = 3;

  private record Row(
      String scope,
      int members,
      int informers,
      long watches,
      int connections,
      long heapMiB,
      long objects,
      long millis) {}

  @Test
  void measuresPerNamespaceAndClusterWideWatching() throws Exception {
    List<Integer> sizes =
        Arrays.stream(System.getProperty("watch-cost", "10").split(","))
            .map(String::trim)
            .map(Integer::parseInt)
            .toList();
    List<Row> rows = new ArrayList<>();
    for (int n : sizes) {
      rows.add(measure(n, WatchScope.NAMESPACES));
      rows.add(measure(n, WatchScope.CLUSTER));
    }
    StringBuilder report =
        new StringBuilder(
            "\nscope       members  informers  watches  connections  heap MiB  objects  first read ms\n");
    for (Row r : rows) {
      report.append(
          String.format(
              "%-11s %7d %10d %8d %12d %9d %8d %14d%n",
              r.scope(),
              r.members(),
              r.informers(),
              r.watches(),
              r.connections(),
              r.heapMiB(),
              r.objects(),
              r.millis()));
    }
    System.out.println(report);
  }

  private Row measure(int members, WatchScope scope) throws Exception {
    int kinds =
        (int)
            Kind.all().stream()
                .filter(Kind::namespaced)
                .filter(k -> !k.group().endsWith("maistra.io"))
                // Endpoints come from EndpointSlices in a cluster; v1 Endpoints are not watched.
                .filter(k -> k != Kind.ENDPOINTS)
                .count();
    try (MockApiServer api = new MockApiServer()) {
      List<String> names = new ArrayList<>();
      for (int i = 0; i < members; i++) {
        names.add("tenant-" + i);
      }
      api.create(MeshYaml.memberRoll("istio-system", names));
      api.configure("istio-system", "default", names);
      for (String ns : names) {
        MultitenancyIT.echo(api::create, ns, "echo", 9000);
        api.create(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: echo-0, namespace: "
                + ns
                + ", labels: {app: echo}}\n");
      }
      int connectionsBefore = api.establishedConnections();
      api.requests.clear();
      KubernetesClient client = api.newClient();
      System.gc();
      long heapBefore = usedHeap();
      ConfigStore store = new ConfigStore();
      long start = System.nanoTime();
      try (KubeSource source =
          new KubeSource(
              client,
              store,
              "istio-system",
              "default",
              scope,
              Duration.ofSeconds(120),
              MemberRollResolver.fromStatus("istio-system", "default")::watched)) {
        source.start(Duration.ofSeconds(300));
        long millis = (System.nanoTime() - start) / 1_000_000;
        long objects = store.snapshot().size();
        assertThat(objects).isEqualTo((long) members * OBJECTS_PER_NAMESPACE + 1);
        int informers = source.informerCount();
        int expected = scope == WatchScope.CLUSTER ? kinds + 3 : kinds * (members + 1) + 3;
        assertThat(informers).isEqualTo(expected);
        MultitenancyIT.await(
            "every informer watches",
            () -> api.requests.stream().filter(r -> r.contains("watch=true")).count() >= expected);
        System.gc();
        long heap = Math.max(0, usedHeap() - heapBefore) / (1024 * 1024);
        long watches = api.requests.stream().filter(r -> r.contains("watch=true")).count();
        int connections = api.establishedConnections() - connectionsBefore;
        return new Row(
            scope.name().toLowerCase(Locale.ROOT),
            members,
            informers,
            watches,
            connections,
            heap,
            objects,
            millis);
      }
    }
  }

  private static long usedHeap() {
    Runtime r = Runtime.getRuntime();
    return r.totalMemory() - r.freeMemory();
  }
}
