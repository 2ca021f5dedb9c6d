package dev.mizzen.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.Endpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The delta stream against a scripted server: what it asks for and when, as Envoy asks, what it
 * holds, and what it tells the benchmark.
 */
class DeltaEnvoyLikeStreamTest {
  private static final String WEB = "outbound|8080||web.shop.svc.cluster.local";
  private static final String WEB_V1 = "outbound|8080|v1|web.shop.svc.cluster.local";
  private static final String DB = "outbound|5432||db.shop.svc.cluster.local";

  private final BlockingQueue<DeltaDiscoveryRequest> requests = new LinkedBlockingQueue<>();
  private volatile StreamObserver<DeltaDiscoveryResponse> responses;
  private Server server;
  private ManagedChannel channel;
  private DeltaEnvoyLikeStream stream;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(
                new AggregatedDiscoveryServiceGrpc.AggregatedDiscoveryServiceImplBase() {
                  @Override
                  public StreamObserver<DeltaDiscoveryRequest> deltaAggregatedResources(
                      StreamObserver<DeltaDiscoveryResponse> out) {
                    responses = out;
                    return new StreamObserver<>() {
                      @Override
                      public void onNext(DeltaDiscoveryRequest r) {
                        requests.add(r);
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        out.onCompleted();
                      }
                    };
                  }
                })
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
    stream =
        new DeltaEnvoyLikeStream(
            Node.newBuilder().setId("sidecar~10.0.0.1~p.shop~shop.svc.cluster.local").build(),
            0,
            0,
            true,
            null,
            new SharedNames());
  }

  @AfterEach
  void stop() throws Exception {
    stream.close();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private DeltaDiscoveryRequest next() throws InterruptedException {
    DeltaDiscoveryRequest r = requests.poll(5, TimeUnit.SECONDS);
    assertThat(r).as("a request").isNotNull();
    return r;
  }

  private void respond(
      String type, String version, String nonce, List<Message> resources, String... removed) {
    DeltaDiscoveryResponse.Builder r =
        DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(type)
            .setSystemVersionInfo(version)
            .setNonce(nonce)
            .addAllRemovedResources(List.of(removed));
    for (Message m : resources) {
      String name =
          m instanceof Cluster c
              ? c.getName()
              : m instanceof ClusterLoadAssignment a
                  ? a.getClusterName()
                  : m instanceof Listener l ? l.getName() : ((RouteConfiguration) m).getName();
      r.addResources(
          Resource.newBuilder().setName(name).setVersion(version).setResource(Any.pack(m)));
    }
    responses.onNext(r.build());
  }

  /** The next request is the ACK of {@code nonce}: the type and the nonce, nothing else. */
  private void assertAck(String type, String nonce) throws InterruptedException {
    assertThat(next())
        .isEqualTo(
            DeltaDiscoveryRequest.newBuilder().setTypeUrl(type).setResponseNonce(nonce).build());
  }

  private void assertSubscribes(String type, List<String> subscribe, List<String> unsubscribe)
      throws InterruptedException {
    assertThat(next())
        .isEqualTo(
            DeltaDiscoveryRequest.newBuilder()
                .setTypeUrl(type)
                .addAllResourceNamesSubscribe(subscribe)
                .addAllResourceNamesUnsubscribe(unsubscribe)
                .build());
  }

  private static Cluster eds(String name) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS).build();
  }

  private static ClusterLoadAssignment assignment(String cluster, String ip) {
    return ClusterLoadAssignment.newBuilder()
        .setClusterName(cluster)
        .addEndpoints(
            LocalityLbEndpoints.newBuilder()
                .addLbEndpoints(
                    LbEndpoint.newBuilder()
                        .setEndpoint(
                            Endpoint.newBuilder()
                                .setAddress(
                                    Address.newBuilder()
                                        .setSocketAddress(
                                            SocketAddress.newBuilder()
                                                .setAddress(ip)
                                                .setPortValue(8080))))))
        .build();
  }

  private static Listener listener(String name, String... routes) {
    FilterChain.Builder chain = FilterChain.newBuilder();
    for (String route : routes) {
      chain.addFilters(
          Filter.newBuilder()
              .setName("envoy.filters.network.http_connection_manager")
              .setTypedConfig(
                  Any.pack(
                      HttpConnectionManager.newBuilder()
                          .setRds(Rds.newBuilder().setRouteConfigName(route))
                          .build())));
    }
    return Listener.newBuilder().setName(name).addFilterChains(chain).build();
  }

  private static RouteConfiguration route(String name) {
    return RouteConfiguration.newBuilder().setName(name).build();
  }

  /** Takes the stream through CDS, EDS, LDS and RDS, each answered and acknowledged. */
  private void connect() throws Exception {
    stream.start(channel);
    DeltaDiscoveryRequest first = next();
    assertThat(first.getTypeUrl()).isEqualTo(ProxyStream.CDS);
    assertThat(first.hasNode()).as("the node, on the stream's first request").isTrue();
    assertThat(first.getResourceNamesSubscribeList()).as("a wildcard").isEmpty();
    assertThat(first.getResponseNonce()).isEmpty();

    Cluster passthrough =
        Cluster.newBuilder()
            .setName("PassthroughCluster")
            .setType(Cluster.DiscoveryType.ORIGINAL_DST)
            .build();
    Cluster byServiceName =
        eds(WEB_V1).toBuilder()
            .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setServiceName(WEB_V1))
            .build();
    respond(ProxyStream.CDS, "1", "c1", List.of(eds(WEB), byServiceName, passthrough));
    assertAck(ProxyStream.CDS, "c1");
    assertSubscribes(ProxyStream.EDS, List.of(WEB_V1, WEB), List.of());
    assertThat(stream.asksFor(WEB)).isTrue();
    assertThat(stream.asksFor("PassthroughCluster")).isFalse();

    respond(
        ProxyStream.EDS,
        "1",
        "e1",
        List.of(assignment(WEB, "10.1.0.1"), assignment(WEB_V1, "10.1.0.1")));
    assertAck(ProxyStream.EDS, "e1");
    assertSubscribes(ProxyStream.LDS, List.of(), List.of());

    respond(
        ProxyStream.LDS,
        "1",
        "l1",
        List.of(listener("0.0.0.0_8080", "8080"), listener("0.0.0.0_80", "80", "8080")));
    assertAck(ProxyStream.LDS, "l1");
    assertSubscribes(ProxyStream.RDS, List.of("80", "8080"), List.of());
    assertThat(stream.ready().getCount()).as("not ready before RDS").isEqualTo(1);

    respond(ProxyStream.RDS, "1", "r1", List.of(route("80"), route("8080")));
    assertAck(ProxyStream.RDS, "r1");
    assertThat(stream.ready().await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(stream.readyAfterNanos()).isPositive();
    assertThat(stream.error()).isNull();
  }

  @Test
  void asksAsEnvoyDoesAndAcknowledgesWithTheNonceAlone() throws Exception {
    connect();
    assertThat(stream.responsesByType())
        .containsEntry(ProxyStream.CDS, 1L)
        .containsEntry(ProxyStream.EDS, 1L)
        .containsEntry(ProxyStream.LDS, 1L)
        .containsEntry(ProxyStream.RDS, 1L);
    assertThat(stream.bytes()).isPositive();
    assertThat(requests).as("nothing more asked").isEmpty();
  }

  @Test
  void subscribesAndUnsubscribesWhatChangesOfTheClustersAndListenersHeld() throws Exception {
    connect();

    // A cluster added, one removed: EDS follows with the difference alone.
    respond(ProxyStream.CDS, "2", "c2", List.of(eds(DB)), WEB);
    assertAck(ProxyStream.CDS, "c2");
    assertSubscribes(ProxyStream.EDS, List.of(DB), List.of(WEB));
    assertThat(stream.asksFor(WEB)).isFalse();
    assertThat(stream.asksFor(DB)).isTrue();
    assertThat(stream.asksFor(WEB_V1)).isTrue();

    // A cluster changed but with the same EDS name: nothing to ask.
    respond(ProxyStream.CDS, "3", "c3", List.of(eds(DB).toBuilder().setAltStatName("x").build()));
    assertAck(ProxyStream.CDS, "c3");

    // A listener removed: its route name goes when no other listener asks for it.
    respond(ProxyStream.LDS, "2", "l2", List.of(), "0.0.0.0_8080");
    assertAck(ProxyStream.LDS, "l2");
    respond(ProxyStream.LDS, "3", "l3", List.of(), "0.0.0.0_80");
    assertAck(ProxyStream.LDS, "l3");
    assertSubscribes(ProxyStream.RDS, List.of(), List.of("80", "8080"));
    assertThat(requests.poll(200, TimeUnit.MILLISECONDS)).as("nothing more asked").isNull();

    // What it holds, for the library to serve: the clusters without the one removed.
    assertThat(stream.lastResponses().get(ProxyStream.CDS).getResourcesList())
        .extracting(a -> a.unpack(Cluster.class).getName())
        .containsExactly("PassthroughCluster", DB, WEB_V1);
    assertThat(stream.lastResponses().get(ProxyStream.CDS).getVersionInfo()).isEqualTo("3");
    assertThat(stream.lastResponses().get(ProxyStream.LDS).getResourcesList()).isEmpty();
  }

  @Test
  void awaitsANewRouteVersionByTheSystemVersionOfTheResponse() throws Exception {
    connect();
    CountDownLatch latch = stream.expect(ProxyStream.RDS, stream.lastVersion(ProxyStream.RDS));

    respond(ProxyStream.CDS, "2", "c2", List.of(eds(WEB)));
    assertAck(ProxyStream.CDS, "c2");
    respond(ProxyStream.RDS, "1", "r2", List.of(route("80")));
    assertAck(ProxyStream.RDS, "r2");
    assertThat(latch.getCount()).as("no other type, no same version").isEqualTo(1);

    respond(ProxyStream.RDS, "2", "r3", List.of(route("80")));
    assertAck(ProxyStream.RDS, "r3");
    assertThat(latch.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(stream.awaitedAtNanos()).isPositive();
    assertThat(stream.lastVersion(ProxyStream.RDS)).isEqualTo("2");
  }

  @Test
  void tellsTheChurnOfEveryAssignmentItIsSent() throws Exception {
    connect();
    Churn churn = new Churn();
    stream.watch(churn);
    Churn.Change change = churn.expect("web.shop.svc.cluster.local", "10.1.0.9", List.of("v1"), 1);

    // In Mizzen's order, by name: the subset's first.
    respond(
        ProxyStream.EDS,
        "2",
        "e2",
        List.of(assignment(WEB_V1, "10.1.0.9"), assignment(WEB, "10.1.0.9")));
    assertAck(ProxyStream.EDS, "e2");

    // The stream acknowledges first, then reads the assignments.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (stream.edsResources() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(change.done()).isTrue();
    assertThat(change.subsetBytes.get()).isPositive();
    assertThat(stream.edsResources()).isEqualTo(2);
    assertThat(stream.edsBytes()).isPositive();
    assertThat(stream.responsesByType()).containsEntry(ProxyStream.EDS, 2L);
  }
}
