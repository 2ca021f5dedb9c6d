package dev.mizzen.envoyrules;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Message;
import com.google.protobuf.TypeRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Every Envoy message type, for unpacking {@code google.protobuf.Any}: a TypeRegistry made from the
 * descriptors of the messages the build generated validators for (and the files they import), and
 * the Java class of each.
 */
final class EnvoyTypes {
  private static final String LIST = "validators.txt";

  private final TypeRegistry registry;
  private final Map<String, Class<? extends Message>> topLevelClasses;

  private EnvoyTypes(TypeRegistry registry, Map<String, Class<? extends Message>> classes) {
    this.registry = registry;
    this.topLevelClasses = classes;
  }

  /**
   * Loads the list the build wrote beside this class: per line, the original name of one generated
   * validator ({@code io.envoyproxy.envoy.config.cluster.v3.ClusterValidator}), which names its
   * message class.
   */
  static EnvoyTypes load() {
    TypeRegistry.Builder registry = TypeRegistry.newBuilder();
    Map<String, Class<? extends Message>> classes = new HashMap<>();
    try (InputStream in = EnvoyTypes.class.getResourceAsStream(LIST)) {
      if (in == null) {
        throw new IllegalStateException(
            LIST + " is missing beside " + EnvoyTypes.class.getName() + ": the build writes it");
      }
      BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String validator = line.strip();
        if (validator.isEmpty()) {
          continue;
        }
        Class<? extends Message> message = messageClass(validator);
        Descriptor descriptor = descriptorOf(message);
        registry.add(descriptor);
        classes.put(descriptor.getFullName(), message);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new EnvoyTypes(registry.build(), Map.copyOf(classes));
  }

  /** The descriptor of a full type name such as {@code envoy.config.cluster.v3.Cluster}. */
  Optional<Descriptor> descriptor(String fullName) {
    return Optional.ofNullable(registry.find(fullName));
  }

  /** The Java class of a type; empty for types known only by descriptor (no Envoy class). */
  Optional<Class<? extends Message>> javaClass(Descriptor type) {
    if (type.getContainingType() == null) {
      return Optional.ofNullable(topLevelClasses.get(type.getFullName()));
    }
    return javaClass(type.getContainingType())
        .flatMap(outer -> nested(outer, type.getName()));
  }

  private static Optional<Class<? extends Message>> nested(Class<?> outer, String name) {
    for (Class<?> inner : outer.getDeclaredClasses()) {
      if (inner.getSimpleName().equals(name) && Message.class.isAssignableFrom(inner)) {
        return Optional.of(inner.asSubclass(Message.class));
      }
    }
    return Optional.empty();
  }

  private static Class<? extends Message> messageClass(String validatorClass) {
    if (!validatorClass.endsWith("Validator")) {
      throw new IllegalStateException(LIST + ": not a generated validator: " + validatorClass);
    }
    String name = validatorClass.substring(0, validatorClass.length() - "Validator".length());
    try {
      return Class.forName(name, false, EnvoyTypes.class.getClassLoader())
          .asSubclass(Message.class);
    } catch (ClassNotFoundException | ClassCastException e) {
      throw new IllegalStateException(
          LIST + ": no Envoy message class " + name + " for " + validatorClass, e);
    }
  }

  private static Descriptor descriptorOf(Class<? extends Message> message) {
    try {
      return (Descriptor) message.getMethod("getDescriptor").invoke(null);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(message.getName() + " has no descriptor", e);
    }
  }
}
