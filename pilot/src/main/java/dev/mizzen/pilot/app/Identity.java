package dev.mizzen.pilot.app;

import java.util.UUID;

/**
 * This replica's name, in the member controller's Lease and as the reporting instance of its
 * events: the pod's name, as Kubernetes sets HOSTNAME.
 */
public final class Identity {
  private Identity() {}

  public static String get() {
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? "mizzen-" + UUID.randomUUID() : host;
  }
}
