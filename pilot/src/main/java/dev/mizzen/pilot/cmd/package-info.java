/**
 * The mizzen command: serve, member-controller, validate, proxy-status, config-dump; flags parsed
 * into settings, the start-up report.
 */
package dev.mizzen.pilot.cmd;
