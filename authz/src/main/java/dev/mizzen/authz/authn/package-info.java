/**
 * Authentication: which mutual TLS mode applies to a workload and port, Istio's TLS settings and
 * SDS secrets, and the jwt_authn filter of RequestAuthentication and ServiceMeshPolicy origins.
 */
package dev.mizzen.authz.authn;
