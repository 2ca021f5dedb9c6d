package dev.mizzen.ingest.parse;

import dev.mizzen.ingest.parse.Re2Node.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * The factoring RE2's parser applies to every alternation, in its three rounds: branches sharing a
 * literal prefix ({@code abc|abd} is {@code ab(?:c|d)}), then branches sharing a first assertion,
 * class or fixed repeat ({@code ^a|^b} is {@code ^(?:a|b)}), then runs of single runes or classes
 * merged into one class ({@code a|b} is {@code [ab]}); the branches a prefix is taken from are
 * factored in turn. RE2J's parser factors too, but not in the second round's assertions, so its
 * tree is factored again here.
 */
final class Re2Factoring {
  private Re2Factoring() {}

  /** The alternation of {@code subs} (already flat), factored as RE2 factors it. */
  static Re2Node alternate(List<Re2Node> subs, int flags, IntUnaryOperator simpleFold) {
    List<Re2Node> out = factor(subs, flags, simpleFold);
    return Re2Node.list(Op.ALTERNATE, out, flags);
  }

  private static List<Re2Node> factor(List<Re2Node> subs, int flags, IntUnaryOperator simpleFold) {
    return mergeRunes(
        sharedFirst(sharedPrefix(subs, flags, simpleFold), flags, simpleFold), flags, simpleFold);
  }

  // ---- round 1: common literal prefixes ------------------------------------------------------

  private static List<Re2Node> sharedPrefix(
      List<Re2Node> subs, int flags, IntUnaryOperator simpleFold) {
    List<Re2Node> out = new ArrayList<>();
    int start = 0;
    int[] prefix = new int[0];
    int prefixFlags = 0;
    for (int i = 0; i <= subs.size(); i++) {
      int[] lead = new int[0];
      int leadFlags = 0;
      if (i < subs.size()) {
        Re2Node first = leading(subs.get(i));
        leadFlags = first.flags & Re2Node.FOLD_CASE;
        if (first.op == Op.LITERAL || first.op == Op.LITERAL_STRING) {
          lead = first.runes;
        }
        if (leadFlags == prefixFlags) {
          int same = 0;
          while (same < prefix.length && same < lead.length && prefix[same] == lead[same]) {
            same++;
          }
          if (same > 0) {
            prefix = Arrays.copyOf(prefix, same);
            continue;
          }
        }
      }
      if (i - start >= 2) {
        List<Re2Node> rest = new ArrayList<>();
        for (int j = start; j < i; j++) {
          rest.add(removeLeadingString(subs.get(j), prefix.length));
        }
        out.add(spliced(Re2Node.literalString(prefix, prefixFlags), rest, flags, simpleFold));
      } else if (i - start == 1) {
        out.add(subs.get(start));
      }
      start = i;
      prefix = lead;
      prefixFlags = leadFlags;
    }
    return out;
  }

  private static Re2Node leading(Re2Node re) {
    while (re.op == Op.CONCAT && !re.subs.isEmpty()) {
      re = re.subs.get(0);
    }
    return re;
  }

  private static Re2Node removeLeadingString(Re2Node re, int n) {
    if (re.op == Op.CONCAT && !re.subs.isEmpty()) {
      Re2Node first = removeLeadingString(re.subs.get(0), n);
      if (first.op != Op.EMPTY_MATCH) {
        List<Re2Node> subs = new ArrayList<>(re.subs);
        subs.set(0, first);
        return Re2Node.rawList(Op.CONCAT, subs, re.flags);
      }
      if (re.subs.size() == 2) {
        return re.subs.get(1);
      }
      return Re2Node.rawList(Op.CONCAT, re.subs.subList(1, re.subs.size()), re.flags);
    }
    if (re.op == Op.LITERAL) {
      return Re2Node.leaf(Op.EMPTY_MATCH, re.flags);
    }
    if (re.op == Op.LITERAL_STRING) {
      if (n >= re.runes.length) {
        return Re2Node.leaf(Op.EMPTY_MATCH, re.flags);
      }
      return Re2Node.literalString(Arrays.copyOfRange(re.runes, n, re.runes.length), re.flags);
    }
    return re;
  }

  // ---- round 2: a common first assertion, class or fixed repeat ------------------------------

