package dev.mizzen.pilot.xds;

/**
 * Who a stream's bearer token says it is, as Istio's agent authenticates its xDS stream: its
 * service-account token (audience {@code istio-ca}) in the {@code authorization} header, over TLS
 * that authenticates only the server.
 */
@FunctionalInterface
public interface TokenAuthenticator {
  /**
   * @param authorization the call's {@code authorization} header
   * @return the SPIFFE URI of the identity the token proves
   * @throws IllegalArgumentException why the token proves nothing, or not enough
   */
  String spiffe(String authorization);
}
