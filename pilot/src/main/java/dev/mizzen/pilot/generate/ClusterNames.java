package dev.mizzen.pilot.generate;

/** Istio's names for generated clusters. */
public final class ClusterNames {
  public static final String BLACK_HOLE = "BlackHoleCluster";
  public static final String PASSTHROUGH = "PassthroughCluster";

  private ClusterNames() {}

  /** {@code outbound|PORT|SUBSET|HOST}, Istio's subset key. */
  public static String outbound(int port, String subset, String host) {
    return "outbound|" + port + "|" + subset + "|" + host;
  }

  /**
   * {@code outbound_.PORT_.SUBSET_.HOST}: the server name Istio's mutual TLS sends, and the name of
   * the cluster a gateway in AUTO_PASSTHROUGH mode picks by it.
   */
  public static String sni(int port, String subset, String host) {
    return "outbound_." + port + "_." + subset + "_." + host;
  }
}
