package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.mizzen.pilot.cache.GroupSnapshot;
import dev.mizzen.pilot.cache.ProxyResources;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.testing.xds.AdsTestStream;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The first snapshot of a new shape of proxy is built without holding up anyone else's answers. */
class GroupBuildTest {
  /** One cluster named after the group, whose key here is just the proxies' namespace. */
  private static GroupSnapshot<String> snapshotOf(String namespace) {
    SortedMap<String, Message> clusters = new TreeMap<>();
    clusters.put(namespace, Cluster.newBuilder().setName(namespace).build());
    return GroupSnapshot.next(
        namespace, 1, "v1", new ProxyResources(Map.of(TypeUrls.CLUSTER, clusters), Map.of()), null);
  }

  private static String clusterName(DiscoveryResponse r) throws Exception {
    return r.getResources(0).unpack(Cluster.class).getName();
  }

  @Test
  void aGroupStillBeingBuiltHoldsUpOnlyItsOwnProxies() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    ProxyStreams<String> cache =
        new ProxyStreams<>(
            Proxy::namespace,
            key -> {
              if (key.equals("slow")) {
                try {
                  release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return snapshotOf(key);
            },
            Clock.systemUTC());
    // More proxies of the slow shape than the server has request threads: none of them may
    // keep the other shape's proxy waiting.
    int requestThreads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    List<AdsTestStream> slow = new ArrayList<>();
    try (XdsServer server =
            XdsServer.start(
                new InetSocketAddress("127.0.0.1", 0),
                XdsLimits.defaults().withNewStreamsPerSecond(0),
                cache,
                p -> Optional.empty(),
                XdsEvents.NONE);
        AdsTestStream fast = new AdsTestStream(server.port())) {
      for (int i = 0; i <= requestThreads; i++) {
        AdsTestStream s = new AdsTestStream(server.port());
        slow.add(s);
        s.request(AdsTestStream.sidecar("a-" + i, "slow"), TypeUrls.CLUSTER, List.of(), "", "");
      }
      fast.request(AdsTestStream.sidecar("b-1", "fast"), TypeUrls.CLUSTER, List.of(), "", "");

      assertThat(clusterName(fast.next())).isEqualTo("fast");
      assertThat(slow.get(0).poll(300)).isNull();

      release.countDown();
      for (AdsTestStream s : slow) {
        assertThat(clusterName(s.next())).isEqualTo("slow");
      }
    } finally {
      release.countDown();
      for (AdsTestStream s : slow) {
        s.close();
      }
      cache.close();
    }
  }
}
