/**
 * The cluster source: fabric8 informers in the member namespaces only (the namespaces are decided
 * by tenancy and handed in), the member roll and the mesh-wide Maistra kinds in the control plane's
 * namespace.
 */
package dev.mizzen.ingest.kube;
