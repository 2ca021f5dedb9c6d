package dev.mizzen.pilot.app;

import dev.mizzen.ingest.model.Printable;
import dev.mizzen.pilot.cache.TypeUrls;
import dev.mizzen.pilot.proxy.Proxy;
import dev.mizzen.pilot.xds.ProxyConnection;
import dev.mizzen.pilot.xds.XdsEvents;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One log line per stream event that matters: connect, disconnect, refusal, NACK. */
final class XdsLog implements XdsEvents {
  private static final Logger log = LoggerFactory.getLogger("dev.mizzen.xds");

  @Override
  public void connected(ProxyConnection conn) {
    Proxy p = conn.proxy();
    log.info(
        "proxy {} connected from {} ({} {}, stream {})",
        p.id(),
        conn.remoteAddress(),
        p.generator() == Proxy.Generator.GRPC ? "proxyless gRPC" : "Envoy",
        p.type().istioName(),
        conn.streamId());
  }

  @Override
  public void disconnected(ProxyConnection conn) {
    if (conn.proxy() != null) {
      log.info("proxy {} disconnected (stream {})", conn.proxy().id(), conn.streamId());
    }
  }

  @Override
  public void acknowledged(ProxyConnection conn, String type, String version, Instant sentAt) {
    log.debug(
        "proxy {} accepted {} version {}", conn.proxy().id(), TypeUrls.shortName(type), version);
  }

  @Override
  public void rejected(ProxyConnection conn, String type, String version, String error) {
    log.warn(
        "proxy {} rejected {} version {}: {}; it keeps its last accepted config, and this version is not sent again",
        conn.proxy().id(),
        TypeUrls.shortName(type),
        version,
        error);
  }

  @Override
  public void refused(String nodeId, Status status, String reason) {
    log.warn("refused the stream of proxy \"{}\": {}", Printable.of(nodeId), reason);
  }
}
