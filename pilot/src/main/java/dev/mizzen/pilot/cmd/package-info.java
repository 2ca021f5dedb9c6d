/**
 * The mizzen command: serve, member-controller, validate, proxy-status, config-dump. Each
 * subcommand parses and checks its flags; serving is handed to the application as settings.
 */
package dev.mizzen.pilot.cmd;
