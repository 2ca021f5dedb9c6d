/** Kubernetes events as Mizzen's writers record them on the objects they are about. */
package dev.mizzen.tenancy.events;
