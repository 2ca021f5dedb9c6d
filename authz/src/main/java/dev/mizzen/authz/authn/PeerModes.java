package dev.mizzen.authz.authn;

import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.MeshPolicySpec;
import dev.mizzen.ingest.model.MtlsMode;
import dev.mizzen.ingest.model.PeerAuthenticationSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which mutual TLS mode applies to a workload port, as Istio decides it: a PeerAuthentication
 * selecting the workload (its port-level mode first), then the namespace's, then the mesh's (a
 * PeerAuthentication without selector in the root namespace, else Maistra's ServiceMeshPolicy),
 * else Istio's default, PERMISSIVE. An UNSET mode at any level defers to the next; among several
 * PeerAuthentications at one level the oldest wins, except that the STRICT stand-in of one that
 * could not be read comes before every readable one, so that it fails closed.
 */
public final class PeerModes {
  private final List<Config<PeerAuthenticationSpec>> policies;
  private final Optional<Config<MeshPolicySpec>> meshPolicy;
  private final String rootNamespace;

  /**
   * @param policies every PeerAuthentication, oldest first
   * @param meshPolicy the honoured ServiceMeshPolicy, if any
   */
  public PeerModes(
      List<Config<PeerAuthenticationSpec>> policies,
      Optional<Config<MeshPolicySpec>> meshPolicy,
      String rootNamespace) {
    List<Config<PeerAuthenticationSpec>> standInsFirst = new ArrayList<>(policies);
    standInsFirst.sort(Comparator.comparing(c -> !c.isStandIn()));
    this.policies = List.copyOf(standInsFirst);
    this.meshPolicy = meshPolicy;
    this.rootNamespace = rootNamespace;
  }

  /**
   * @param port the workload (container) port
   */
  public Mtls resolve(String namespace, Map<String, String> labels, int port) {
    for (Config<PeerAuthenticationSpec> pa : policies) {
      PeerAuthenticationSpec spec = pa.spec();
      if (!pa.namespace().equals(namespace)
          || spec.selector().isEmpty()
          || !Selectors.matches(spec.selector(), labels)) {
        continue;
      }
      MtlsMode portMode = spec.portLevel().getOrDefault(port, MtlsMode.UNSET);
      if (portMode != MtlsMode.UNSET) {
        return new Mtls(portMode, describe(pa) + " (port " + port + ")");
      }
      if (spec.mode() != MtlsMode.UNSET) {
        return new Mtls(spec.mode(), describe(pa));
      }
      break;
    }
    Optional<Mtls> ns = namespaceWide(namespace);
    if (ns.isPresent()) {
      return ns.get();
    }
    if (!namespace.equals(rootNamespace)) {
      ns = namespaceWide(rootNamespace);
      if (ns.isPresent()) {
        return ns.get();
      }
    }
    if (meshPolicy.isPresent() && meshPolicy.get().spec().peerMode() != MtlsMode.UNSET) {
      Config<MeshPolicySpec> smp = meshPolicy.get();
      return new Mtls(smp.spec().peerMode(), "ServiceMeshPolicy " + smp.ref().qualifiedName());
    }
    return Mtls.DEFAULT;
  }

  private Optional<Mtls> namespaceWide(String namespace) {
    for (Config<PeerAuthenticationSpec> pa : policies) {
      if (pa.namespace().equals(namespace) && pa.spec().selector().isEmpty()) {
        if (pa.spec().mode() == MtlsMode.UNSET) {
          return Optional.empty();
        }
        return Optional.of(new Mtls(pa.spec().mode(), describe(pa)));
      }
    }
    return Optional.empty();
  }

  private static String describe(Config<PeerAuthenticationSpec> pa) {
    return "PeerAuthentication " + pa.ref().qualifiedName();
  }
}
