package dev.mizzen.pilot.cache;

import com.google.common.hash.HashFunction;
import com.google.common.hash.Hashing;
import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import com.google.protobuf.UnsafeByteOperations;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * The resources of one type served to a group of proxies, and the version that names them. The
 * version changes exactly when the resources do. Responses built from them are serialized once and
 * shared by every stream that asks for the same selection.
 */
public final class TypeResources {
  private static final HashFunction HASH = Hashing.murmur3_128();

  /** The body key of a request for every resource of the type. */
  public static final Object ALL = new Object();

  /**
   * The bytes of serialized bodies of partial selections (some of a type's resources) kept for
   * reuse, across every group and type: what one client can make Mizzen keep by asking for ever
   * other subsets is bounded by this. A quarter of the heap, at most 256 MiB. The body of a whole
   * type, which every proxy of a group asks for, is always kept, as long as its resources are.
   */
  static final long BODY_CACHE_BYTES =
      Math.min(256L * 1024 * 1024, Runtime.getRuntime().maxMemory() / 4);

  /** The bytes held in every instance's bodies, less those of instances collected since. */
  private static final AtomicLong CACHED_BYTES = new AtomicLong();

  private static final Cleaner CLEANER = Cleaner.create();

  /**
   * Bodies by selection, kept with these resources and gone with them: a snapshot that a push has
   * replaced takes its bodies along when it is collected, instead of holding the budget until newer
   * bodies push them out.
   */
  private final Map<Object, ByteString> bodies = new ConcurrentHashMap<>();

  /**
   * The bytes of partial selections in {@link #bodies}, given back to the budget when this instance
   * is collected.
   */
  private final AtomicLong heldBytes = new AtomicLong();

  private final String version;
  private final NavigableMap<String, Message> resources;
  private final Set<String> names;
  private final List<String> sortedNames;

  /**
   * The names in order as a request's {@code resource_names} serialize them, made when first asked
   * for and shared, like the names, with the resources that replace these under the same names.
   */
  private final AtomicReference<ByteString> serializedNames;

  private final Map<String, String> resourceVersions;

  /**
   * What streams make alike from these resources (incremental responses, by what the proxy holds
   * and asks for), made once per key; at most {@link #DERIVED} kept, their bytes within the budget
   * of partial selections.
   */
  private final Map<Object, Object> derived = new ConcurrentHashMap<>();

  static final int DERIVED = 64;

  /** How many derived values are kept whatever the budget. */
  static final int ALWAYS_DERIVED = 8;

  /**
   * How many earlier versions a stream may hold and still be sent only what changed since: under
   * steady endpoint churn a push every half second or so, and a stream that falls a few seconds
   * behind is still sent what changed, not every assignment again.
   */
  static final int HISTORY = 32;

  /**
   * The names added, changed or removed since each of the last {@link #HISTORY} versions, oldest
   * first; a version whose changes came to more than half the names is not kept (all is as cheap).
   */
  private final Map<String, Set<String>> changedSince;

  public TypeResources(String version, SortedMap<String, Message> resources) {
    this(version, resources, Map.of(), null);
  }

  /**
   * Resources that replace {@code previous}'s: when they have the very same names, they keep its
   * set of names, so that streams which asked for all of them before are seen to ask for all of
   * them now by identity, without comparing thousands of names per stream and push.
   */
  public static TypeResources replacing(
      TypeResources previous, String version, SortedMap<String, Message> resources) {
    return new TypeResources(
            version, resources, Map.of(), sameNames(previous, resources) ? previous : null)
        .versionsFrom(previous);
  }

  private static boolean sameNames(TypeResources previous, SortedMap<String, Message> resources) {
    return previous != null
        && previous.resources.size() == resources.size()
        && previous.resources.keySet().equals(resources.keySet());
  }

  /**
   * @param namesOf an instance with exactly these names, whose name sets are shared; or null
   */
  private TypeResources(
      String version,
      SortedMap<String, Message> resources,
      Map<String, Set<String>> since,
      TypeResources namesOf) {
    this.changedSince = since;
    this.version = Objects.requireNonNull(version);
    this.resources =
        Collections.unmodifiableNavigableMap(
            resources instanceof NavigableMap<String, Message> nav
                ? nav
                : new TreeMap<>(resources));
    // A hash set: thousands of streams each ask whether their names are all of these, and names
    // such as outbound|8080|v1|svc-1.ns.svc.cluster.local share long prefixes that make every
    // comparison in a sorted set slow.
    this.names = namesOf != null ? namesOf.names : Set.copyOf(this.resources.keySet());
    this.sortedNames = namesOf != null ? namesOf.sortedNames : List.copyOf(this.resources.keySet());
    this.serializedNames = namesOf != null ? namesOf.serializedNames : new AtomicReference<>();
    this.resourceVersions = new ConcurrentHashMap<>();
    CLEANER.register(this, new Release(heldBytes));
  }

