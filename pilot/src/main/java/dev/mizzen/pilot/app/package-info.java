/**
 * The application: what starts, in which order, and how it all stops. {@code ControlPlane} wires a
 * source, the push pipeline, the xDS and debug servers and the webhook; {@code Application} runs
 * {@code mizzen serve} and {@code mizzen member-controller} as processes, with the writers under
 * the Lease; the start-up report, the replica's identity, the xDS log and the events written on
 * refused objects.
 */
package dev.mizzen.pilot.app;
