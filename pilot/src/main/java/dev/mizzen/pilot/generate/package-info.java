/**
 * Translation: one builder per Envoy resource kind, named for what it builds ({@code
 * VirtualHostBuilder}, {@code RouteBuilder}, {@code RouteActionBuilder}, {@code ClusterBuilder},
 * ...), the cluster and endpoint generators, and one listener and route generator per kind of proxy
 * (Envoy sidecar, gateway, proxyless gRPC), producing each group's clusters, endpoints, listeners
 * and routes from the push context. {@code ConfigGenerator} is the entry point and holds, for one
 * push, what groups share, under typed keys. Knows no stream.
 */
package dev.mizzen.pilot.generate;
