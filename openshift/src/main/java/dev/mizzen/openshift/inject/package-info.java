/**
 * The admission webhooks' HTTPS server (injection at {@code /inject}, validation at {@code
 * /validate}) and its serving certificate; the sidecar injection webhook: AdmissionReviews for pods
 * in member namespaces answered with a JSON patch, opt-in by annotation as Maistra injects; and the
 * writer that keeps the webhook configurations' caBundle equal to that certificate's CA.
 */
package dev.mizzen.openshift.inject;
