package dev.mizzen.ingest.model;

import java.util.List;

/**
 * A ServiceMeshMemberRoll.
 *
 * @param members the namespaces its spec lists
 * @param configuredMembers the namespaces its status says are configured
 */
public record MemberRollSpec(List<String> members, List<String> configuredMembers) implements Spec {
  public MemberRollSpec {
    members = List.copyOf(members);
    configuredMembers = List.copyOf(configuredMembers);
  }
}
