/**
 * The tests' Kubernetes API server: fabric8's mock server in CRUD mode, with the Maistra kinds and
 * the requests it saw.
 */
package dev.mizzen.testing.kube;
