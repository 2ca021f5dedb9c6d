package dev.mizzen.envoyrules;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.pgv.ValidationException;
import io.envoyproxy.pgv.ValidatorImpl;
import io.envoyproxy.pgv.ValidatorIndex;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Envoy's own validation rules (protoc-gen-validate, as Envoy checks every resource it is sent)
 * applied to a resource and everything in it, typed configs included.
 *
 * <p>Each message is checked by its generated validator alone; this class walks nested messages,
 * repeated fields, maps and {@code Any} itself, so each violation names its exact field. PGV stops
 * at a message's first broken rule, so a message contributes at most one violation, but every
 * message of the resource is checked.
 */
public final class EnvoyRules {
  private static final String TYPE_URL_PREFIX = "type.googleapis.com/";

  private final RelocatedValidatorIndex validators = new RelocatedValidatorIndex();
  private final EnvoyTypes types;

  private EnvoyRules(EnvoyTypes types) {
    this.types = types;
  }

  /**
   * The rules, loaded once (the first call reads every Envoy message type: seconds on a busy
   * machine).
   */
  public static EnvoyRules get() {
    return Holder.INSTANCE;
  }

  private static final class Holder {
    static final EnvoyRules INSTANCE = new EnvoyRules(EnvoyTypes.load());
  }

  /**
   * Every rule the resource breaks, in field order; empty when Envoy would accept it. The resource
   * is named by its {@code name} field ({@code cluster_name} for a load assignment).
   */
  public List<RuleViolation> check(Message resource) {
    return check(resource.getDescriptorForType().getName(), nameOf(resource), resource);
  }

  /** As {@link #check(Message)}, the violations naming the resource as given. */
  public List<RuleViolation> check(String resourceType, String resourceName, Message resource) {
    List<RuleViolation> violations = new ArrayList<>();
    new Walk(resourceType, resourceName, violations).message(resource, "");
    return List.copyOf(violations);
  }

  /**
   * As {@link #check(Message)} for a resource as xDS carries it, packed in an {@code Any}; a type
   * that is no Envoy message, or bytes that are not one, are violations of the resource itself.
   */
  public List<RuleViolation> checkPacked(Any resource) {
    String typeName = resource.getTypeUrl().substring(resource.getTypeUrl().lastIndexOf('/') + 1);
    String shortName = typeName.substring(typeName.lastIndexOf('.') + 1);
    Optional<Descriptor> type = types.descriptor(typeName);
    Optional<Class<? extends Message>> javaClass = type.flatMap(types::javaClass);
    if (javaClass.isEmpty()) {
      return List.of(
          new RuleViolation(
              shortName,
              "",
              "",
              "unknown type \"" + resource.getTypeUrl() + "\": not an Envoy API message"));
    }
    try {
      return check(resource.unpack(javaClass.get()));
    } catch (InvalidProtocolBufferException e) {
      return List.of(
          new RuleViolation(
              shortName, "", "", "cannot be decoded as " + typeName + ": " + e.getMessage()));
    }
  }

  private static String nameOf(Message resource) {
    for (String field : List.of("name", "cluster_name")) {
      FieldDescriptor name = resource.getDescriptorForType().findFieldByName(field);
      if (name != null && name.getType() == FieldDescriptor.Type.STRING && !name.isRepeated()) {
        return (String) resource.getField(name);
      }
    }
    return "";
  }

  private final class Walk {
    private final String resourceType;
    private final String resourceName;
    private final List<RuleViolation> violations;

    Walk(String resourceType, String resourceName, List<RuleViolation> violations) {
      this.resourceType = resourceType;
      this.resourceName = resourceName;
      this.violations = violations;
    }

    void message(Message message, String path) {
      ownRules(message, path);
      for (Map.Entry<FieldDescriptor, Object> field : message.getAllFields().entrySet()) {
        FieldDescriptor descriptor = field.getKey();
        if (descriptor.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
          continue;
        }
        String fieldPath = join(path, descriptor.getName());
        if (descriptor.isMapField()) {
          for (Object entry : (List<?>) field.getValue()) {
            mapEntry((Message) entry, fieldPath);
          }
        } else if (descriptor.isRepeated()) {
          List<?> items = (List<?>) field.getValue();
          for (int i = 0; i < items.size(); i++) {
            child((Message) items.get(i), fieldPath + "[" + i + "]");
          }
        } else {
          child((Message) field.getValue(), fieldPath);
        }
      }
    }

    private void mapEntry(Message entry, String fieldPath) {
      Descriptor type = entry.getDescriptorForType();
      Object key = entry.getField(type.findFieldByName("key"));
      Object value = entry.getField(type.findFieldByName("value"));
      if (value instanceof Message valueMessage) {
        child(valueMessage, fieldPath + "[" + key + "]");
      }
    }

    private void child(Message child, String path) {
      if (child instanceof Any any) {
        any(any, path);
      } else {
        message(child, path);
      }
    }

    private void any(Any any, String path) {
      String typeUrl = any.getTypeUrl();
      String typeName = typeUrl.substring(typeUrl.lastIndexOf('/') + 1);
      Optional<Descriptor> type =
          typeUrl.startsWith(TYPE_URL_PREFIX) ? types.descriptor(typeName) : Optional.empty();
      if (type.isEmpty()) {
        add(path, "unknown type \"" + typeUrl + "\": not an Envoy API message");
        return;
      }
      String typedPath = path + "(" + type.get().getName() + ")";
      Message unpacked;
      try {
        Optional<Class<? extends Message>> javaClass = types.javaClass(type.get());
        unpacked =
            javaClass.isPresent()
                ? any.unpack(javaClass.get())
                : DynamicMessage.parseFrom(type.get(), any.getValue());
      } catch (InvalidProtocolBufferException e) {
        add(typedPath, "cannot be decoded as " + type.get().getFullName() + ": " + e.getMessage());
        return;
      }
      message(unpacked, typedPath);
    }

    private void ownRules(Message message, String path) {
      Optional<ValidatorImpl<Object>> validator = validators.generated(message.getClass());
      if (validator.isEmpty()) {
        return;
      }
      try {
        validator.get().assertValid(message, ValidatorIndex.ALWAYS_VALID);
      } catch (ValidationException e) {
        add(join(path, lastSegment(e.getField())), ruleOf(e));
      }
    }

    private void add(String path, String rule) {
      violations.add(new RuleViolation(resourceType, resourceName, path, rule));
    }
  }

  /** PGV names a field by its full name ({@code .envoy.config.cluster.v3.Cluster.name}). */
  private static String lastSegment(String pgvField) {
    return pgvField.substring(pgvField.lastIndexOf('.') + 1);
  }

  /** PGV's reason, with the offending value when the reason does not already show it. */
  private static String ruleOf(ValidationException e) {
    Object value = e.getValue();
    String reason = e.getReason();
    if (value == null
        || value == RequiredField.UNSET
        || value instanceof Message
        || reason.contains("got")) {
      return reason;
    }
    String shown = String.valueOf(value);
    if (shown.length() > 80) {
      shown = shown.substring(0, 77) + "...";
    }
    return reason + " (got " + (value instanceof CharSequence ? "\"" + shown + "\"" : shown) + ")";
  }

  private static String join(String path, String field) {
    return path.isEmpty() ? field : path + "." + field;
  }
}
