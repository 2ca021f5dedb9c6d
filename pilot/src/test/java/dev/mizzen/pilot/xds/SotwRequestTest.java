package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import dev.mizzen.pilot.cache.TypeResources;
import dev.mizzen.pilot.cache.TypeUrls;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A request read with its names undecoded is the request protobuf reads, and its names' bytes. */
class SotwRequestTest {
  private static final List<String> NAMES =
      List.of(
          "outbound|8080||a.shop.svc.cluster.local",
          "outbound|8080||b.shop.svc.cluster.local",
          "outbound|8080|v1|b.shop.svc.cluster.local");

  private static DiscoveryRequest request(List<String> names) {
    return DiscoveryRequest.newBuilder()
        .setVersionInfo("v7")
        .setNode(Node.newBuilder().setId("sidecar~10.0.0.1~web-1.shop~shop.svc.cluster.local"))
        .addAllResourceNames(names)
        .setTypeUrl(TypeUrls.ENDPOINT)
        .setResponseNonce("42")
        .build();
  }

  @Test
  void readsWhatProtobufReadsAndKeepsTheNamesBytes() throws Exception {
    DiscoveryRequest sent = request(NAMES);
    SotwRequest read = SotwRequest.parse(sent.toByteArray());
    assertThat(read.message()).isEqualTo(sent);
    assertThat(read.message().getResourceNamesList()).containsExactlyElementsOf(NAMES);
    ByteString.Output expected = ByteString.newOutput();
    CodedOutputStream out = CodedOutputStream.newInstance(expected);
    for (String n : NAMES) {
      out.writeString(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, n);
    }
    out.flush();
    assertThat(read.names()).isEqualTo(expected.toByteString());
    assertThat(SotwRequest.parse(request(List.of()).toByteArray()).names())
        .isEqualTo(ByteString.EMPTY);
    // Names that are not ASCII are checked one by one, and read as protobuf reads them.
    DiscoveryRequest accented = request(List.of("outbound|8080||caf\u00e9.shop", "x".repeat(200)));
    assertThat(SotwRequest.parse(accented.toByteArray()).message()).isEqualTo(accented);
  }

  @Test
  void namesWrittenApartHaveNoBytesToCompare() throws Exception {
    // Fields may come in any order on the wire: names split by another field are still read.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DiscoveryRequest.newBuilder().addResourceNames(NAMES.get(0)).build().writeTo(bytes);
    DiscoveryRequest.newBuilder().setTypeUrl(TypeUrls.ENDPOINT).build().writeTo(bytes);
    DiscoveryRequest.newBuilder().addResourceNames(NAMES.get(1)).build().writeTo(bytes);
    SotwRequest read = SotwRequest.parse(bytes.toByteArray());
    assertThat(read.message())
        .isEqualTo(DiscoveryRequest.parseFrom(bytes.toByteArray()))
        .extracting(DiscoveryRequest::getTypeUrl)
        .isEqualTo(TypeUrls.ENDPOINT);
    assertThat(read.names()).isNull();
  }

  @Test
  void aNameThatIsNotUtf8OrRunsPastTheEndIsRefusedAsProtobufRefusesIt() {
    byte[] bad = {0x1a, 0x02, (byte) 0xc3, 0x28};
    assertThatThrownBy(() -> DiscoveryRequest.parseFrom(bad))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> SotwRequest.parse(bad))
        .isInstanceOf(InvalidProtocolBufferException.class);
    byte[] truncated = {0x1a, 0x09, 'a', 'b'};
    assertThatThrownBy(() -> SotwRequest.parse(truncated))
        .isInstanceOf(InvalidProtocolBufferException.class);
    assertThatThrownBy(() -> SotwRequest.MARSHALLER.parse(new ByteArrayInputStream(bad)))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessageContaining("Invalid protobuf byte sequence");
  }

  @Test
  void aRequestForEveryNameInOrderIsTheTypesOwnNameSet() throws Exception {
    SortedMap<String, Message> map = new TreeMap<>();
    for (String n : NAMES) {
      map.put(n, ClusterLoadAssignment.newBuilder().setClusterName(n).build());
    }
    TypeResources t = new TypeResources("v1", map);
    Set<String> all = t.canonical(NAMES);
    SotwRequest inOrder = SotwRequest.parse(request(NAMES).toByteArray());
    assertThat(t.canonical(inOrder.message().getResourceNamesList(), inOrder.names()))
        .isSameAs(all);
    // Another order: the same set, found name by name.
    List<String> reversed = List.of(NAMES.get(2), NAMES.get(1), NAMES.get(0));
    SotwRequest other = SotwRequest.parse(request(reversed).toByteArray());
    assertThat(t.canonical(other.message().getResourceNamesList(), other.names())).isSameAs(all);
    // Fewer names: not the whole type.
    SotwRequest fewer = SotwRequest.parse(request(NAMES.subList(0, 2)).toByteArray());
    assertThat(t.canonical(fewer.message().getResourceNamesList(), fewer.names()))
        .containsExactlyInAnyOrderElementsOf(NAMES.subList(0, 2));
  }
}
