package dev.mizzen.pilot.debug;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.xds.ProxyConnection;
import dev.mizzen.pilot.xds.ProxyStreams;
import io.envoyproxy.envoy.admin.v3.ClustersConfigDump;
import io.envoyproxy.envoy.admin.v3.ConfigDump;
import io.envoyproxy.envoy.admin.v3.EndpointsConfigDump;
import io.envoyproxy.envoy.admin.v3.ListenersConfigDump;
import io.envoyproxy.envoy.admin.v3.RoutesConfigDump;
import io.envoyproxy.envoy.admin.v3.SecretsConfigDump;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.trace.v3.ZipkinConfig;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.Cors;
import io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.sni_cluster.v3.SniCluster;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig;
import io.envoyproxy.envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate;
import io.envoyproxy.envoy.extensions.retry.priority.previous_priorities.v3.PreviousPrioritiesConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.util.Set;

/** The config Mizzen serves a proxy, in the shape of Envoy's own /config_dump. */
public final class ConfigDumps {
  /** Every message type that can appear inside what Mizzen serves. */
  public static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(ClustersConfigDump.getDescriptor())
          .add(ListenersConfigDump.getDescriptor())
          .add(RoutesConfigDump.getDescriptor())
          .add(EndpointsConfigDump.getDescriptor())
          .add(SecretsConfigDump.getDescriptor())
          .add(Secret.getDescriptor())
          .add(Cluster.getDescriptor())
          .add(ClusterLoadAssignment.getDescriptor())
          .add(Listener.getDescriptor())
          .add(RouteConfiguration.getDescriptor())
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .add(HTTPFault.getDescriptor())
          .add(TcpProxy.getDescriptor())
          .add(HttpProtocolOptions.getDescriptor())
          .add(PreviousHostsPredicate.getDescriptor())
          .add(RBAC.getDescriptor())
          .add(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.getDescriptor())
          .add(JwtAuthentication.getDescriptor())
          .add(DownstreamTlsContext.getDescriptor())
          .add(UpstreamTlsContext.getDescriptor())
          .add(TlsInspector.getDescriptor())
          .add(OriginalDst.getDescriptor())
          .add(UriTemplateMatchConfig.getDescriptor())
          .add(Cors.getDescriptor())
          .add(CorsPolicy.getDescriptor())
          .add(SniCluster.getDescriptor())
          .add(PreviousPrioritiesConfig.getDescriptor())
          .add(ZipkinConfig.getDescriptor())
          .build();

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(TYPES).preservingProtoFieldNames();

  private ConfigDumps() {}

  /** Prints a message as Envoy prints its config: JSON with snake_case field names. */
  public static String json(Message m) {
    try {
      return PRINTER.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + m.getDescriptorForType().getFullName(), e);
    }
  }

  /**
   * @param types the short type names to include ("cluster", "listener", "route", "endpoint",
   *     "secret"); empty for all. Private keys are never shown.
   */
  public static ConfigDump dump(ProxyStreams<?> cache, ProxyConnection conn, Set<String> types) {
    ConfigDump.Builder dump = ConfigDump.newBuilder();
    if (wants(types, TypeUrls.CLUSTER)) {
      String v = cache.servedVersion(conn, TypeUrls.CLUSTER).orElse("");
      ClustersConfigDump.Builder b = ClustersConfigDump.newBuilder().setVersionInfo(v);
      for (Message m : cache.served(conn, TypeUrls.CLUSTER)) {
        b.addDynamicActiveClusters(
            ClustersConfigDump.DynamicCluster.newBuilder()
                .setVersionInfo(v)
                .setCluster(Any.pack(m)));
      }
      dump.addConfigs(Any.pack(b.build()));
    }
    if (wants(types, TypeUrls.LISTENER)) {
      String v = cache.servedVersion(conn, TypeUrls.LISTENER).orElse("");
      ListenersConfigDump.Builder b = ListenersConfigDump.newBuilder().setVersionInfo(v);
      for (Message m : cache.served(conn, TypeUrls.LISTENER)) {
        b.addDynamicListeners(
            ListenersConfigDump.DynamicListener.newBuilder()
                .setName(((Listener) m).getName())
                .setActiveState(
                    ListenersConfigDump.DynamicListenerState.newBuilder()
                        .setVersionInfo(v)
                        .setListener(Any.pack(m))));
      }
      dump.addConfigs(Any.pack(b.build()));
    }
    if (wants(types, TypeUrls.ROUTE)) {
      String v = cache.servedVersion(conn, TypeUrls.ROUTE).orElse("");
      RoutesConfigDump.Builder b = RoutesConfigDump.newBuilder();
      for (Message m : cache.served(conn, TypeUrls.ROUTE)) {
        b.addDynamicRouteConfigs(
            RoutesConfigDump.DynamicRouteConfig.newBuilder()
                .setVersionInfo(v)
                .setRouteConfig(Any.pack(m)));
      }
      dump.addConfigs(Any.pack(b.build()));
    }
    if (wants(types, TypeUrls.ENDPOINT)) {
      String v = cache.servedVersion(conn, TypeUrls.ENDPOINT).orElse("");
      EndpointsConfigDump.Builder b = EndpointsConfigDump.newBuilder();
      for (Message m : cache.served(conn, TypeUrls.ENDPOINT)) {
        b.addDynamicEndpointConfigs(
            EndpointsConfigDump.DynamicEndpointConfig.newBuilder()
                .setVersionInfo(v)
                .setEndpointConfig(Any.pack(m)));
      }
      dump.addConfigs(Any.pack(b.build()));
    }
    if (wants(types, TypeUrls.SECRET)) {
      String v = cache.servedVersion(conn, TypeUrls.SECRET).orElse("");
      SecretsConfigDump.Builder b = SecretsConfigDump.newBuilder();
      for (Message m : cache.served(conn, TypeUrls.SECRET)) {
        Secret secret = redacted((Secret) m);
        b.addDynamicActiveSecrets(
            SecretsConfigDump.DynamicSecret.newBuilder()
                .setName(secret.getName())
                .setVersionInfo(v)
                .setSecret(Any.pack(secret)));
      }
      dump.addConfigs(Any.pack(b.build()));
    }
    return dump.build();
  }

  /** A secret as Envoy's own config dump shows it: the private key replaced by "[redacted]". */
  static Secret redacted(Secret secret) {
    if (!secret.hasTlsCertificate()) {
      return secret;
    }
    Secret.Builder b = secret.toBuilder();
    b.getTlsCertificateBuilder().setPrivateKey(DataSource.newBuilder().setInlineString(REDACTED));
    return b.build();
  }

  private static final String REDACTED = "[redacted]";

  private static boolean wants(Set<String> types, String typeUrl) {
    return types.isEmpty() || types.contains(TypeUrls.shortName(typeUrl));
  }
}
