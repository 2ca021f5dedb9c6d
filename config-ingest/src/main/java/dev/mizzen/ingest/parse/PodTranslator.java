package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.ingest.model.PodSpec;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.Objects;

/** Kubernetes Pod into {@link PodSpec}. */
final class PodTranslator implements SpecTranslator<PodSpec> {

  @Override
  public PodSpec translate(JsonNode object, Meta meta) throws FieldException {
    Pod pod = Mappers.read(Mappers.LENIENT, object, Pod.class, "");
    String ip =
        pod.getStatus() == null ? "" : Objects.requireNonNullElse(pod.getStatus().getPodIP(), "");
    String serviceAccount = "default";
    boolean hostNetwork = false;
    if (pod.getSpec() != null) {
      if (pod.getSpec().getServiceAccountName() != null) {
        serviceAccount = pod.getSpec().getServiceAccountName();
      }
      hostNetwork = Boolean.TRUE.equals(pod.getSpec().getHostNetwork());
    }
    return new PodSpec(ip, serviceAccount, hostNetwork);
  }

  @Override
  public JsonNode source(JsonNode object) {
    return null;
  }
}
