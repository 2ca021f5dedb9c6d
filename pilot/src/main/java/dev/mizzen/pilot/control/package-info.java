/**
 * The push pipeline: from store changes to published snapshots (membership, push context,
 * generation, what each change can affect), the status of each push, and what proxies refuse traced
 * back to the config objects it came from.
 */
package dev.mizzen.pilot.control;
