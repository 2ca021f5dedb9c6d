/**
 * The directory source: Kubernetes-style manifests read recursively from a directory and followed
 * as files change.
 */
package dev.mizzen.ingest.file;
