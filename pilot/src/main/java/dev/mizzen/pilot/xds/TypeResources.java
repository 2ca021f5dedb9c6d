package dev.mizzen.pilot.xds;

import com.google.protobuf.Message;
import java.util.Objects;
import java.util.SortedMap;

/**
 * The resources of one type served to a group of proxies, and the version that names them. The
 * version changes exactly when the resources do.
 *
 * @param version the push version in which these resources last changed
 * @param resources by name
 */
public record TypeResources(String version, SortedMap<String, Message> resources) {
  public TypeResources {
    Objects.requireNonNull(version);
    resources = java.util.Collections.unmodifiableSortedMap(resources);
  }
}
