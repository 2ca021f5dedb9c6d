package dev.mizzen.pilot.xds;

import java.time.Duration;
import java.util.Objects;

/**
 * What one client may ask of an xDS port. A client over a limit gets a status naming the limit and
 * loses only its own stream or connection; the other streams are unaffected.
 *
 * @param maxInboundMessageBytes the largest request accepted (istiod's 4 MiB); larger ones end the
 *     stream with {@code RESOURCE_EXHAUSTED}
 * @param maxResourceNames the most resource names one request may name ({@code RESOURCE_EXHAUSTED})
 * @param maxStreamsPerConnection concurrent streams on one HTTP/2 connection (a proxy needs one);
 *     more are refused by the transport
 * @param maxConnectionsPerAddress connections open at once from one source address; the streams of
 *     a connection over it are refused with {@code RESOURCE_EXHAUSTED}
 * @param newStreamsPerSecond streams admitted per second across the port (istiod's {@code
 *     PILOT_MAX_REQUESTS_PER_SECOND}), with a burst of as many; others are told {@code
 *     RESOURCE_EXHAUSTED} and retry, so a reconnect storm is admitted at a bounded rate. 0: no
 *     limit
 * @param keepaliveTime how long a connection may be silent before Mizzen pings it
 * @param keepaliveTimeout how long a ping may go unanswered before the connection is closed
 * @param maxConnectionIdle how long a connection without streams is kept
 * @param maxConnectionAge how long a connection lives before it is asked to reconnect (spreading
 *     proxies over replicas, as istiod's {@code PILOT_KEEPALIVE_MAX_SERVER_CONNECTION_AGE})
 * @param maxNodeMetadataBytes the largest node (id and metadata) a stream may present ({@code
 *     INVALID_ARGUMENT})
 */
public record XdsLimits(
    int maxInboundMessageBytes,
    int maxResourceNames,
    int maxStreamsPerConnection,
    int maxConnectionsPerAddress,
    double newStreamsPerSecond,
    Duration keepaliveTime,
    Duration keepaliveTimeout,
    Duration maxConnectionIdle,
    Duration maxConnectionAge,
    int maxNodeMetadataBytes) {

  public XdsLimits {
    positive(maxInboundMessageBytes, "maxInboundMessageBytes");
    positive(maxResourceNames, "maxResourceNames");
    positive(maxStreamsPerConnection, "maxStreamsPerConnection");
    positive(maxConnectionsPerAddress, "maxConnectionsPerAddress");
    positive(maxNodeMetadataBytes, "maxNodeMetadataBytes");
    if (newStreamsPerSecond < 0) {
      throw new IllegalArgumentException("newStreamsPerSecond must not be negative");
    }
    for (Duration d :
        new Duration[] {keepaliveTime, keepaliveTimeout, maxConnectionIdle, maxConnectionAge}) {
      Objects.requireNonNull(d);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("xDS timeouts must be positive, not " + d);
      }
    }
  }

  private static void positive(int value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
  }

  /** istiod's push concurrency and request rate on this machine: min(15 + 5 × cores, 100). */
  public static double defaultStreamsPerSecond() {
    return PushQueue.defaultConcurrency();
  }

  /** The defaults of {@code mizzen serve}. */
  public static XdsLimits defaults() {
    return new XdsLimits(
        4 * 1024 * 1024,
        100_000,
        16,
        100,
        defaultStreamsPerSecond(),
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        Duration.ofMinutes(5),
        Duration.ofMinutes(30),
        256 * 1024);
  }

  /** The same limits with another rate of new streams (0: none). */
  public XdsLimits withNewStreamsPerSecond(double rate) {
    return new XdsLimits(
        maxInboundMessageBytes,
        maxResourceNames,
        maxStreamsPerConnection,
        maxConnectionsPerAddress,
        rate,
        keepaliveTime,
        keepaliveTimeout,
        maxConnectionIdle,
        maxConnectionAge,
        maxNodeMetadataBytes);
  }

  /** The same limits with another bound on connections per source address. */
  public XdsLimits withMaxConnectionsPerAddress(int connections) {
    return new XdsLimits(
        maxInboundMessageBytes,
        maxResourceNames,
        maxStreamsPerConnection,
        connections,
        newStreamsPerSecond,
        keepaliveTime,
        keepaliveTimeout,
        maxConnectionIdle,
        maxConnectionAge,
        maxNodeMetadataBytes);
  }
}
