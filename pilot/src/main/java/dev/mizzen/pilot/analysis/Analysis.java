package dev.mizzen.pilot.analysis;

import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.ObjectRef;
import dev.mizzen.pilot.push.PushContext;
import dev.mizzen.tenancy.Membership;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analysis of one push: every analyzer run over the members' config, the messages in {@code
 * istioctl analyze}'s order. Immutable; the push, {@code mizzen analyze}, {@code /debug/analyze}
 * and the status writer read the same one.
 */
public final class Analysis {
  private static final Logger log = LoggerFactory.getLogger(Analysis.class);

  private static final List<Analyzer> ANALYZERS =
      List.of(
          new SchemaAnalyzer(),
          new VirtualServiceAnalyzer(),
          new MeshGatewayConflicts(),
          new GatewayAnalyzer(),
          new SidecarAnalyzer(),
          new DestinationRuleAnalyzer(),
          new AuthorizationAnalyzer(),
          new PortNameAnalyzer());

  /** The order of the push's warnings: by object, then field, then reason. */
  private static final Comparator<ConfigError> WARNING_ORDER =
      Comparator.comparing(ConfigError::namespace)
          .thenComparing(ConfigError::kind)
          .thenComparing(ConfigError::name)
          .thenComparing(ConfigError::field)
          .thenComparing(ConfigError::reason);

  private static final Analysis EMPTY = new Analysis(List.of());

  private final List<AnalysisMessage> messages;

  private Analysis(List<AnalysisMessage> messages) {
    this.messages = List.copyOf(messages);
  }

  /** No messages: before the first push. */
  public static Analysis empty() {
    return EMPTY;
  }

  /**
   * @param push the push, built from the members' config
   * @param membership who the members are
   * @param refused objects refused as invalid, and security objects (or parts) served fail closed
   */
  public static Analysis of(PushContext push, Membership membership, List<ConfigError> refused) {
    AnalysisContext context =
        new AnalysisContext(push, membership, Workloads.of(push.config()), List.copyOf(refused));
    Set<AnalysisMessage> found = new LinkedHashSet<>();
    for (Analyzer a : ANALYZERS) {
      List<AnalysisMessage> out = new ArrayList<>();
      try {
        a.analyze(context, out);
      } catch (RuntimeException e) {
        // One analyzer's bug must not cost the push, nor the other analyzers' findings.
        log.error(
            "analyzer {} failed; its checks are left out of this push",
            a.getClass().getSimpleName(),
            e);
        continue;
      }
      found.addAll(out);
    }
    List<AnalysisMessage> sorted = new ArrayList<>(found);
    sorted.sort(AnalysisMessage.ORDER);
    return new Analysis(sorted);
  }

  /** Every message, the worst first (as {@code istioctl analyze} orders them). */
  public List<AnalysisMessage> messages() {
    return messages;
  }

  /** The messages of {@code namespace}. */
  public List<AnalysisMessage> in(String namespace) {
    return messages.stream().filter(m -> m.namespace().equals(namespace)).toList();
  }

  /** The messages about each object, by object. */
  public Map<ObjectRef, List<AnalysisMessage>> byObject() {
    Map<ObjectRef, List<AnalysisMessage>> out = new TreeMap<>();
    for (AnalysisMessage m : messages) {
      m.ref().ifPresent(r -> out.computeIfAbsent(r, k -> new ArrayList<>()).add(m));
    }
    return out;
  }

  /** The worst level among the messages; empty when there are none. */
  public Optional<Level> worst() {
    return messages.stream().map(m -> m.type().level()).min(Comparator.naturalOrder());
  }

  /** How many messages of each level. */
  public Map<Level, Integer> counts() {
    Map<Level, Integer> counts = new EnumMap<>(Level.class);
    for (Level l : Level.values()) {
      counts.put(l, 0);
    }
    messages.forEach(m -> counts.merge(m.type().level(), 1, Integer::sum));
    return counts;
  }

  /**
   * The messages the push reports among its warnings: errors and warnings of config that is served
   * (Info is left to the analysis; IST0106's objects are already reported as refused or served fail
   * closed).
   */
  public List<ConfigError> warnings() {
    List<ConfigError> out = new ArrayList<>();
    for (AnalysisMessage m : messages) {
      if (m.type().level() != Level.INFO && m.type() != MessageType.SCHEMA_VALIDATION_ERROR) {
        out.add(m.asWarning());
      }
    }
    out.sort(WARNING_ORDER);
    return out;
  }
}
