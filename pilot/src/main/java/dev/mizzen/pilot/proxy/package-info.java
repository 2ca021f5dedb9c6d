/** Who is asking: a proxy's node id and metadata parsed and checked as istiod parses them. */
package dev.mizzen.pilot.proxy;
