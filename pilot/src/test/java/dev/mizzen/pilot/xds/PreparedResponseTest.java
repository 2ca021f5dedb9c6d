package dev.mizzen.pilot.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreparedResponseTest {
  private static final String CDS = "type.googleapis.com/envoy.config.cluster.v3.Cluster";

  /** Big enough that the body and the nonce are kept apart rather than copied together. */
  private static ByteString body() {
    List<Any> clusters = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      clusters.add(
          Any.pack(
              Cluster.newBuilder()
                  .setName("outbound|8080||svc-" + i + ".shop.svc.cluster.local")
                  .build()));
    }
    return PreparedResponse.body(CDS, "v7", clusters);
  }

  private static DiscoveryResponse expected(ByteString body) throws Exception {
    return DiscoveryResponse.parseFrom(body).toBuilder().setNonce("n-42").build();
  }

  @Test
  void drainedBytesAreTheWholeResponseWithTheStreamsNonce() throws Exception {
    ByteString body = body();
    InputStream in = PreparedResponse.MARSHALLER.stream(new PreparedResponse(body, "n-42"));
    assertThat(in).isInstanceOf(Drainable.class).isInstanceOf(KnownLength.class);
    int length = in.available();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int drained = ((Drainable) in).drainTo(out);

    assertThat(drained).isEqualTo(length).isEqualTo(out.size());
    assertThat(DiscoveryResponse.parseFrom(out.toByteArray())).isEqualTo(expected(body));
    // The shared body is written, never consumed: the next stream gets all of it again.
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    ((Drainable) PreparedResponse.MARSHALLER.stream(new PreparedResponse(body, "n-42")))
        .drainTo(again);
    assertThat(again.toByteArray()).isEqualTo(out.toByteArray());
  }

  @Test
  void readingTheStreamGivesTheSameBytes() throws Exception {
    ByteString body = body();
    InputStream in = PreparedResponse.MARSHALLER.stream(new PreparedResponse(body, "n-42"));
    assertThat(DiscoveryResponse.parseFrom(in.readAllBytes())).isEqualTo(expected(body));
  }

  @Test
  void parsingKeepsTheNonceApart() throws Exception {
    ByteString body = body();
    byte[] wire = expected(body).toByteArray();
    PreparedResponse parsed = PreparedResponse.MARSHALLER.parse(new ByteArrayInputStream(wire));
    assertThat(parsed.nonce()).isEqualTo("n-42");
    assertThat(parsed.toMessage()).isEqualTo(expected(body));
  }
}
