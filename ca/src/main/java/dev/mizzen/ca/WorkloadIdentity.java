package dev.mizzen.ca;

import java.util.Objects;

/**
 * Who a caller proved to be: a Kubernetes service account, which Istio names {@code
 * spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT}.
 *
 * @param namespace the service account's namespace
 * @param serviceAccount its name
 */
public record WorkloadIdentity(String namespace, String serviceAccount) {
  private static final String PREFIX = "system:serviceaccount:";

  public WorkloadIdentity {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
  }

  /** The SPIFFE URI of this identity in {@code trustDomain}. */
  public String spiffe(String trustDomain) {
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  /**
   * The service account a Kubernetes user name ({@code system:serviceaccount:NS:NAME}) names.
   *
   * @throws Refusal when the user is not a service account
   */
  static WorkloadIdentity ofUser(String username) throws Refusal {
    if (username != null && username.startsWith(PREFIX)) {
      String[] parts = username.substring(PREFIX.length()).split(":", -1);
      if (parts.length == 2 && !parts[0].isEmpty() && !parts[1].isEmpty()) {
        return new WorkloadIdentity(parts[0], parts[1]);
      }
    }
    throw Refusal.unauthenticated(
        "the token belongs to \"" + username + "\", which is not a service account");
  }

  /**
   * The identity a SPIFFE URI of {@code trustDomain} names.
   *
   * @throws Refusal when the URI is not of that form or of another trust domain
   */
  static WorkloadIdentity ofSpiffe(String uri, String trustDomain) throws Refusal {
    String prefix = "spiffe://" + trustDomain + "/ns/";
    if (uri.startsWith(prefix)) {
      String[] parts = uri.substring(prefix.length()).split("/", -1);
      if (parts.length == 3
          && !parts[0].isEmpty()
          && parts[1].equals("sa")
          && !parts[2].isEmpty()) {
        return new WorkloadIdentity(parts[0], parts[2]);
      }
    }
    throw Refusal.unauthenticated(
        "the client certificate's identity \""
            + uri
            + "\" is not of the form spiffe://"
            + trustDomain
            + "/ns/NAMESPACE/sa/SERVICE_ACCOUNT");
  }
}
