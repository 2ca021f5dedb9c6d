/**
 * The config model: one immutable spec record per kind, the object references, metadata and errors
 * every other module reads. No behaviour beyond checking its own invariants.
 */
package dev.mizzen.ingest.model;
