/**
 * The push context: the member namespaces' config indexed once per push (services, endpoints,
 * VirtualServices with delegation, DestinationRules, Sidecar scopes, exportTo), and the warnings on
 * config served other than as written.
 */
package dev.mizzen.pilot.push;
