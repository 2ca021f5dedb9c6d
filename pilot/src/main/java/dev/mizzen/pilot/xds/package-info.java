/**
 * The xDS cache and server: one snapshot per group of proxies of the same shape, serialized once;
 * ADS streams (state of the world and incremental) answered from it, admission, the push queue.
 */
package dev.mizzen.pilot.xds;
