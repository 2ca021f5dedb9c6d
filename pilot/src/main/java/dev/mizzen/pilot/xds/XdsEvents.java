package dev.mizzen.pilot.xds;

import java.time.Instant;

/** What happens on xDS streams, for logs and metrics. Called on stream threads: be quick. */
public interface XdsEvents {
  XdsEvents NONE = new XdsEvents() {};

  default void connected(ProxyConnection conn) {}

  default void disconnected(ProxyConnection conn) {}

  /** A response of {@code type} carrying {@code resources} resources went out. */
  default void sent(ProxyConnection conn, String type, int resources) {}

  /** The proxy accepted {@code version}, sent at {@code sentAt}. */
  default void acknowledged(ProxyConnection conn, String type, String version, Instant sentAt) {}

  /** The proxy refused {@code version} with {@code error}. */
  default void rejected(ProxyConnection conn, String type, String version, String error) {}

  /** A stream was refused before it was served, for {@code reason}. */
  default void refused(String nodeId, Status status, String reason) {}

  /** Why a stream was refused. */
  enum Status {
    INVALID_NODE,
    NOT_A_MEMBER,
    /** On the secure port: no usable certificate identity, or a node claiming another namespace. */
    WRONG_IDENTITY,
    UNSUPPORTED
  }
}
