/** Prometheus metrics under istiod's names. */
package dev.mizzen.pilot.metrics;
