package dev.mizzen.pilot.cache;

import com.google.protobuf.Message;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;

/**
 * What a generator produced for one group of proxies: resources by type and name, and, for gRPC
 * clients, the names a client may ask for a listener by (short and qualified host names) with the
 * name each stands for.
 *
 * @param resources by type URL, then by resource name
 * @param listenerAliases requested listener name to the generated listener's name
 * @param unprovided the clusters generated empty because routes name them and no service provides
 *     them (see {@link ConfigGenerator#referencedDestinations}); empty when not known
 */
public record ProxyResources(
    Map<String, SortedMap<String, Message>> resources,
    Map<String, String> listenerAliases,
    Optional<Set<String>> unprovided) {

  public ProxyResources {
    resources = Map.copyOf(resources);
    listenerAliases = Map.copyOf(listenerAliases);
    Objects.requireNonNull(unprovided);
  }

  public ProxyResources(
      Map<String, SortedMap<String, Message>> resources, Map<String, String> listenerAliases) {
    this(resources, listenerAliases, Optional.empty());
  }

  /** These resources with those of {@code typeUrl} replaced by {@code replaced}. */
  public ProxyResources with(String typeUrl, SortedMap<String, Message> replaced) {
    Map<String, SortedMap<String, Message>> all = new HashMap<>(resources);
    all.put(typeUrl, replaced);
    return new ProxyResources(all, listenerAliases, unprovided);
  }

  public SortedMap<String, Message> of(String typeUrl) {
    SortedMap<String, Message> map = resources.get(typeUrl);
    return map == null ? Collections.emptySortedMap() : map;
  }
}
