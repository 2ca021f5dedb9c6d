package io.grpc.xds.client;

import com.google.protobuf.Any;
import io.grpc.InsecureChannelCredentials;
import java.util.List;
import java.util.Set;

/**
 * grpc-java's own reading of xDS resources, the code its xDS client runs on every response before
 * it ACKs or NACKs: the errors it would NACK with, for resources of one type. It lives in
 * grpc-java's package because that reading is not public API; it is pinned to the grpc-java version
 * of the build.
 */
public final class GrpcJavaParser {
  private GrpcJavaParser() {}

  /**
   * The errors grpc-java's client finds in {@code resources} of {@code type}, subscribed to by
   * {@code names} (it reads only what it subscribed to); empty: accepted.
   */
  public static List<String> errors(
      XdsResourceType<?> type, List<Any> resources, Set<String> names) {
    Bootstrapper.ServerInfo server =
        Bootstrapper.ServerInfo.create("127.0.0.1:15010", InsecureChannelCredentials.create());
    Bootstrapper.BootstrapInfo bootstrap =
        Bootstrapper.BootstrapInfo.builder()
            .servers(List.of(server))
            .node(EnvoyProtoData.Node.newBuilder().setId("judge").build())
            // Istio's agent writes a bootstrap whose certificate provider "default" watches the
            // workload's certificate files.
            .certProviders(
                java.util.Map.of(
                    "default",
                    Bootstrapper.CertificateProviderInfo.create(
                        "file_watcher",
                        java.util.Map.of(
                            "certificate_file",
                                "/var/run/secrets/workload-spiffe-credentials/cert-chain.pem",
                            "private_key_file",
                                "/var/run/secrets/workload-spiffe-credentials/key.pem",
                            "ca_certificate_file",
                                "/var/run/secrets/workload-spiffe-credentials/root-cert.pem",
                            "refresh_interval", "900s"))))
            .build();
    XdsResourceType.Args args = new XdsResourceType.Args(server, "1", "1", bootstrap, null, names);
    return List.copyOf(type.parse(args, resources).errors);
  }
}
