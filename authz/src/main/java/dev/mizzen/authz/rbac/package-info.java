/**
 * Authorization rules in two stages, as Istio builds them: policy rules into a tree of small
 * matchers, then the matchers into Envoy RBAC; failing closed where a value cannot be read.
 */
package dev.mizzen.authz.rbac;
