package dev.mizzen.envoyrules;

import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.DescriptorProtos.FileDescriptorSet;
import com.google.protobuf.DescriptorProtos.FileOptions;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every Envoy message type, for unpacking {@code google.protobuf.Any}: a TypeRegistry of the
 * descriptors of every file the build compiled validators from (and the files they import), read
 * from the Java classes java-control-plane generated from those files, and the class of each
 * top-level message.
 */
final class EnvoyTypes {
  /** The FileDescriptorSet protoc wrote when generating the validators. */
  private static final String DESCRIPTOR_SET = "envoy-api.protobin";

  private final TypeRegistry registry;
  private final Map<String, Class<? extends Message>> topLevelClasses;

  private EnvoyTypes(TypeRegistry registry, Map<String, Class<? extends Message>> classes) {
    this.registry = registry;
    this.topLevelClasses = classes;
  }

  static EnvoyTypes load() {
    FileDescriptorSet files;
    try (InputStream in = EnvoyTypes.class.getResourceAsStream(DESCRIPTOR_SET)) {
      if (in == null) {
        throw new IllegalStateException(
            DESCRIPTOR_SET
                + " is missing beside "
                + EnvoyTypes.class.getName()
                + ": the build writes it");
      }
      files = FileDescriptorSet.parseFrom(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    TypeRegistry.Builder registry = TypeRegistry.newBuilder();
    Map<String, Class<? extends Message>> classes = new HashMap<>();
    for (FileDescriptorProto file : files.getFileList()) {
      Optional<Class<?>> outer = outerClass(file);
      if (outer.isEmpty()) {
        continue; // a file whose Java classes are not on the class path: nothing of it is sent
      }
      FileDescriptor descriptor = fileDescriptor(outer.get());
      for (Descriptor type : descriptor.getMessageTypes()) {
        registry.add(type);
        messageClass(file, outer.get(), type.getName())
            .ifPresent(c -> classes.put(type.getFullName(), c));
      }
    }
    return new EnvoyTypes(registry.build(), Map.copyOf(classes));
  }

  /** The descriptor of a full type name such as {@code envoy.config.cluster.v3.Cluster}. */
  Optional<Descriptor> descriptor(String fullName) {
    return Optional.ofNullable(registry.find(fullName));
  }

  /** The Java class of a type; empty for a type known only by its descriptor. */
  Optional<Class<? extends Message>> javaClass(Descriptor type) {
    if (type.getContainingType() == null) {
      return Optional.ofNullable(topLevelClasses.get(type.getFullName()));
    }
    return javaClass(type.getContainingType()).flatMap(outer -> nested(outer, type.getName()));
  }

  private static Optional<Class<? extends Message>> nested(Class<?> outer, String name) {
    for (Class<?> inner : outer.getDeclaredClasses()) {
      if (inner.getSimpleName().equals(name) && Message.class.isAssignableFrom(inner)) {
        return Optional.of(inner.asSubclass(Message.class));
      }
    }
    return Optional.empty();
  }

  /** The file's outer class, which holds its descriptor; Envoy's files all name it. */
  private static Optional<Class<?>> outerClass(FileDescriptorProto file) {
    FileOptions options = file.getOptions();
    if (!options.hasJavaOuterClassname()) {
      return Optional.empty();
    }
    return load(javaPackage(file) + "." + options.getJavaOuterClassname());
  }

  private static Optional<Class<? extends Message>> messageClass(
      FileDescriptorProto file, Class<?> outer, String name) {
    String className =
        file.getOptions().getJavaMultipleFiles()
            ? javaPackage(file) + "." + name
            : outer.getName() + "$" + name;
    return load(className)
        .filter(Message.class::isAssignableFrom)
        .map(c -> c.asSubclass(Message.class));
  }

  private static String javaPackage(FileDescriptorProto file) {
    return file.getOptions().hasJavaPackage()
        ? file.getOptions().getJavaPackage()
        : file.getPackage();
  }

  private static Optional<Class<?>> load(String className) {
    try {
      return Optional.of(Class.forName(className, false, EnvoyTypes.class.getClassLoader()));
    } catch (ClassNotFoundException | LinkageError e) {
      return Optional.empty();
    }
  }

  private static FileDescriptor fileDescriptor(Class<?> outer) {
    try {
      return (FileDescriptor) outer.getMethod("getDescriptor").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(outer.getName() + " has no file descriptor", e);
    }
  }
}
