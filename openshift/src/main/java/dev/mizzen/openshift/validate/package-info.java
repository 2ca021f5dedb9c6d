/**
 * Galley's validating admission webhook: whether the API server may store an Istio or Maistra
 * object of a member namespace, judged by the translators of ingest (the code every source and
 * {@code mizzen validate} use), in bounded time and failing closed.
 */
package dev.mizzen.openshift.validate;
