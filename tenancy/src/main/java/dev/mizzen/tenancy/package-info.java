/**
 * The member rule's one owner: which namespaces a control plane's member roll makes members, and
 * why the others are pending.
 */
package dev.mizzen.tenancy;
