package dev.mizzen.ingest.parse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mizzen.ingest.model.MemberRollSpec;
import dev.mizzen.ingest.model.Meta;
import dev.mizzen.proto.maistra.v1.ServiceMeshMemberRollSpec;
import dev.mizzen.proto.maistra.v1.ServiceMeshMemberRollStatus;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** ServiceMeshMemberRoll into {@link MemberRollSpec}, checked as Maistra's webhook checks it. */
final class MemberRollTranslator implements SpecTranslator<MemberRollSpec> {

  @Override
  public MemberRollSpec translate(JsonNode object, Meta meta) throws FieldException {
    JsonNode specNode = object.get("spec");
    ServiceMeshMemberRollSpec.Builder spec = ServiceMeshMemberRollSpec.newBuilder();
    if (specNode != null && !specNode.isNull()) {
      ProtoJson.merge(specNode, spec, "spec", false);
    }
    ServiceMeshMemberRollStatus.Builder status = ServiceMeshMemberRollStatus.newBuilder();
    JsonNode statusNode = object.get("status");
    if (statusNode != null && !statusNode.isNull()) {
      ProtoJson.merge(statusNode, status, "status", true);
    }
    List<String> members = spec.getMembersList();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < members.size(); i++) {
      String member = members.get(i);
      Names.requireLabel(member, "spec.members[" + i + "]");
      if (!seen.add(member)) {
        throw new FieldException("spec.members[" + i + "]", "duplicate member \"" + member + "\"");
      }
    }
    return new MemberRollSpec(members, status.getConfiguredMembersList());
  }
}
