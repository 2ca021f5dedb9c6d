package dev.mizzen.ingest.parse;

import dev.mizzen.ingest.model.StringMatch;
import dev.mizzen.ingest.parse.Re2Node.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * The size of the program RE2 compiles a pattern into ({@code RE2::ProgramSize()}), the figure
 * Envoy compares with its runtime {@code re2.max_program_size.error_level} before it accepts a
 * regular expression; a resource holding a larger one is rejected whole. Istio's agent starts
 * sidecars and gateways with that level at {@value #ISTIO_PROXY_LIMIT}.
 *
 * <p>Computed as RE2 computes it, with Envoy's options (Perl syntax, UTF-8, not anchored): a
 * literal prefix after {@code ^} is taken out as RE2 does, the rest is simplified ({@link
 * Re2Simplifier}), compiled ({@link Re2Compiler}) and flattened ({@link Re2Flattener}). {@code
 * config-ingest/src/test/re2/} checks the figure against RE2 itself for several hundred patterns;
 * it differs only for Unicode property classes, whose tables come from RE2J and are older than
 * RE2's.
 */
final class Re2ProgramSize {
  /** {@code re2.max_program_size.error_level} as Istio's agent sets it for its Envoy proxies. */
  static final int ISTIO_PROXY_LIMIT = StringMatch.ENVOY_PROGRAM_SIZE_LIMIT;

  /**
   * RE2 refuses to compile a program with more instructions than its default memory budget holds (8
   * MiB, two thirds for the forward program, 8 bytes an instruction, less its bookkeeping).
   */
  static final int RE2_MAX_INSTRUCTIONS = 699_000;

  /** What {@link #of} returns for a program RE2 would not compile at all. */
  static final int TOO_LARGE = Integer.MAX_VALUE;

  private Re2ProgramSize() {}

  /**
   * The program size of a pattern, or {@link #TOO_LARGE}.
   *
   * @throws com.google.re2j.PatternSyntaxException when RE2 refuses the pattern's syntax
   */
  static int of(String pattern) {
    Re2Node re = withoutRequiredPrefix(Re2Syntax.parse(pattern));
    re = Re2Simplifier.simplify(re);
    Re2Node anchored = stripAnchor(re, true, 0);
    re = anchored == null ? re : anchored;
    Re2Node endAnchored = stripAnchor(re, false, 0);
    re = endAnchored == null ? re : endAnchored;
    Re2Compiler compiler = new Re2Compiler(RE2_MAX_INSTRUCTIONS);
    try {
      compiler.compile(re, anchored != null);
    } catch (Re2Compiler.TooLarge e) {
      return TOO_LARGE;
    }
    return Re2Flattener.size(compiler);
  }

  /** "RE2 program size N" or "RE2 program size over N", for messages. */
  static String describe(int size) {
    return size == TOO_LARGE
        ? "RE2 program size over " + RE2_MAX_INSTRUCTIONS + " (RE2 refuses to compile it)"
        : "RE2 program size " + size;
  }

  /**
   * RE2 matches a literal after leading {@code ^} by itself and compiles only what follows (as an
   * unanchored program): {@code ^abc(x|y)} compiles {@code (x|y)}.
   */
  private static Re2Node withoutRequiredPrefix(Re2Node re) {
    if (re.op != Op.CONCAT) {
      return re;
    }
    int i = 0;
    while (i < re.subs.size() && re.subs.get(i).op == Op.BEGIN_TEXT) {
      i++;
    }
    if (i == 0 || i >= re.subs.size()) {
      return re;
    }
    Op first = re.subs.get(i).op;
    if (first != Op.LITERAL && first != Op.LITERAL_STRING) {
      return re;
    }
    List<Re2Node> rest = new ArrayList<>(re.subs.subList(i + 1, re.subs.size()));
    return rest.isEmpty()
        ? Re2Node.leaf(Op.EMPTY_MATCH, re.flags)
        : Re2Node.list(Op.CONCAT, rest, re.flags);
  }

  /**
   * The tree with its leading {@code \A} (trailing {@code \z}) replaced by an empty match, when it
   * starts (ends) with one, looking through concatenations and captures four levels deep as RE2
   * does; null otherwise. RE2 records such anchors on the program instead of compiling them.
   */
  private static Re2Node stripAnchor(Re2Node re, boolean start, int depth) {
    if (depth >= 4) {
      return null;
    }
    switch (re.op) {
      case CONCAT -> {
        if (re.subs.isEmpty()) {
          return null;
        }
        int at = start ? 0 : re.subs.size() - 1;
        Re2Node end = stripAnchor(re.subs.get(at), start, depth + 1);
        if (end == null) {
          return null;
        }
        List<Re2Node> subs = new ArrayList<>(re.subs);
        subs.set(at, end);
        return Re2Node.list(Op.CONCAT, subs, re.flags);
      }
      case CAPTURE -> {
        Re2Node sub = stripAnchor(re.sub(), start, depth + 1);
        return sub == null ? null : Re2Node.capture(sub, re.flags, re.cap);
      }
      case BEGIN_TEXT, END_TEXT -> {
        return (re.op == Op.BEGIN_TEXT) == start ? Re2Node.leaf(Op.EMPTY_MATCH, re.flags) : null;
      }
      default -> {
        return null;
      }
    }
  }
}
