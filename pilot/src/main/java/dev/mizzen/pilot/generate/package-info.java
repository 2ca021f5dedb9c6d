/**
 * Translation: one builder per Envoy resource kind and one generator per kind of proxy (Envoy
 * sidecar, gateway, proxyless gRPC), producing each group's clusters, endpoints, listeners and
 * routes from the push context. Knows no stream.
 */
package dev.mizzen.pilot.generate;
