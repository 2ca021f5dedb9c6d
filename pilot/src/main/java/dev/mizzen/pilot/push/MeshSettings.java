package dev.mizzen.pilot.push;

import java.time.Duration;
import java.util.Objects;

/**
 * Mesh-wide settings of one control plane.
 *
 * @param controlPlaneNamespace the control plane's namespace
 * @param rootNamespace the namespace whose config applies mesh-wide (Istio's root namespace)
 * @param domainSuffix the cluster's DNS suffix, "cluster.local" by default
 * @param connectTimeout connect timeout of generated clusters
 * @param allowAnyOutbound whether sidecars pass traffic to unknown hosts through (ALLOW_ANY) or
 *     drop it (REGISTRY_ONLY)
 * @param tracing where proxies send spans, and how many
 */
public record MeshSettings(
    String controlPlaneNamespace,
    String rootNamespace,
    String domainSuffix,
    Duration connectTimeout,
    boolean allowAnyOutbound,
    Tracing tracing) {

  /**
   * Tracing as Maistra ships it: a Zipkin tracer whose collector is the Jaeger collector Service in
   * the control plane's namespace, on its port named {@code jaeger-collector-zipkin}.
   *
   * @param collectorService the collector Service's name in the control plane's namespace, empty
   *     for no tracing; when no such Service (or port) exists, proxies trace nothing
   * @param portName the name of the collector's Zipkin port
   * @param samplingPercent the share of requests traced, 0 to 100
   */
  public record Tracing(String collectorService, String portName, double samplingPercent) {
    /** Maistra's: the jaeger-collector Service, every request sampled (SMCP's 10000). */
    public static final Tracing MAISTRA =
        new Tracing("jaeger-collector", "jaeger-collector-zipkin", 100);

    public Tracing {
      Objects.requireNonNull(collectorService);
      Objects.requireNonNull(portName);
      if (samplingPercent < 0 || samplingPercent > 100) {
        throw new IllegalArgumentException(
            "sampling must be between 0 and 100, not " + samplingPercent);
      }
    }
  }

  public MeshSettings {
    Objects.requireNonNull(controlPlaneNamespace);
    Objects.requireNonNull(rootNamespace);
    Objects.requireNonNull(domainSuffix);
    Objects.requireNonNull(connectTimeout);
    Objects.requireNonNull(tracing);
  }

  public MeshSettings(
      String controlPlaneNamespace,
      String rootNamespace,
      String domainSuffix,
      Duration connectTimeout,
      boolean allowAnyOutbound) {
    this(
        controlPlaneNamespace,
        rootNamespace,
        domainSuffix,
        connectTimeout,
        allowAnyOutbound,
        Tracing.MAISTRA);
  }

  /** Istio's defaults for a control plane in {@code namespace}, with Maistra's tracing. */
  public static MeshSettings defaults(String namespace) {
    return new MeshSettings(
        namespace, namespace, "cluster.local", Duration.ofSeconds(10), true, Tracing.MAISTRA);
  }

  public MeshSettings withDomainSuffix(String suffix) {
    return new MeshSettings(
        controlPlaneNamespace, rootNamespace, suffix, connectTimeout, allowAnyOutbound, tracing);
  }

  /** The fully qualified name of a Service. */
  public String hostname(String namespace, String name) {
    return name + "." + namespace + ".svc." + domainSuffix;
  }

  /**
   * Istio's rule for hosts written in config: a name without dots is short for a Service in the
   * config's own namespace; anything else is taken as written.
   */
  public String resolve(String host, String namespace) {
    if (host.equals("*") || host.contains(".")) {
      return host;
    }
    return hostname(namespace, host);
  }
}
