package dev.mizzen.pilot.push;

import java.util.Objects;

/**
 * The Zipkin collector proxies send spans to in one push.
 *
 * @param service the collector's Service
 * @param port its Zipkin port
 * @param samplingPercent the share of requests traced
 */
public record TracingCollector(MeshService service, int port, double samplingPercent) {
  public TracingCollector {
    Objects.requireNonNull(service);
  }

  /** {@code host:port}, as Envoy's Zipkin tracer names the collector. */
  public String address() {
    return service.hostname() + ":" + port;
  }
}
