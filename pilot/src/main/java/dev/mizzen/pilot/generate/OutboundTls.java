package dev.mizzen.pilot.generate;

import dev.mizzen.authz.authn.IstioTls;
import dev.mizzen.authz.authn.Mtls;
import dev.mizzen.ingest.model.MtlsMode;
import dev.mizzen.ingest.model.ServiceSpec.ServicePort;
import dev.mizzen.pilot.push.Endpoint;
import dev.mizzen.pilot.push.MeshService;
import dev.mizzen.pilot.push.PushContext;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Whether a sidecar talks Istio mutual TLS to a service port no DestinationRule sets TLS for,
 * decided by the mode configured (by PeerAuthentication or ServiceMeshPolicy) for the workloads the
 * service selects, on the port it sends to:
 *
 * <ul>
 *   <li>STRICT: always, since nothing else is accepted.
 *   <li>PERMISSIVE: when every pod behind the port carries Istio's {@code
 *       security.istio.io/tlsMode: istio} label, which sidecar injection adds (Istio's auto mTLS
 *       keys on the same label). A workload without a sidecar, such as a proxyless gRPC server,
 *       cannot terminate Istio mTLS, and PERMISSIVE takes plain text from it.
 *   <li>DISABLE, or nothing configured: plain text, which Istio's default (PERMISSIVE) accepts.
 * </ul>
 *
 * A ServiceEntry inside the mesh gets mutual TLS when all its endpoints carry the label; one
 * outside the mesh never does.
 */
final class OutboundTls {
  static final String TLS_MODE_LABEL = "security.istio.io/tlsMode";
  private static final String ISTIO = "istio";
  private final PushContext push;

  OutboundTls(PushContext push) {
    this.push = push;
  }

  Optional<TransportSocket> forCluster(MeshService s, ServicePort p, String subset) {
    if (s.external()) {
      return Optional.empty();
    }
    if (!s.kubernetes()) {
      return allHaveSidecars(s, p)
          ? Optional.of(
              IstioTls.upstream(ClusterNames.sni(p.port(), subset, s.hostname()), identities(s, p)))
          : Optional.empty();
    }
    int target = targetPort(s, p);
    Mtls mtls = push.authz().mtls(s.namespace(), s.selector(), target);
    if (!mtls.explicit() || !mtls.acceptsMutualTls()) {
      return Optional.empty();
    }
    if (mtls.mode() == MtlsMode.PERMISSIVE && !allHaveSidecars(s, p)) {
      return Optional.empty();
    }
    return Optional.of(
        IstioTls.upstream(ClusterNames.sni(p.port(), subset, s.hostname()), identities(s, p)));
  }

  private static int targetPort(MeshService s, ServicePort p) {
    if (p.targetPortNumber() > 0) {
      return p.targetPortNumber();
    }
    List<Endpoint> eps = s.endpoints(p.port());
    return eps.isEmpty() ? p.port() : eps.get(0).port();
  }

  private static boolean allHaveSidecars(MeshService s, ServicePort p) {
    List<Endpoint> eps = s.endpoints(p.port());
    if (eps.isEmpty()) {
      return false;
    }
    for (Endpoint e : eps) {
      if (!ISTIO.equals(e.labels().get(TLS_MODE_LABEL))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The identities that may answer: a ServiceEntry's subjectAltNames when it has them, else the
   * SPIFFE identities of the workloads behind the port.
   */
  List<String> identities(MeshService s, ServicePort p) {
    if (!s.subjectAltNames().isEmpty()) {
      return s.subjectAltNames();
    }
    SortedSet<String> ids = new TreeSet<>();
    for (Endpoint e : s.endpoints(p.port())) {
      if (e.podName().isEmpty() && e.serviceAccount().isEmpty()) {
        continue;
      }
      String account = e.serviceAccount().isEmpty() ? "default" : e.serviceAccount();
      ids.add("spiffe://" + push.mesh().domainSuffix() + "/ns/" + s.namespace() + "/sa/" + account);
    }
    return List.copyOf(ids);
  }
}
