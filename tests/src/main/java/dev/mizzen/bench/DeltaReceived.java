package dev.mizzen.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An incremental response as the load generator reads it, as {@link Received} reads a
 * state-of-the-world one: what its ACK needs (type, nonce), the version of the type's config it was
 * sent from ({@code system_version_info}), each resource as its name and the serialized message its
 * {@code Any} holds (views of the bytes received, opened only where read), the names removed, and
 * its size. The whole message is parsed too where it is checked against Envoy's rules or kept for
 * the library.
 *
 * @param version the response's {@code system_version_info}
 * @param wireBytes the size of the message received
 * @param full the whole message parsed, or null when it was not asked for
 */
record DeltaReceived(
    String typeUrl,
    String version,
    String nonce,
    List<Named> resources,
    List<String> removed,
    int wireBytes,
    DeltaDiscoveryResponse full) {

  /**
   * One resource of the response.
   *
   * @param value the serialized message of the resource's {@code Any}
   */
  record Named(String name, ByteString value) {}

  /** Reads a serialized response; parses it whole as well when {@code full}. */
  static DeltaReceived parse(byte[] bytes, boolean full) throws IOException {
    CodedInputStream in = Received.input(bytes);
    String type = "";
    String version = "";
    String nonce = "";
    List<Named> resources = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case DeltaDiscoveryResponse.SYSTEM_VERSION_INFO_FIELD_NUMBER ->
            version = in.readStringRequireUtf8();
        case DeltaDiscoveryResponse.RESOURCES_FIELD_NUMBER -> resources.add(resource(in));
        case DeltaDiscoveryResponse.TYPE_URL_FIELD_NUMBER -> type = in.readStringRequireUtf8();
        case DeltaDiscoveryResponse.REMOVED_RESOURCES_FIELD_NUMBER ->
            removed.add(in.readStringRequireUtf8());
        case DeltaDiscoveryResponse.NONCE_FIELD_NUMBER -> nonce = in.readStringRequireUtf8();
        default -> in.skipField(tag);
      }
    }
    return new DeltaReceived(
        type,
        version,
        nonce,
        resources,
        removed,
        bytes.length,
        full ? DeltaDiscoveryResponse.parseFrom(Received.input(bytes)) : null);
  }

  /** One {@code Resource} wrapper: its name, and the value of its {@code Any}. */
  private static Named resource(CodedInputStream in) throws IOException {
    int limit = in.pushLimit(in.readRawVarint32());
    String name = "";
    ByteString value = ByteString.EMPTY;
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case Resource.NAME_FIELD_NUMBER -> name = in.readStringRequireUtf8();
        case Resource.RESOURCE_FIELD_NUMBER -> value = Received.value(in.readBytes());
        default -> in.skipField(tag);
      }
    }
    in.popLimit(limit);
    return new Named(name, value);
  }
}
