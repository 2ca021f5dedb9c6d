package dev.mizzen.pilot.generate;

import com.google.protobuf.Message;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;

/**
 * What a generator produced for one group of proxies: resources by type and name, and, for gRPC
 * clients, the names a client may ask for a listener by (short and qualified host names) with the
 * name each stands for.
 *
 * @param resources by type URL, then by resource name
 * @param listenerAliases requested listener name to the generated listener's name
 */
public record ProxyResources(
    Map<String, SortedMap<String, Message>> resources, Map<String, String> listenerAliases) {

  public ProxyResources {
    resources = Map.copyOf(resources);
    listenerAliases = Map.copyOf(listenerAliases);
    Objects.requireNonNull(resources);
  }

  public SortedMap<String, Message> of(String typeUrl) {
    SortedMap<String, Message> map = resources.get(typeUrl);
    return map == null ? java.util.Collections.emptySortedMap() : map;
  }
}
