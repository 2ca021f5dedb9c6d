/**
 * Evaluates a described request against generated RBAC filters, to say which policy and rule decide
 * it (/debug/authorizationz).
 */
package dev.mizzen.authz.explain;
