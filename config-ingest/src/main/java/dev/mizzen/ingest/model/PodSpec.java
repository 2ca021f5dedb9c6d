package dev.mizzen.ingest.model;

import java.util.Objects;

/**
 * What the control plane needs of a Pod; its labels are in {@link Meta}.
 *
 * @param ip the pod IP, empty until scheduled
 * @param serviceAccount the service account it runs as
 * @param hostNetwork whether it shares the node's network
 */
public record PodSpec(String ip, String serviceAccount, boolean hostNetwork) implements Spec {
  public PodSpec {
    Objects.requireNonNull(ip, "ip");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
  }
}
