/**
 * The mesh's certificate authority, as istiod's: the signing keys (a plugged-in CA's {@code
 * cacerts} files, or a root of its own), Istio's certificate service ({@code
 * istio.v1.auth.IstioCertificateService}) that an unmodified Istio agent asks for its workload
 * certificate, and the rule of who may be issued which identity. A caller proves who it is with a
 * Kubernetes service-account token (checked by the API server with a TokenReview) or with a
 * certificate this CA issued, and is issued exactly {@code
 * spiffe://TRUST_DOMAIN/ns/NAMESPACE/sa/SERVICE_ACCOUNT} of that proof, only for a namespace of
 * this control plane's members. Nothing here knows of xDS; the secure port serves this service
 * beside ADS.
 */
package dev.mizzen.ca;
