package dev.mizzen.ingest.model;

/** A Namespace; everything the control plane needs of it (its labels) is in {@link Meta}. */
public record NamespaceSpec() implements Spec {}
