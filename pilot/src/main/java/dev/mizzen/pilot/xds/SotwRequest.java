package dev.mizzen.pilot.xds;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.LazyStringArrayList;
import com.google.protobuf.UnsafeByteOperations;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A state-of-the-world request as it arrived: the message, and the bytes in which it lists the
 * resource names it asks for, as they were on the wire. A proxy acknowledges every response with
 * every name it asks for again (thousands of load assignments, at every push); comparing those
 * bytes at once with the names a group's resources hold, in their order, tells that it asks for all
 * of them without decoding one name. The names are kept in the message undecoded, as views of the
 * request's bytes, and decoded only if read.
 *
 * @param message the request
 * @param names the {@code resource_names} entries as serialized (tag, length, bytes each), when
 *     they were written one after another as serializers write them; null otherwise
 */
record SotwRequest(DiscoveryRequest message, ByteString names) {
  /** The field number of {@code resource_names}. */
  private static final int NAMES = DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER;

  /** Reads requests as {@link #parse} does; never writes one (the server only reads them). */
  static final MethodDescriptor.Marshaller<SotwRequest> MARSHALLER =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(SotwRequest value) {
          return value.message().toByteString().newInput();
        }

        @Override
        public SotwRequest parse(InputStream stream) {
          try {
            return SotwRequest.parse(stream.readAllBytes());
          } catch (IOException e) {
            // As gRPC's own protobuf marshaller reports a request it cannot read.
            throw Status.INTERNAL
                .withDescription("Invalid protobuf byte sequence")
                .withCause(e)
                .asRuntimeException();
          }
        }
      };

  /**
   * Reads a request: its names as views of {@code bytes} (checked to be UTF-8, as protobuf checks
   * them), everything else as protobuf reads it.
   */
  static SotwRequest parse(byte[] bytes) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(bytes);
    ByteArrayOutputStream rest = new ByteArrayOutputStream(Math.min(bytes.length, 4096));
    DiscoveryRequest.Builder message = DiscoveryRequest.newBuilder();
    LazyStringArrayList names = new LazyStringArrayList();
    int namesStart = -1;
    int namesEnd = -1;
    boolean contiguous = true;
    while (true) {
      int start = in.getTotalBytesRead();
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      if (WireFormat.getTagFieldNumber(tag) == NAMES
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        int length = in.readRawVarint32();
        int at = in.getTotalBytesRead();
        if (length < 0 || at + length > bytes.length) {
          throw new InvalidProtocolBufferException(
              "a resource name runs past the end of the request");
        }
        in.skipRawBytes(length);
        names.add(UnsafeByteOperations.unsafeWrap(bytes, at, length));
        if (namesStart < 0) {
          namesStart = start;
        } else if (namesEnd != start) {
          contiguous = false;
        }
        namesEnd = in.getTotalBytesRead();
      } else {
        in.skipField(tag);
        rest.write(bytes, start, in.getTotalBytesRead() - start);
      }
    }
    // Checked to be UTF-8, as protobuf checks a string field: at once when the names' bytes are
    // all ASCII, as names mostly are; decoded only if read.
    if (namesStart >= 0 && !(contiguous && ascii(bytes, namesStart, namesEnd))) {
      for (ByteString name : names.asByteStringList()) {
        if (!name.isValidUtf8()) {
          throw new InvalidProtocolBufferException("a resource name is not UTF-8");
        }
      }
    }
    message.mergeFrom(rest.toByteArray()).addAllResourceNames(names);
    ByteString region =
        namesStart < 0
            ? ByteString.EMPTY
            : contiguous
                ? UnsafeByteOperations.unsafeWrap(bytes, namesStart, namesEnd - namesStart)
                : null;
    return new SotwRequest(message.build(), region);
  }

  /** Whether no byte of {@code bytes[from, to)} has its high bit set. */
  private static boolean ascii(byte[] bytes, int from, int to) {
    int high = 0;
    for (int i = from; i < to; i++) {
      high |= bytes[i];
    }
    return high >= 0;
  }
}