  /**
   * Keeps the versions {@code previous} computed of the resources these hold unchanged (the same
   * instances): a push that changes a few of thousands does not hash the others again.
   */
  private TypeResources versionsFrom(TypeResources previous) {
    if (previous != null) {
      previous.resourceVersions.forEach(
          (name, v) -> {
            if (resources.get(name) == previous.resources.get(name)) {
              resourceVersions.put(name, v);
            }
          });
    }
    return this;
  }

  /**
   * What {@code make} makes of these resources for {@code key}, made once while kept: streams in
   * the same state share it. The first {@link #ALWAYS_DERIVED} are kept as long as these resources
   * (the states most of a group's streams are in); then while fewer than {@link #DERIVED} are and
   * its {@code bytes} fit the budget of partial selections; made again otherwise.
   */
  @SuppressWarnings("unchecked")
  public <V> V derived(Object key, Supplier<V> make, ToLongFunction<V> bytes) {
    Object kept = derived.get(key);
    if (kept != null) {
      return (V) kept;
    }
    if (derived.size() < ALWAYS_DERIVED) {
      // The few states that most of a group's streams are in, kept as the whole type's body is;
      // made once however many of them ask at the same moment (as after a push, they do).
      return (V) derived.computeIfAbsent(key, k -> make.get());
    }
    if (derived.size() >= DERIVED) {
      return make.get();
    }
    Object[] made = new Object[1];
    kept =
        derived.computeIfAbsent(
            key,
            k -> {
              V value = make.get();
              made[0] = value;
              long size = bytes.applyAsLong(value);
              if (CACHED_BYTES.addAndGet(size) > BODY_CACHE_BYTES) {
                CACHED_BYTES.addAndGet(-size);
                return null;
              }
              heldBytes.addAndGet(size);
              return value;
            });
    return (V) (kept != null ? kept : made[0]);
  }

  /** Gives a collected instance's bytes back to the budget; holds nothing of the instance. */
  private record Release(AtomicLong heldBytes) implements Runnable {
    @Override
    public void run() {
      CACHED_BYTES.addAndGet(-heldBytes.get());
    }
  }

  /** The bytes of partial selections' bodies kept now, across instances. */
  static long cachedBytes() {
    return CACHED_BYTES.get();
  }

  /** The bytes of partial selections' bodies this instance keeps. */
  long heldBytes() {
    return heldBytes.get();
  }

  public String version() {
    return version;
  }

  /**
   * Resources that replace {@code previous}'s, of which {@code changed} name the ones added,
   * changed or removed: a stream that holds {@code previous}'s version, or one of the few before
   * it, is sent only what changed since.
   */
  public static TypeResources after(
      TypeResources previous,
      String version,
      SortedMap<String, Message> resources,
      Set<String> changed) {
    int total = Math.max(resources.size(), previous.resources.size());
    Map<String, Set<String>> since = new LinkedHashMap<>();
    List<Map.Entry<String, Set<String>>> earlier =
        new ArrayList<>(previous.changedSince.entrySet());
    for (Map.Entry<String, Set<String>> e :
        earlier.subList(Math.max(0, earlier.size() - (HISTORY - 1)), earlier.size())) {
      Set<String> union = new HashSet<>(e.getValue());
      union.addAll(changed);
      if (union.size() * 2 <= total) {
        since.put(e.getKey(), Set.copyOf(union));
      }
    }
    if (changed.size() * 2 <= total) {
      since.put(previous.version, Set.copyOf(changed));
    }
    // Only the changed names can have come or gone: when none has, the names are the same.
    boolean sameNames = resources.size() == previous.resources.size();
    for (String name : changed) {
      if (!sameNames) {
        break;
      }
      sameNames = resources.containsKey(name) && previous.resources.containsKey(name);
    }
    return new TypeResources(
            version, resources, Collections.unmodifiableMap(since), sameNames ? previous : null)
        .versionsFrom(previous);
  }

  /**
   * The names added, changed or removed since {@code sent}, when these resources replace that
   * version within the last few; empty otherwise (a stream further behind is sent everything).
   */
  public Optional<Set<String>> changedSince(String sent) {
    return sent == null ? Optional.empty() : Optional.ofNullable(changedSince.get(sent));
  }

  public SortedMap<String, Message> resources() {
    return resources;
  }

  /** Whether a resource of this name exists: a hash lookup, not a walk of the sorted map. */
  public boolean has(String name) {
    return names.contains(name);
  }

