package dev.mizzen.pilot.generate;

import java.util.Optional;

/**
 * A memo key's component that is equal only to the very same object, or to another absent one. For
 * config objects of one push (a VirtualService, the DestinationRule a proxy sees), which the push
 * context builds once and hands out as the same instance to every caller: identity then says "the
 * same config" without comparing specs, and memos live no longer than their push.
 *
 * @param value the object, null when there is none
 */
record Identity<T>(T value) {
  static <T> Identity<T> of(Optional<T> value) {
    return new Identity<>(value.orElse(null));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Identity<?> other && other.value == value;
  }

  @Override
  public int hashCode() {
    return System.identityHashCode(value);
  }
}
