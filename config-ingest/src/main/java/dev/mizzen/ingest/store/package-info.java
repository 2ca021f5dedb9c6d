/**
 * The store: what each origin last gave (accepted configs and errors), immutable snapshots of all
 * of it, and the changes listeners are told of.
 */
package dev.mizzen.ingest.store;