  private static List<Re2Node> sharedFirst(
      List<Re2Node> subs, int flags, IntUnaryOperator simpleFold) {
    List<Re2Node> out = new ArrayList<>();
    int start = 0;
    Re2Node first = null;
    for (int i = 0; i <= subs.size(); i++) {
      Re2Node lead = null;
      if (i < subs.size()) {
        lead = leadingRegexp(subs.get(i));
        if (first != null && factorable(first) && lead != null && Re2Node.same(first, lead)) {
          continue;
        }
      }
      if (i - start >= 2) {
        List<Re2Node> rest = new ArrayList<>();
        for (int j = start; j < i; j++) {
          rest.add(removeLeadingRegexp(subs.get(j)));
        }
        out.add(spliced(first, rest, flags, simpleFold));
      } else if (i - start == 1) {
        out.add(subs.get(start));
      }
      start = i;
      first = lead;
    }
    return out;
  }

  private static boolean factorable(Re2Node re) {
    if (re.isEmptyWidth() || re.op == Op.CHAR_CLASS || re.op == Op.ANY_CHAR) {
      return true;
    }
    if (re.op == Op.REPEAT && re.min == re.max) {
      Op sub = re.sub().op;
      return sub == Op.LITERAL || sub == Op.CHAR_CLASS || sub == Op.ANY_CHAR;
    }
    return false;
  }

  private static Re2Node leadingRegexp(Re2Node re) {
    if (re.op == Op.EMPTY_MATCH) {
      return null;
    }
    if (re.op == Op.CONCAT && re.subs.size() >= 2) {
      Re2Node first = re.subs.get(0);
      return first.op == Op.EMPTY_MATCH ? null : first;
    }
    return re;
  }

  private static Re2Node removeLeadingRegexp(Re2Node re) {
    if (re.op == Op.EMPTY_MATCH) {
      return re;
    }
    if (re.op == Op.CONCAT && re.subs.size() >= 2) {
      if (re.subs.get(0).op == Op.EMPTY_MATCH) {
        return re;
      }
      if (re.subs.size() == 2) {
        return re.subs.get(1);
      }
      return Re2Node.rawList(Op.CONCAT, re.subs.subList(1, re.subs.size()), re.flags);
    }
    return Re2Node.leaf(Op.EMPTY_MATCH, re.flags);
  }

  /** prefix(?:rest...), the rest factored in turn. */
  private static Re2Node spliced(
      Re2Node prefix, List<Re2Node> rest, int flags, IntUnaryOperator simpleFold) {
    Re2Node alternation = Re2Node.list(Op.ALTERNATE, factor(rest, flags, simpleFold), flags);
    return Re2Node.rawList(Op.CONCAT, List.of(prefix, alternation), flags);
  }

  // ---- round 3: runs of runes and classes become one class -----------------------------------

  private static List<Re2Node> mergeRunes(
      List<Re2Node> subs, int flags, IntUnaryOperator simpleFold) {
    List<Re2Node> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= subs.size(); i++) {
      if (i < subs.size() && i > start && isRune(subs.get(start)) && isRune(subs.get(i))) {
        continue;
      }
      if (i - start >= 2) {
        List<int[]> ranges = new ArrayList<>();
        for (int j = start; j < i; j++) {
          Re2Node re = subs.get(j);
          if (re.op == Op.CHAR_CLASS) {
            for (int k = 0; k < re.runes.length; k += 2) {
              ranges.add(new int[] {re.runes[k], re.runes[k + 1]});
            }
          } else if ((re.flags & Re2Node.FOLD_CASE) != 0) {
            int r = re.runes[0];
            int f = r;
            do {
              ranges.add(new int[] {f, f});
              f = simpleFold.applyAsInt(f);
            } while (f != r);
          } else {
            ranges.add(new int[] {re.runes[0], re.runes[0]});
          }
        }
        int[] flat = new int[ranges.size() * 2];
        for (int k = 0; k < ranges.size(); k++) {
          flat[2 * k] = ranges.get(k)[0];
          flat[2 * k + 1] = ranges.get(k)[1];
        }
        out.add(Re2Node.charClass(Re2Syntax.normalized(flat), flags & ~Re2Node.FOLD_CASE));
      } else if (i - start == 1) {
        out.add(subs.get(start));
      }
      start = i;
    }
    return out;
  }

  private static boolean isRune(Re2Node re) {
    return re.op == Op.LITERAL || re.op == Op.CHAR_CLASS;
  }
}
