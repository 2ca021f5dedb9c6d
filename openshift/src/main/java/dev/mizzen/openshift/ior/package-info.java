/**
 * IOR: the members' Istio Gateways mirrored as OpenShift Routes, run under the member controller's
 * Lease.
 */
package dev.mizzen.openshift.ior;
