/**
 * The admission webhooks' HTTPS server (injection at {@code /inject}, validation at {@code
 * /validate}) and its serving certificate; and the sidecar injection webhook: AdmissionReviews for
 * pods in member namespaces answered with a JSON patch, opt-in by annotation as Maistra injects.
 */
package dev.mizzen.openshift.inject;
