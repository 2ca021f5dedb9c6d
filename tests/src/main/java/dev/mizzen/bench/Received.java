package dev.mizzen.bench;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A response as the load generator reads it: what its ACK needs (type, version, nonce), each
 * resource as the bytes of its {@code Any}, and its size. Envoy parses every resource, on cores of
 * its own; this generator shares the control plane's cores, so it opens a resource only where it
 * reads one (the clusters' EDS names, the listeners' route names, load assignments while endpoints
 * churn). Route configurations, most of the bytes of a route change, are never parsed. The whole
 * message is parsed too where it is checked against Envoy's rules or kept for the library.
 *
 * @param resources each resource's {@code Any}, serialized; {@link #value} opens one
 * @param wireBytes the size of the message received
 * @param full the whole message parsed, or null when it was not asked for
 */
record Received(
    String typeUrl,
    String version,
    String nonce,
    List<ByteString> resources,
    int wireBytes,
    DiscoveryResponse full) {

  /** Reads a serialized response; parses it whole as well when {@code full}. */
  static Received parse(byte[] bytes, boolean full) throws IOException {
    CodedInputStream in = input(bytes);
    String type = "";
    String version = "";
    String nonce = "";
    List<ByteString> resources = new ArrayList<>();
    int tag;
    while ((tag = in.readTag()) != 0) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case DiscoveryResponse.VERSION_INFO_FIELD_NUMBER -> version = in.readStringRequireUtf8();
        case DiscoveryResponse.RESOURCES_FIELD_NUMBER -> resources.add(in.readBytes());
        case DiscoveryResponse.TYPE_URL_FIELD_NUMBER -> type = in.readStringRequireUtf8();
        case DiscoveryResponse.NONCE_FIELD_NUMBER -> nonce = in.readStringRequireUtf8();
        default -> in.skipField(tag);
      }
    }
    return new Received(
        type,
        version,
        nonce,
        resources,
        bytes.length,
        full ? DiscoveryResponse.parseFrom(input(bytes)) : null);
  }

  /**
   * Over {@code bytes} without copying out of them: a resource's bytes are a view of the array.
   * Protobuf aliases only over a buffer it is told is immutable, which a plain array is not; the
   * array is never written after it is read, so it is wrapped as one.
   */
  static CodedInputStream input(byte[] bytes) {
    CodedInputStream in = UnsafeByteOperations.unsafeWrap(bytes).newCodedInput();
    in.enableAliasing(true);
    in.setSizeLimit(Integer.MAX_VALUE);
    return in;
  }

  /** The serialized message a resource's {@code Any} holds. */
  static ByteString value(ByteString any) throws IOException {
    CodedInputStream in = any.newCodedInput();
    in.enableAliasing(true);
    ByteString value = ByteString.EMPTY;
    int tag;
    while ((tag = in.readTag()) != 0) {
      if (WireFormat.getTagFieldNumber(tag) == Any.VALUE_FIELD_NUMBER) {
        value = in.readBytes();
      } else {
        in.skipField(tag);
      }
    }
    return value;
  }
}
