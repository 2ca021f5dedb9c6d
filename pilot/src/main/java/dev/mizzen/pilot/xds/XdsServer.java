package dev.mizzen.pilot.xds;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mizzen.pilot.proxy.Proxy;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * ADS over gRPC, both state of the world and incremental, answered from the snapshots of {@link
 * ProxyStreams}' cache (see {@link AdsService}).
 */
public final class XdsServer implements AutoCloseable {
  private final Server server;
  private final ExecutorService executor;

  private XdsServer(Server server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Where requests are handled: a few threads, not gRPC's unbounded default, so that thousands of
   * proxies connecting at once queue instead of each holding a thread.
   */
  private static ExecutorService requestExecutor() {
    int threads = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
    return Executors.newFixedThreadPool(
        threads, new ThreadFactoryBuilder().setNameFormat("mizzen-xds-%d").setDaemon(true).build());
  }

  /**
   * Starts serving.
   *
   * @param address where to listen; port 0 picks a free one
   * @param admission why a proxy may not connect, or empty when it may
   */
  public static XdsServer start(
      InetSocketAddress address,
      XdsLimits limits,
      ProxyStreams<?> streams,
      Function<Proxy, Optional<String>> admission,
      XdsEvents events)
      throws IOException {
    return start(
        address,
        InsecureServerCredentials.create(),
        limits,
        streams,
        admission,
        events,
        List.of(),
        null);
  }

  /**
   * Files of the secure port (istiod's 15012): the server's certificate chain and PKCS#8 key, and
   * the CA that signs the proxies' client certificates, all PEM.
   */
  public record Tls(Path certChain, Path privateKey, Path caCertificates) {
    public Tls {
      Objects.requireNonNull(certChain, "certChain");
      Objects.requireNonNull(privateKey, "privateKey");
      Objects.requireNonNull(caCertificates, "caCertificates");
    }

    /** Mutual TLS: a client without a certificate signed by the CA does not get a stream. */
    ServerCredentials credentials() throws IOException {
      return TlsServerCredentials.newBuilder()
          .keyManager(certChain.toFile(), privateKey.toFile())
          .trustManager(caCertificates.toFile())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
          .build();
    }
  }

  /**
   * Starts serving over mutual TLS; each proxy's namespace is then the one its certificate's SPIFFE
   * identity names.
   */
  public static XdsServer startSecure(
      InetSocketAddress address,
      Tls tls,
      XdsLimits limits,
      ProxyStreams<?> streams,
      Function<Proxy, Optional<String>> admission,
      XdsEvents events)
      throws IOException {
    return start(address, tls.credentials(), limits, streams, admission, events, List.of(), null);
  }

  /**
   * Starts serving over TLS with {@code credentials}, and {@code services} beside ADS (the
   * certificate service); a proxy's namespace is the one its certificate's SPIFFE identity names,
   * or, without a certificate, the one its bearer token proves to {@code tokens}.
   */
  public static XdsServer startSecure(
      InetSocketAddress address,
      ServerCredentials credentials,
      List<ServerServiceDefinition> services,
      TokenAuthenticator tokens,
      XdsLimits limits,
      ProxyStreams<?> streams,
      Function<Proxy, Optional<String>> admission,
      XdsEvents events)
      throws IOException {
    return start(address, credentials, limits, streams, admission, events, services, tokens);
  }

  private static XdsServer start(
      InetSocketAddress address,
      ServerCredentials credentials,
      XdsLimits limits,
      ProxyStreams<?> streams,
      Function<Proxy, Optional<String>> admission,
      XdsEvents events,
      List<ServerServiceDefinition> services,
      TokenAuthenticator tokens)
      throws IOException {
    streams.setEvents(events);
    streams.limitNames(limits.maxResourceNames());
    Admission admit =
        new Admission(
            admission, () -> events, limits.maxNodeMetadataBytes(), streams::mayReadSecrets);
    ConnectionGuard guard = new ConnectionGuard(limits, () -> events);
    ExecutorService executor = requestExecutor();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(address, credentials);
    services.forEach(builder::addService);
    Server server =
        builder
            .executor(executor)
            .maxInboundMessageSize(limits.maxInboundMessageBytes())
            .maxConcurrentCallsPerConnection(limits.maxStreamsPerConnection())
            .keepAliveTime(limits.keepaliveTime().toMillis(), TimeUnit.MILLISECONDS)
            .keepAliveTimeout(limits.keepaliveTimeout().toMillis(), TimeUnit.MILLISECONDS)
            .maxConnectionIdle(limits.maxConnectionIdle().toMillis(), TimeUnit.MILLISECONDS)
            .maxConnectionAge(limits.maxConnectionAge().toMillis(), TimeUnit.MILLISECONDS)
            .maxConnectionAgeGrace(10, TimeUnit.SECONDS)
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .permitKeepAliveWithoutCalls(true)
            .addTransportFilter(guard)
            .addService(
                ServerInterceptors.intercept(AdsService.bind(streams, admit, tokens), guard))
            .build()
            .start();
    return new XdsServer(server, executor);
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdownNow();
  }
}
