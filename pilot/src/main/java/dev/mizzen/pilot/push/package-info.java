/**
 * The push context: the member namespaces' config indexed once per push (services, endpoints,
 * VirtualServices with delegation, DestinationRules, Sidecar scopes, exportTo), and the checks
 * across objects.
 */
package dev.mizzen.pilot.push;
