/**
 * A test mesh as YAML: the member namespaces and their roll, and the Services and routing of a
 * namespace, written the way users write them, for the directory source or the tests' API server.
 */
package dev.mizzen.testing.mesh;
