/**
 * A raw ADS stream for tests that drive the protocol by hand: the requests a proxy would send, the
 * responses the server sent in order, each checked against Envoy's validation rules, and how the
 * server ended the stream.
 */
package dev.mizzen.testing.xds;
