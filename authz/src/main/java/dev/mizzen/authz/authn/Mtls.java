package dev.mizzen.authz.authn;

import dev.mizzen.ingest.model.MtlsMode;
import java.util.Objects;

/**
 * The mutual TLS mode in force on one workload port, and where it comes from.
 *
 * @param mode DISABLE, PERMISSIVE or STRICT (never UNSET)
 * @param source what decided it: "PeerAuthentication NS/NAME", "ServiceMeshPolicy NS/default", or
 *     "default" when nothing is configured (Istio's PERMISSIVE)
 */
public record Mtls(MtlsMode mode, String source) {
  public static final Mtls DEFAULT = new Mtls(MtlsMode.PERMISSIVE, "default");

  public Mtls {
    Objects.requireNonNull(mode);
    Objects.requireNonNull(source);
    if (mode == MtlsMode.UNSET) {
      throw new IllegalArgumentException("a resolved mode is never UNSET");
    }
  }

  /** Whether some configuration asked for it, rather than Istio's default applying. */
  public boolean explicit() {
    return this != DEFAULT && !source.equals("default");
  }

  /** Whether clients should (and, for STRICT, must) use Istio mutual TLS. */
  public boolean acceptsMutualTls() {
    return mode != MtlsMode.DISABLE;
  }
}
