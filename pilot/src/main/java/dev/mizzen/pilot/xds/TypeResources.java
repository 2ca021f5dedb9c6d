package dev.mizzen.pilot.xds;

import com.google.protobuf.Message;
import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.SortedMap;

/**
 * The resources of one type served to a group of proxies, and the version that names them. The
 * version changes exactly when the resources do.
 *
 * @param version the push version in which these resources last changed
 * @param resources by name
 */
public record TypeResources(String version, SortedMap<String, Message> resources, Map<String, String> resourceVersions) {
  public TypeResources {
    Objects.requireNonNull(version);
    resources = java.util.Collections.unmodifiableSortedMap(resources);
    Objects.requireNonNull(resourceVersions);
  }

  public TypeResources(String version, SortedMap<String, Message> resources) {
    this(version, resources, new ConcurrentHashMap<>());
  }

  /**
   * The version of one resource, for incremental xDS: a hash of its bytes, so it changes exactly
   * when the resource does, whatever push produced it.
   */
  public String versionOf(String name) {
    Message m = resources.get(name);
    if (m == null) {
      return "";
    }
    return resourceVersions.computeIfAbsent(name, n -> HASH.hashBytes(m.toByteArray()).toString().substring(0, 16));
  }

  private static final HashFunction HASH = Hashing.murmur3_128();
}
