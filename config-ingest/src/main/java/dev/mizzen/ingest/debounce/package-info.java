/**
 * Merges bursts of changes into one push: a quiet period and a maximum wait, as istiod's
 * PILOT_DEBOUNCE_AFTER and PILOT_DEBOUNCE_MAX.
 */
package dev.mizzen.ingest.debounce;
