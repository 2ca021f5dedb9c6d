package dev.mizzen.openshift.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.mizzen.openshift.validate.ConfigValidation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission webhooks (istiod's 15017): HTTPS, AdmissionReviews v1 by POST. {@code /inject}, the
 * sidecar injection webhook, answers with a JSON patch and never refuses a pod: a pod it does not
 * inject is allowed as it is, with only an annotation saying why. {@code /validate}, Galley's
 * validating webhook, answers whether an Istio or Maistra object may be stored, as {@link
 * ConfigValidation} judges it. A request that is not an AdmissionReview is refused with HTTP 400
 * and the reason, and nothing it receives can stop the server. Each path is served only when asked
 * for.
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(WebhookServer.class);

  /** Far above any object the API server stores (etcd takes 1.5 MiB per object). */
  static final int MAX_BODY = 8 * 1024 * 1024;

  static final String INJECT = "/inject";
  static final String VALIDATE = "/validate";

  private final HttpsServer server;
  private final ExecutorService executor;
  private final Injector injector;
  private final Predicate<String> isMember;
  private final ConfigValidation validation;

  private WebhookServer(
      HttpsServer server,
      ExecutorService executor,
      Injector injector,
      Predicate<String> isMember,
      ConfigValidation validation) {
    this.server = server;
    this.executor = executor;
    this.injector = injector;
    this.isMember = isMember;
    this.validation = validation;
  }

  /**
   * Starts serving the injection webhook only; see {@link #start(InetSocketAddress, Path, Path,
   * Injection, Predicate, ConfigValidation)}.
   */
  public static WebhookServer start(
      InetSocketAddress address,
      Path certChain,
      Path privateKey,
      Injection injection,
      Predicate<String> isMember)
      throws IOException {
    return start(address, certChain, privateKey, injection, isMember, null);
  }

  /**
   * Starts serving.
   *
   * @param address where to listen; port 0 picks one
   * @param certChain the serving certificate chain (PEM), read again when it changes
   * @param privateKey its key (PEM, PKCS#8 or PKCS#1 RSA)
   * @param injection how to inject; null to serve no {@code /inject}
   * @param isMember with {@code injection}: whether a namespace is a configured member of this
   *     control plane, where pods may be injected
   * @param validation what judges objects at {@code /validate}, closed with the server; null to
   *     serve no {@code /validate}
   */
  public static WebhookServer start(
      InetSocketAddress address,
      Path certChain,
      Path privateKey,
      Injection injection,
      Predicate<String> isMember,
      ConfigValidation validation)
      throws IOException {
    if (injection == null && validation == null) {
      throw new IllegalArgumentException("the webhook serves injection, validation or both");
    }
    if ((injection == null) != (isMember == null)) {
      throw new IllegalArgumentException("injection needs the members it injects in");
    }
    ServingCertificate certificate = new ServingCertificate(certChain, privateKey);
    HttpsServer server = HttpsServer.create(address, 64);
    server.setHttpsConfigurator(new HttpsConfigurator(certificate.sslContext()));
    ExecutorService executor =
        Executors.newFixedThreadPool(
            4, new ThreadFactoryBuilder().setNameFormat("mizzen-webhook").setDaemon(true).build());
    server.setExecutor(executor);
    WebhookServer webhook =
        new WebhookServer(
            server,
            executor,
            injection == null ? null : new Injector(injection),
            isMember,
            validation);
    if (injection != null) {
      server.createContext(INJECT, webhook::handle);
    }
    if (validation != null) {
      server.createContext(VALIDATE, webhook::handle);
    }
    server.createContext(
        "/ready",
        ex -> {
          try (ex) {
            send(ex, 200, "text/plain", "ready\n".getBytes(StandardCharsets.UTF_8));
          }
        });
    server.start();
    if (injection != null) {
      log.info(
          "sidecar injection webhook on {}{} (template: {}{})",
          server.getAddress(),
          INJECT,
          injection.template().origin(),
          injection.cni() ? ", CNI: no init containers" : "");
    }
    if (validation != null) {
      log.info("validation webhook on {}{}", server.getAddress(), VALIDATE);
    }
    return webhook;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The paths served: {@code /inject}, {@code /validate} or both. */
  public List<String> paths() {
    List<String> paths = new ArrayList<>();
    if (injector != null) {
      paths.add(INJECT);
    }
    if (validation != null) {
      paths.add(VALIDATE);
    }
    return List.copyOf(paths);
  }

  private void handle(HttpExchange ex) {
    try (ex) {
      String path = ex.getRequestURI().getPath();
      boolean inject = INJECT.equals(path) && injector != null;
      if (!inject && !(VALIDATE.equals(path) && validation != null)) {
        send(ex, 404, "text/plain", bytes("not found: " + path + "\n"));
        return;
      }
      if (!"POST".equals(ex.getRequestMethod())) {
        ex.getResponseHeaders().set("Allow", "POST");
        send(ex, 405, "text/plain", bytes("the webhook takes AdmissionReviews by POST\n"));
        return;
      }
      String type = String.valueOf(ex.getRequestHeaders().getFirst("Content-Type"));
      if (!type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
        refuse(
            ex,
            415,
            "malformed AdmissionReview: Content-Type must be application/json, not " + type);
        return;
      }
      byte[] body = readLimited(ex.getRequestBody());
      if (body == null) {
        refuse(ex, 413, "malformed AdmissionReview: larger than " + MAX_BODY + " bytes");
        return;
      }
      byte[] answer;
      try {
        AdmissionReviews.Review review = AdmissionReviews.parse(body);
        answer = inject ? inject(review) : validate(review);
      } catch (AdmissionReviews.MalformedReviewException e) {
        refuse(ex, e.status(), e.getMessage());
        return;
      }
      send(ex, 200, "application/json", answer);
    } catch (IOException e) {
      log.debug("webhook connection from {} failed: {}", ex.getRemoteAddress(), e.toString());
    } catch (RuntimeException e) {
      log.error("webhook failed on a request from {}", ex.getRemoteAddress(), e);
      try {
        send(ex, 500, "text/plain", bytes("internal error: " + e + "\n"));
      } catch (IOException | RuntimeException ignored) {
        // The exchange is closed below either way.
      }
    }
  }

  private byte[] inject(AdmissionReviews.Review review)
      throws AdmissionReviews.MalformedReviewException {
    AdmissionReviews.Pod pod = AdmissionReviews.podCreation(review);
    if (pod == null) {
      return AdmissionReviews.allow(review.uid(), null);
    }
    Injector.Decision decision =
        injector.decide(pod.object(), pod.namespace(), isMember.test(pod.namespace()));
    ArrayNode patch = injector.patch(pod.object(), decision);
    log.info(
        "sidecar injection: pod {}/{}: {}",
        pod.namespace(),
        podName(pod.object()),
        decision.explanation());
    return AdmissionReviews.allow(review.uid(), patch);
  }

  private byte[] validate(AdmissionReviews.Review review)
      throws AdmissionReviews.MalformedReviewException {
    return AdmissionReviews.answer(
        review.uid(), validation.validate(AdmissionReviews.validation(review)));
  }

  /** The pod's name, which the API server may only make up after admission. */
  private static String podName(JsonNode pod) {
    String name = pod.path("metadata").path("name").asText("");
    return name.isEmpty()
        ? pod.path("metadata").path("generateName").asText("") + "<generated>"
        : name;
  }

  private static void refuse(HttpExchange ex, int status, String message) throws IOException {
    log.warn("webhook refused a request from {}: {}", ex.getRemoteAddress(), message);
    send(ex, status, "text/plain", bytes(message + "\n"));
  }

  private static byte[] readLimited(InputStream in) throws IOException {
    byte[] body = in.readNBytes(MAX_BODY + 1);
    return body.length > MAX_BODY ? null : body;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    if (validation != null) {
      validation.close();
    }
  }
}
