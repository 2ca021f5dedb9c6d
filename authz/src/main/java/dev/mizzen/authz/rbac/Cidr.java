package dev.mizzen.authz.rbac;

import java.util.Objects;

/**
 * An address range as Envoy's CidrRange carries it.
 *
 * @param address the address as written, such as "10.0.0.0" or "2001:db8::"
 * @param prefixLength the number of leading bits that must match
 */
public record Cidr(String address, int prefixLength) {
  public Cidr {
    Objects.requireNonNull(address, "address");
  }

  /** "1.2.3.4" (a single address) or "10.0.0.0/8"; the text was checked at ingest. */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return new Cidr(text, text.contains(":") ? 128 : 32);
    }
    return new Cidr(text.substring(0, slash), Integer.parseInt(text.substring(slash + 1)));
  }
}
