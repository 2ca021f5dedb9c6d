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
}
