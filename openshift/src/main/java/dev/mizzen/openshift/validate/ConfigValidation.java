package dev.mizzen.openshift.validate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.mizzen.ingest.model.Config;
import dev.mizzen.ingest.model.ConfigError;
import dev.mizzen.ingest.model.Kind;
import dev.mizzen.ingest.parse.ObjectTranslator;
import dev.mizzen.ingest.parse.ParseResult;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides whether the API server may store an object, with the code that decides whether Mizzen
 * serves it: {@link ObjectTranslator}, as both sources and {@code mizzen validate} use it. An
 * object it would refuse is refused here with the same words (the object, the field, the reason);
 * one it would serve fail closed is refused too, since it is invalid as written. WorkloadEntries,
 * WorkloadGroups and QUIC servers are refused with Maistra's reason, as the translators refuse
 * them.
 *
 * <p>Only CREATE and UPDATE of the object itself (not of a subresource such as status) of an Istio
 * or Maistra kind Mizzen reads, in a namespace Mizzen reads, are judged; everything else is allowed
 * as it is, so that a selector sending this control plane another tenant's objects never makes it
 * judge them. An object being deleted is allowed, so that removing its finalizers never sticks.
 *
 * <p>It fails closed: an object that cannot be judged within {@link #DEADLINE}, or whose judgement
 * fails, is refused with the reason. Objects are judged on a small pool of their own, so a slow one
 * holds up neither the HTTP threads nor the answer beyond the deadline.
 */
public final class ConfigValidation implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfigValidation.class);

  /**
   * How long one object may take: below the 10 s the API server waits (the configuration's {@code
   * timeoutSeconds}), leaving time to read the review and send the answer.
   */
  public static final Duration DEADLINE = Duration.ofSeconds(8);

  /** The origin of the errors, which answers leave out: the API server knows it. */
  static final String ORIGIN = "admission review";

  private static final Set<String> JUDGED = Set.of("CREATE", "UPDATE");

  /** Judging is CPU work; the API server's calls beyond these wait, within their deadline. */
  private static final int WORKERS = 2;

  private static final int QUEUED = 64;

  private static final List<Kind<?>> KINDS =
      Kind.all().stream()
          .filter(k -> k.group().endsWith("istio.io") || k.group().endsWith("maistra.io"))
          .toList();

  private final ObjectTranslator translator = new ObjectTranslator();
  private final Predicate<String> isMember;
  private final Function<Config<?>, List<ConfigError>> warnings;
  private final Duration deadline;
  private final ThreadPoolExecutor workers;

  /**
   * @param isMember whether the control plane reads the objects of a namespace
   */
  public ConfigValidation(Predicate<String> isMember) {
    this(isMember, c -> List.of(), DEADLINE);
  }

  /**
   * @param isMember whether the control plane reads the objects of a namespace
   * @param warnings what of an accepted object Mizzen ignores or treats otherwise than Istio, by
   *     the rule's owner (each a ConfigError's words); none for most objects
   */
  public ConfigValidation(
      Predicate<String> isMember, Function<Config<?>, List<ConfigError>> warnings) {
    this(isMember, warnings, DEADLINE);
  }

  ConfigValidation(
      Predicate<String> isMember,
      Function<Config<?>, List<ConfigError>> warnings,
      Duration deadline) {
    this.isMember = Objects.requireNonNull(isMember);
    this.warnings = Objects.requireNonNull(warnings);
    this.deadline = Objects.requireNonNull(deadline);
    this.workers =
        new ThreadPoolExecutor(
            WORKERS,
            WORKERS,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(QUEUED),
            new ThreadFactoryBuilder().setNameFormat("mizzen-validate-%d").setDaemon(true).build());
  }

  /**
   * The kinds the webhook judges: every Istio and Maistra kind Mizzen reads. Kubernetes' own kinds
   * (Services, EndpointSlices, ...) are the API server's to judge.
   */
  public static List<Kind<?>> kinds() {
    return KINDS;
  }

  /** The answer for {@code request}, within {@link #DEADLINE}; never allowed by accident. */
  public ValidationAnswer validate(ValidationRequest request) {
    Future<ValidationAnswer> judged;
    try {
      judged = workers.submit(() -> judge(request));
    } catch (RejectedExecutionException e) {
      return failed(request, "not validated: the webhook has too many objects to judge; try again");
    }
    try {
      return judged.get(deadline.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      judged.cancel(true);
      return failed(
          request, "not validated: judging it took longer than " + deadline.toMillis() + " ms");
    } catch (ExecutionException e) {
      log.error("validation webhook failed on {}", error(request, "").object(), e.getCause());
      return failed(request, "not validated: internal error: " + e.getCause());
    } catch (InterruptedException e) {
      judged.cancel(true);
      Thread.currentThread().interrupt();
      return failed(request, "not validated: the webhook is stopping");
    }
  }

  private ValidationAnswer judge(ValidationRequest request) {
    if (!request.subResource().isEmpty() || !JUDGED.contains(request.operation())) {
      return ValidationAnswer.allow();
    }
    Optional<Kind<?>> kind =
        Kind.byName(request.kind())
            .filter(KINDS::contains)
            .filter(k -> k.group().equals(request.group()));
    if (kind.isEmpty() || !isMember.test(request.namespace())) {
      return ValidationAnswer.allow();
    }
    JsonNode object = request.object();
    if (object != null && object.path("metadata").hasNonNull("deletionTimestamp")) {
      return ValidationAnswer.allow();
    }
    ParseResult result = translator.translate(ORIGIN, inNamespace(object, request.namespace()));
    if (result.isAccepted()) {
      return ValidationAnswer.allow(
          warnings.apply(result.config()).stream().map(ConfigError::detail).toList());
    }
    String message = result.error().detail();
    log.info("validation webhook refused {}", message);
    return ValidationAnswer.refuse(message);
  }

  /**
   * The object with the request's namespace when it names none, as the API server stores it; the
   * object itself otherwise, not copied.
   */
  private static JsonNode inNamespace(JsonNode object, String namespace) {
    if (object == null
        || !object.isObject()
        || !object.path("metadata").isObject()
        || object.path("metadata").has("namespace")
        || namespace.isEmpty()) {
      return object;
    }
    ObjectNode copy = ((ObjectNode) object).objectNode();
    copy.setAll((ObjectNode) object);
    ObjectNode metadata = ((ObjectNode) object.get("metadata")).deepCopy();
    metadata.put("namespace", namespace);
    copy.set("metadata", metadata);
    return copy;
  }

  private static ValidationAnswer failed(ValidationRequest request, String reason) {
    String message = error(request, reason).detail();
    log.warn("validation webhook refused {}", message);
    return ValidationAnswer.refuse(message);
  }

  /** An error naming the object as far as the request tells, made printable as ingest's are. */
  private static ConfigError error(ValidationRequest request, String reason) {
    JsonNode name = request.object() == null ? null : request.object().path("metadata").get("name");
    return new ConfigError(
        ORIGIN,
        request.kind(),
        request.namespace(),
        name != null && name.isTextual() ? name.asText() : "",
        "",
        reason);
  }

  @Override
  public void close() {
    workers.shutdownNow();
  }
}
