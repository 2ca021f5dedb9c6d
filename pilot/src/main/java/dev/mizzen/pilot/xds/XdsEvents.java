package dev.mizzen.pilot.xds;

import java.time.Instant;

/** What happens on xDS streams, for logs and metrics. Called on stream threads: be quick. */
public interface XdsEvents {
  XdsEvents NONE = new XdsEvents() {};

  /** Tells both, in order. */
  static XdsEvents both(XdsEvents a, XdsEvents b) {
    return new XdsEvents() {
      @Override
      public void connected(ProxyConnection conn) {
        a.connected(conn);
        b.connected(conn);
      }

      @Override
      public void disconnected(ProxyConnection conn) {
        a.disconnected(conn);
        b.disconnected(conn);
      }

      @Override
      public void sent(ProxyConnection conn, String type, int resources, long bytes, long nanos) {
        a.sent(conn, type, resources, bytes, nanos);
        b.sent(conn, type, resources, bytes, nanos);
      }

      @Override
      public void acknowledged(ProxyConnection conn, String type, String version, Instant sentAt) {
        a.acknowledged(conn, type, version, sentAt);
        b.acknowledged(conn, type, version, sentAt);
      }

      @Override
      public void rejected(ProxyConnection conn, String type, String version, String error) {
        a.rejected(conn, type, version, error);
        b.rejected(conn, type, version, error);
      }

      @Override
      public void refused(String nodeId, Status status, String reason) {
        a.refused(nodeId, status, reason);
        b.refused(nodeId, status, reason);
      }

      @Override
      public void expiredNonce(ProxyConnection conn, String type) {
        a.expiredNonce(conn, type);
        b.expiredNonce(conn, type);
      }

      @Override
      public void dequeued(ProxyConnection conn, long waitedNanos) {
        a.dequeued(conn, waitedNanos);
        b.dequeued(conn, waitedNanos);
      }

      @Override
      public void writeTimedOut(ProxyConnection conn) {
        a.writeTimedOut(conn);
        b.writeTimedOut(conn);
      }
    };
  }

  default void connected(ProxyConnection conn) {}

  default void disconnected(ProxyConnection conn) {}

  /**
   * A response of {@code type} went out.
   *
   * @param resources how many resources it carried
   * @param bytes their serialized size
   * @param nanos how long serializing and handing it to the transport took
   */
  default void sent(ProxyConnection conn, String type, int resources, long bytes, long nanos) {}

  /** The proxy accepted {@code version}, sent at {@code sentAt}. */
  default void acknowledged(ProxyConnection conn, String type, String version, Instant sentAt) {}

  /** The proxy refused {@code version} with {@code error}. */
  default void rejected(ProxyConnection conn, String type, String version, String error) {}

  /** A stream was refused before it was served, for {@code reason}. */
  default void refused(String nodeId, Status status, String reason) {}

  /** A request answered a response other than the last one sent of its type; it is ignored. */
  default void expiredNonce(ProxyConnection conn, String type) {}

  /** A stream's turn in the push queue came, {@code waitedNanos} after it was queued. */
  default void dequeued(ProxyConnection conn, long waitedNanos) {}

  /** The transport did not take a stream's responses within the push queue's lease. */
  default void writeTimedOut(ProxyConnection conn) {}

  /** Why a stream was refused. */
  enum Status {
    INVALID_NODE,
    NOT_A_MEMBER,
    /** On the secure port: no usable certificate identity, or a node claiming another namespace. */
    WRONG_IDENTITY,
    UNSUPPORTED,
    /** Over one of the port's limits (connections per address, new streams per second). */
    OVER_LIMIT
  }
}
