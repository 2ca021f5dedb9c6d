package dev.mizzen.envoyrules;

import io.envoyproxy.pgv.Validator;
import io.envoyproxy.pgv.ValidatorImpl;
import io.envoyproxy.pgv.ValidatorIndex;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Finds the generated validator of an Envoy message class under {@value #PREFIX}, where the build
 * moved them. The validators it returns check one message's own fields only: nested messages are
 * left to {@link EnvoyRules}, which walks them itself so that every violation has its exact path.
 *
 * <p>PGV writes one validator class per top-level message, {@code <Message>Validator}, whose static
 * {@code validatorFor(Class)} also answers for the message's nested types.
 */
final class RelocatedValidatorIndex implements ValidatorIndex {
  static final String PREFIX = "dev.mizzen.envoyrules.gen.";

  private final ConcurrentMap<Class<?>, Optional<ValidatorImpl<Object>>> validators =
      new ConcurrentHashMap<>();

  @Override
  public <T> Validator<T> validatorFor(Class clazz) {
    Optional<ValidatorImpl<Object>> impl = generated(clazz);
    if (impl.isEmpty()) {
      return Validator.ALWAYS_VALID;
    }
    ValidatorImpl<Object> validator = impl.get();
    return proto -> validator.assertValid(proto, ValidatorIndex.ALWAYS_VALID);
  }

  /** The generated validator of a message class; empty for messages PGV had no .proto file of. */
  Optional<ValidatorImpl<Object>> generated(Class<?> messageClass) {
    return validators.computeIfAbsent(messageClass, RelocatedValidatorIndex::load);
  }

  @SuppressWarnings("unchecked")
  private static Optional<ValidatorImpl<Object>> load(Class<?> messageClass) {
    Class<?> outermost = messageClass;
    while (outermost.getEnclosingClass() != null) {
      outermost = outermost.getEnclosingClass();
    }
    Class<?> validatorClass;
    try {
      validatorClass =
          Class.forName(
              PREFIX + outermost.getName() + "Validator",
              true,
              RelocatedValidatorIndex.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return Optional.empty();
    }
    try {
      Method validatorFor = validatorClass.getMethod("validatorFor", Class.class);
      return Optional.ofNullable((ValidatorImpl<Object>) validatorFor.invoke(null, messageClass));
    } catch (NoSuchMethodException | IllegalAccessException | InvocationTargetException e) {
      throw new IllegalStateException(
          "generated validator " + validatorClass.getName() + " cannot be used", e);
    }
  }
}
