package dev.mizzen.pilot.app;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a workload identity may be served the Secrets of its namespace that its config names by
 * {@code credentialName}: the API server is asked, with a SubjectAccessReview, whether the service
 * account may list Secrets there, as istiod asks. Gateways are granted that by a Role in their
 * namespace; a sidecar's service account usually is not, and then it is served no Secrets. Answers
 * are kept for a minute, so that thousands of streams of one workload cost one review; an error
 * from the API server is a refusal, and is not kept.
 */
final class SecretReaders {
  private static final Logger log = LoggerFactory.getLogger(SecretReaders.class);

  private final KubernetesClient client;
  private final Cache<List<String>, Boolean> answers =
      Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(1)).maximumSize(10_000).build();

  SecretReaders(KubernetesClient client) {
    this.client = client;
  }

  boolean mayRead(String namespace, String serviceAccount) {
    List<String> key = List.of(namespace, serviceAccount);
    Boolean known = answers.getIfPresent(key);
    if (known != null) {
      return known;
    }
    String user = "system:serviceaccount:" + namespace + ":" + serviceAccount;
    SubjectAccessReview review =
        new SubjectAccessReviewBuilder()
            .withNewSpec()
            .withUser(user)
            .withGroups(
                "system:serviceaccounts",
                "system:serviceaccounts:" + namespace,
                "system:authenticated")
            .withNewResourceAttributes()
            .withNamespace(namespace)
            .withVerb("list")
            .withResource("secrets")
            .endResourceAttributes()
            .endSpec()
            .build();
    try {
      SubjectAccessReview answer = client.authorization().v1().subjectAccessReview().create(review);
      boolean allowed =
          answer.getStatus() != null && Boolean.TRUE.equals(answer.getStatus().getAllowed());
      answers.put(key, allowed);
      log.debug("{} {} list Secrets of {}", user, allowed ? "may" : "may not", namespace);
      return allowed;
    } catch (KubernetesClientException e) {
      log.warn(
          "cannot ask the API server whether {} may read Secrets of {}: {}",
          user,
          namespace,
          e.getMessage());
      return false;
    }
  }
}
