package dev.mizzen.pilot.cache;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import dev.mizzen.pilot.generate.GroupKey;
import dev.mizzen.pilot.proxy.Proxy;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class GroupSnapshotTest {
  private static final GroupKey KEY =
      new GroupKey(Proxy.Generator.GRPC, Proxy.Type.SIDECAR, "shop");

  private static SortedMap<String, Message> of(Message... messages) {
    SortedMap<String, Message> map = new TreeMap<>();
    for (Message m : messages) {
      map.put(Resources.getResourceName(m), m);
    }
    return map;
  }

  private static ProxyResources resources(String clusterName) {
    return new ProxyResources(
        Map.of(
            TypeUrls.CLUSTER, of(Cluster.newBuilder().setName(clusterName).build()),
            TypeUrls.ENDPOINT,
                of(ClusterLoadAssignment.newBuilder().setClusterName(clusterName).build()),
            TypeUrls.LISTENER,
                of(Listener.newBuilder().setName("web.shop.svc.cluster.local:80").build()),
            TypeUrls.ROUTE, of(RouteConfiguration.newBuilder().setName("r").build())),
        Map.of("web:80", "web.shop.svc.cluster.local:80"));
  }

  @Test
  void keepsTheVersionOfEveryTypeThatDidNotChange() {
    GroupSnapshot<GroupKey> first = GroupSnapshot.next(KEY, 1, "v1", resources("a"), null);
    GroupSnapshot<GroupKey> same = GroupSnapshot.next(KEY, 2, "v2", resources("a"), first);
    assertThat(same.type(TypeUrls.CLUSTER).version()).isEqualTo("v1");
    GroupSnapshot<GroupKey> changed = GroupSnapshot.next(KEY, 3, "v3", resources("b"), same);
    assertThat(changed.type(TypeUrls.CLUSTER).version()).isEqualTo("v3");
    assertThat(changed.type(TypeUrls.ENDPOINT).version()).isEqualTo("v3");
    assertThat(changed.type(TypeUrls.LISTENER).version()).isEqualTo("v1");
    assertThat(changed.type(TypeUrls.ROUTE).version()).isEqualTo("v1");
  }

  @Test
  void answersRequestedNamesAsTheProtocolAsks() {
    GroupSnapshot<GroupKey> s = GroupSnapshot.next(KEY, 1, "v1", resources("a"), null);
    assertThat(s.select(TypeUrls.CLUSTER, true, List.of())).hasSize(1);
    assertThat(s.select(TypeUrls.CLUSTER, false, List.of("a", "zzz")))
        .extracting(m -> ((Cluster) m).getName())
        .containsExactly("a");
    assertThat(s.select(TypeUrls.ENDPOINT, false, List.of("zzz")))
        .containsExactly(ClusterLoadAssignment.newBuilder().setClusterName("zzz").build());
    assertThat(s.select(TypeUrls.ROUTE, false, List.of("q")))
        .containsExactly(RouteConfiguration.newBuilder().setName("q").build());
    assertThat(s.select(TypeUrls.LISTENER, false, List.of("web:80", "nope:1")))
        .extracting(m -> ((Listener) m).getName())
        .containsExactly("web:80");
  }

  @Test
  void answersAServerListenerWithTheAddressItsNameCarriesAndLeavesUnservedPortsOut() {
    Listener template =
        Listener.newBuilder()
            .setName("xds.istio.io/grpc/lds/inbound/0.0.0.0:7071")
            .setAddress(
                Address.newBuilder()
                    .setSocketAddress(
                        SocketAddress.newBuilder().setAddress("0.0.0.0").setPortValue(7071)))
            .build();
    ProxyResources r = new ProxyResources(Map.of(TypeUrls.LISTENER, of(template)), Map.of());
    GroupSnapshot<GroupKey> s = GroupSnapshot.next(KEY, 1, "v1", r, null);
    assertThat(
            s.select(
                TypeUrls.LISTENER, false, List.of("xds.istio.io/grpc/lds/inbound/0.0.0.0:7071")))
        .containsExactly(template);
    List<Message> loopback =
        s.select(TypeUrls.LISTENER, false, List.of("xds.istio.io/grpc/lds/inbound/127.0.0.1:7071"));
    assertThat(loopback).hasSize(1);
    Listener l = (Listener) loopback.get(0);
    assertThat(l.getName()).isEqualTo("xds.istio.io/grpc/lds/inbound/127.0.0.1:7071");
    assertThat(l.getAddress().getSocketAddress().getAddress()).isEqualTo("127.0.0.1");
    assertThat(l.getAddress().getSocketAddress().getPortValue()).isEqualTo(7071);
    assertThat(l.getFilterChainsList()).isEqualTo(template.getFilterChainsList());
    Listener v6 =
        (Listener)
            s.select(TypeUrls.LISTENER, false, List.of("xds.istio.io/grpc/lds/inbound/[::]:7071"))
                .get(0);
    assertThat(v6.getAddress().getSocketAddress().getAddress()).isEqualTo("::");
    assertThat(
            s.select(
                TypeUrls.LISTENER,
                false,
                List.of(
                    "xds.istio.io/grpc/lds/inbound/0.0.0.0:9999",
                    "xds.istio.io/grpc/lds/inbound/junk")))
        .isEmpty();
  }
}
