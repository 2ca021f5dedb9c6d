/**
 * Analysis across objects, as {@code istioctl analyze} does it: each analyzer reads one push's
 * config and reports messages with Istio's codes, levels and wording (and Mizzen's own codes,
 * {@code MZ}, for what only a multitenant mesh can get wrong). The push reports the messages as
 * warnings; {@code mizzen analyze}, {@code /debug/analyze} and the objects' status show them as
 * they are.
 */
package dev.mizzen.pilot.analysis;
