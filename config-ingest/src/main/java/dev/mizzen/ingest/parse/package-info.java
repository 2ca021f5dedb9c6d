/**
 * Parsing and validation: one translator per kind turns an object into its spec or refuses it with
 * the field and the reason. The one way in for every source and for offline validation.
 */
package dev.mizzen.ingest.parse;
