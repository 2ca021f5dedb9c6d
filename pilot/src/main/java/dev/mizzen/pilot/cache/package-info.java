/**
 * The xDS cache: one immutable snapshot per group of proxies of the same shape, its resources by
 * type with their versions, and responses serialized once per group. Generic over the shape and the
 * member; knows no stream and no transport (the server, {@code pilot.xds}, adds those).
 */
package dev.mizzen.pilot.cache;
