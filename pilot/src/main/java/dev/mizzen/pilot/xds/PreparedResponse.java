package dev.mizzen.pilot.xds;

import com.google.protobuf.Any;
import com.google.protobuf.ByteOutput;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnsafeByteOperations;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A DiscoveryResponse, or a DeltaDiscoveryResponse (whose nonce has the same field number), made of
 * a body serialized once for every stream of a group (version, resources, type) and the stream's
 * own nonce. Protobuf fields may come in any order on the wire, so the two are simply written one
 * after the other: the bytes of thousands of resources are not copied per stream into a new
 * message, only written out.
 *
 * @param body the serialized response without its nonce
 * @param nonce this stream's nonce for it
 */
record PreparedResponse(ByteString body, String nonce) {

  /** The serialized response without nonce. */
  static ByteString body(String typeUrl, String version, Iterable<Any> resources) {
    return DiscoveryResponse.newBuilder()
        .setVersionInfo(version)
        .setTypeUrl(typeUrl)
        .addAllResources(resources)
        .build()
        .toByteString();
  }

  /** The whole response, for tests and for whoever needs the message itself. */
  DiscoveryResponse toMessage() {
    try {
      return DiscoveryResponse.parseFrom(body.concat(nonceField()));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  private ByteString nonceField() {
    try {
      ByteString.Output out = ByteString.newOutput(nonce.length() + 4);
      CodedOutputStream coded = CodedOutputStream.newInstance(out);
      coded.writeString(DiscoveryResponse.NONCE_FIELD_NUMBER, nonce);
      coded.flush();
      return out.toByteString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes prepared responses; reads ordinary ones (the server never reads a response). */
  static final MethodDescriptor.Marshaller<PreparedResponse> MARSHALLER =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(PreparedResponse value) {
          return new Stream(value.body().concat(value.nonceField()));
        }

        @Override
        public PreparedResponse parse(InputStream stream) {
          try {
            DiscoveryResponse r = DiscoveryResponse.parseFrom(stream);
            return new PreparedResponse(
                r.toBuilder().clearNonce().build().toByteString(), r.getNonce());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  /** Passes protobuf's pieces to an output stream without copying them. */
  private static final class ToStream extends ByteOutput {
    private final OutputStream target;

    ToStream(OutputStream target) {
      this.target = target;
    }

    @Override
    public void write(byte value) throws IOException {
      target.write(value);
    }

    @Override
    public void write(byte[] value, int offset, int length) throws IOException {
      target.write(value, offset, length);
    }

    @Override
    public void writeLazy(byte[] value, int offset, int length) throws IOException {
      target.write(value, offset, length);
    }

    @Override
    public void write(ByteBuffer value) throws IOException {
      if (value.hasArray()) {
        target.write(value.array(), value.arrayOffset() + value.position(), value.remaining());
        value.position(value.limit());
      } else {
        byte[] chunk = new byte[Math.min(value.remaining(), 8192)];
        while (value.hasRemaining()) {
          int n = Math.min(chunk.length, value.remaining());
          value.get(chunk, 0, n);
          target.write(chunk, 0, n);
        }
      }
    }

    @Override
    public void writeLazy(ByteBuffer value) throws IOException {
      write(value);
    }
  }

  /** Hands gRPC the bytes with their length, drained straight into its buffers. */
  private static final class Stream extends InputStream implements KnownLength, Drainable {
    private ByteString bytes;
    private InputStream reading;

    Stream(ByteString bytes) {
      this.bytes = bytes;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      ByteString b = bytes;
      bytes = ByteString.EMPTY;
      // ByteString.writeTo(OutputStream) copies each piece first, lest the stream keep the array;
      // gRPC's framer copies what it is given into its own buffers, so the shared bytes are
      // handed over as they are. Otherwise every send of a megabyte response would first make a
      // megabyte of garbage.
      UnsafeByteOperations.unsafeWriteTo(b, new ToStream(target));
      return b.size();
    }

    @Override
    public int available() {
      return reading != null ? safeAvailable() : bytes.size();
    }

    private int safeAvailable() {
      try {
        return reading.available();
      } catch (IOException e) {
        return 0;
      }
    }

    @Override
    public int read() throws IOException {
      return input().read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return input().read(b, off, len);
    }

    private InputStream input() {
      if (reading == null) {
        reading = bytes.newInput();
        bytes = ByteString.EMPTY;
      }
      return reading;
    }
  }
}
