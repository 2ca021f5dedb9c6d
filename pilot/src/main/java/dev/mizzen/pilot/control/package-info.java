/**
 * The running control plane: the push pipeline from store changes to published snapshots, the
 * sources and servers it starts, what proxies refuse traced back to config objects, events on
 * those objects.
 */
package dev.mizzen.pilot.control;
