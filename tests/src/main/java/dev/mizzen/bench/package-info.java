/**
 * The benchmark: a generated mesh, Envoy-like ADS streams, Mizzen against bare java-control-plane,
 * and the printed report.
 */
package dev.mizzen.bench;
