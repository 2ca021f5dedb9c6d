/**
 * What admins read over HTTP: istiod's debug endpoints, /ready, /metrics and the dashboard, each
 * showing only this control plane's members; loopback or a bearer token.
 */
package dev.mizzen.pilot.debug;