  /**
   * The requested names with the strings this type's resources already hold, and, when they name
   * every resource, this type's own name set: thousands of streams asking for the same names keep
   * no copies of them.
   */
  public Set<String> canonical(List<String> requested) {
    if (requested.size() == names.size() && (inOrder(requested) || names.containsAll(requested))) {
      return names;
    }
    List<String> shared = new ArrayList<>(requested.size());
    for (String n : requested) {
      String key = resources.ceilingKey(n);
      shared.add(n.equals(key) ? key : n);
    }
    return Set.copyOf(shared);
  }

  /**
   * As {@link #canonical(List)}, for a request whose names were serialized as {@code serialized}
   * (tag, length and bytes of each, in order; null when not known): when those are this type's
   * names in order, byte for byte, the request asks for all of them, which one comparison of the
   * bytes tells without reading a name.
   */
  public Set<String> canonical(List<String> requested, ByteString serialized) {
    if (serialized != null
        && requested.size() == names.size()
        && sameBytes(serialized, serializedNames())) {
      return names;
    }
    return canonical(requested);
  }

  private ByteString serializedNames() {
    ByteString made = serializedNames.get();
    if (made == null) {
      int size = 0;
      for (String n : sortedNames) {
        size +=
            CodedOutputStream.computeStringSize(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, n);
      }
      byte[] bytes = new byte[size];
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      try {
        for (String n : sortedNames) {
          out.writeString(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, n);
        }
        out.checkNoSpaceLeft();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      made = UnsafeByteOperations.unsafeWrap(bytes);
      serializedNames.compareAndSet(null, made);
    }
    return made;
  }

  /** Byte for byte, with the JDK's vectorized comparison of buffers. */
  private static boolean sameBytes(ByteString a, ByteString b) {
    return a.size() == b.size() && a.asReadOnlyByteBuffer().equals(b.asReadOnlyByteBuffer());
  }

  /** Whether the request lists every name in this type's order, as clients that sort them do. */
  private boolean inOrder(List<String> requested) {
    for (int i = 0; i < requested.size(); i++) {
      if (!requested.get(i).equals(sortedNames.get(i))) {
        return false;
      }
    }
    return true;
  }

  /** Whether {@code selection} is every resource of the type. */
  public boolean isAll(Set<String> selection) {
    return selection == names;
  }

  /**
   * The serialized state-of-the-world response without its nonce (version, resources, type) for a
   * selection. The server adds each stream's nonce as it writes it. A selection of resources that
   * all exist is serialized once and shared; one that names resources that do not exist (answered
   * empty) is serialized for its request alone, so that made-up names cost nothing kept.
   *
   * @param key {@link #ALL} or the selected names
   */
  public ByteString body(String typeUrl, Object key, Supplier<List<Message>> selected) {
    if (key != ALL && !(key instanceof Set<?> asked && names.containsAll(asked))) {
      return serialize(typeUrl, selected.get());
    }
    // Every name of the type, as streams keep asking after a push made a new name set: the whole.
    if (key instanceof Set<?> asked && asked.size() == names.size()) {
      key = names;
    }
    ByteString kept = bodies.get(key);
    if (kept != null) {
      return kept;
    }
    if (key == ALL || key == names) {
      return bodies.computeIfAbsent(key, k -> serialize(typeUrl, selected.get()));
    }
    // One serialization however many streams ask at once; kept only within the budget.
    ByteString[] built = new ByteString[1];
    kept =
        bodies.computeIfAbsent(
            key,
            k -> {
              ByteString body = serialize(typeUrl, selected.get());
              built[0] = body;
              if (CACHED_BYTES.addAndGet(body.size()) > BODY_CACHE_BYTES) {
                CACHED_BYTES.addAndGet(-body.size());
                return null;
              }
              heldBytes.addAndGet(body.size());
              return body;
            });
    return kept != null ? kept : built[0];
  }

  private ByteString serialize(String typeUrl, List<Message> selected) {
    List<Any> packed = new ArrayList<>(selected.size());
    for (Message m : selected) {
      packed.add(Any.pack(m));
    }
    return DiscoveryResponse.newBuilder()
        .setVersionInfo(version)
        .setTypeUrl(typeUrl)
        .addAllResources(packed)
        .build()
        .toByteString();
  }

  /**
   * The version of one resource, for incremental xDS: a hash of its bytes, so it changes exactly
   * when the resource does, whatever push produced it.
   */
  public String versionOf(String name) {
    String known = resourceVersions.get(name);
    if (known != null) {
      return known;
    }
    Message m = resources.get(name);
    if (m == null) {
      return "";
    }
    return resourceVersions.computeIfAbsent(
        name, n -> HASH.hashBytes(m.toByteArray()).toString().substring(0, 16));
  }
}
