/**
 * Security policy for one workload: AuthorizationPolicy, PeerAuthentication, RequestAuthentication
 * and Maistra's ServiceMeshPolicy and ServiceMeshRbacConfig turned into what its proxy enforces
 * (Envoy RBAC, jwt_authn, TLS settings), and the explanation of a request against it. Knows the
 * config model, not how config arrived.
 */
package dev.mizzen.authz;
