package dev.mizzen.pilot.cmd;

import java.util.UUID;

/** This replica's name in the member controller's Lease: the pod's name, as Kubernetes sets HOSTNAME. */
final class Identity {
  private Identity() {}

  static String get() {
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? "mizzen-" + UUID.randomUUID() : host;
  }
}
