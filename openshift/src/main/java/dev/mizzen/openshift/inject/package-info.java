/**
 * The sidecar injection webhook: AdmissionReviews for pods in member namespaces answered with a
 * JSON patch, opt-in by annotation as Maistra injects.
 */
package dev.mizzen.openshift.inject;
