package dev.mizzen.pilot.debug;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Who may read the debug endpoints, as istiod decides it: callers on loopback may read everything;
 * others must present the bearer token Mizzen was given, or are refused.
 */
public final class DebugAccess {
  /** The answer for one request. */
  public enum Decision {
    ALLOW,
    /** No credentials: 401. */
    UNAUTHENTICATED,
    /** Wrong credentials: 403. */
    FORBIDDEN
  }

  private final byte[] token;
  private final Predicate<InetAddress> trusted;

  private DebugAccess(byte[] token, Predicate<InetAddress> trusted) {
    this.token = token;
    this.trusted = trusted;
  }

  private DebugAccess(byte[] token) {
    this(token, InetAddress::isLoopbackAddress);
  }

  /** The same rule with other addresses trusted without a token (tests call from loopback). */
  DebugAccess trusting(Predicate<InetAddress> addresses) {
    return new DebugAccess(token, addresses);
  }

  /** Only loopback callers. */
  public static DebugAccess loopbackOnly() {
    return new DebugAccess(null);
  }

  /**
   * Loopback callers, and others with the token in {@code file} (surrounding whitespace ignored).
   */
  public static DebugAccess withTokenFile(Path file) throws IOException {
    String token = Files.readString(file, StandardCharsets.UTF_8).strip();
    if (token.isEmpty()) {
      throw new IOException("debug token file " + file + " is empty");
    }
    return new DebugAccess(token.getBytes(StandardCharsets.UTF_8));
  }

  public static DebugAccess of(Optional<Path> tokenFile) throws IOException {
    return tokenFile.isPresent() ? withTokenFile(tokenFile.get()) : loopbackOnly();
  }

  /**
   * @param remote the caller's address
   * @param authorization the Authorization header, or null
   */
  public Decision decide(InetSocketAddress remote, String authorization) {
    InetAddress address = remote == null ? null : remote.getAddress();
    if (address != null && trusted.test(address)) {
      return Decision.ALLOW;
    }
    String prefix = "Bearer ";
    if (authorization == null
        || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
      // No credentials this server understands.
      return Decision.UNAUTHENTICATED;
    }
    if (token == null) {
      return Decision.FORBIDDEN;
    }
    byte[] given =
        authorization.substring(prefix.length()).strip().getBytes(StandardCharsets.UTF_8);
    // Constant time, so that the comparison tells nothing of the token.
    return MessageDigest.isEqual(given, token) ? Decision.ALLOW : Decision.FORBIDDEN;
  }
}
