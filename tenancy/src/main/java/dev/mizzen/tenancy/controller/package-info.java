/**
 * The member controller: member namespaces labelled, RoleBindings and NetworkPolicies copied, the
 * roll's status written, under a Lease so that one replica writes.
 */
package dev.mizzen.tenancy.controller;
