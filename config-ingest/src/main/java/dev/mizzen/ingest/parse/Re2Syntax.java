package dev.mizzen.ingest.parse;

import com.google.re2j.PatternSyntaxException;
import dev.mizzen.ingest.parse.Re2Node.Op;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

/**
 * Reads a pattern into the tree RE2's parser would build. RE2J's parser follows RE2's syntax (it
 * refuses what RE2 refuses, and is what Mizzen checks syntax with), so its tree is the starting
 * point; RE2J keeps it package-private, so it is read by reflection. Where RE2's parser builds a
 * different tree, this rebuilds it as RE2's: {@code .} is the class {@code [^\n]}, a case-folded
 * rune with more than one form is a class of its forms (two ASCII forms stay a folded literal), a
 * single-rune class is a literal, a repeat of a repeat is squashed, and alternations are factored
 * as RE2 factors them ({@link Re2Factoring}). RE2 also refuses nested counted repetitions whose
 * counts multiply past 1000, which RE2J accepts; {@link #parse} refuses them too.
 */
final class Re2Syntax {
  private static final int MAX_REPEAT = 1000;

  private static final Method PARSE;
  private static final int PERL_FLAGS;
  private static final Method SIMPLE_FOLD;
  private static final Field OP;
  private static final Field FLAGS;
  private static final Field SUBS;
  private static final Field RUNES;
  private static final Field MIN;
  private static final Field MAX;
  private static final Field CAP;

  static {
    try {
      Class<?> parser = Class.forName("com.google.re2j.Parser");
      Class<?> regexp = Class.forName("com.google.re2j.Regexp");
      Class<?> re2 = Class.forName("com.google.re2j.RE2");
      PARSE = parser.getDeclaredMethod("parse", String.class, int.class);
      PARSE.setAccessible(true);
      Field perl = re2.getDeclaredField("PERL");
      perl.setAccessible(true);
      PERL_FLAGS = perl.getInt(null);
      SIMPLE_FOLD =
          Class.forName("com.google.re2j.Unicode").getDeclaredMethod("simpleFold", int.class);
      SIMPLE_FOLD.setAccessible(true);
      OP = field(regexp, "op");
      FLAGS = field(regexp, "flags");
      SUBS = field(regexp, "subs");
      RUNES = field(regexp, "runes");
      MIN = field(regexp, "min");
      MAX = field(regexp, "max");
      CAP = field(regexp, "cap");
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(
          "this RE2J version keeps its parser where Mizzen does not look: " + e);
    }
  }

  private Re2Syntax() {}

  private static Field field(Class<?> type, String name) throws NoSuchFieldException {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  /**
   * The tree RE2 parses {@code pattern} into (Envoy's options: Perl syntax, UTF-8).
   *
   * @throws PatternSyntaxException when RE2 refuses the pattern
   */
  static Re2Node parse(String pattern) {
    Object tree;
    try {
      tree = PARSE.invoke(null, pattern, PERL_FLAGS);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof PatternSyntaxException syntax) {
        throw syntax;
      }
      throw new IllegalStateException("RE2J's parser failed", e.getCause());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot call RE2J's parser", e);
    }
    if (repeatBudget(tree, MAX_REPEAT) == 0) {
      throw new PatternSyntaxException(
          "nested repetition counts multiply to more than " + MAX_REPEAT, pattern);
    }
    return convert(tree);
  }

  /** RE2's check on nested counted repetitions: dividing 1000 by each count must not reach 0. */
  private static int repeatBudget(Object node, int budget) {
    if (op(node).equals("REPEAT")) {
      int m = get(MAX, node) < 0 ? get(MIN, node) : get(MAX, node);
      if (m > 0) {
        budget /= m;
      }
    }
    int least = budget;
    for (Object sub : subs(node)) {
      least = Math.min(least, repeatBudget(sub, budget));
    }
    return least;
  }

  private static Re2Node convert(Object node) {
    int flags = get(FLAGS, node);
    switch (op(node)) {
      case "NO_MATCH":
        return Re2Node.leaf(Op.NO_MATCH, flags);
      case "EMPTY_MATCH":
        return Re2Node.leaf(Op.EMPTY_MATCH, flags);
      case "BEGIN_LINE":
        return Re2Node.leaf(Op.BEGIN_LINE, flags);
      case "END_LINE":
        return Re2Node.leaf(Op.END_LINE, flags);
      case "BEGIN_TEXT":
        return Re2Node.leaf(Op.BEGIN_TEXT, flags);
      case "END_TEXT":
        return Re2Node.leaf(Op.END_TEXT, flags);
      case "WORD_BOUNDARY":
        return Re2Node.leaf(Op.WORD_BOUNDARY, flags);
      case "NO_WORD_BOUNDARY":
        return Re2Node.leaf(Op.NO_WORD_BOUNDARY, flags);
      case "ANY_CHAR":
        return Re2Node.leaf(Op.ANY_CHAR, flags);
      case "ANY_CHAR_NOT_NL":
        return Re2Node.charClass(
            new int[] {0, '\n' - 1, '\n' + 1, Re2Node.MAX_RUNE}, flags & ~Re2Node.FOLD_CASE);
      case "LITERAL":
        return Re2Node.list(Op.CONCAT, literals(runes(node), flags), flags);
      case "CHAR_CLASS":
        return charClass(runes(node), flags);
      case "CAPTURE":
        return Re2Node.capture(convert(subs(node)[0]), flags, get(CAP, node));
      case "STAR":
        return Re2Node.starPlusOrQuest(Op.STAR, convert(subs(node)[0]), flags);
      case "PLUS":
        return Re2Node.starPlusOrQuest(Op.PLUS, convert(subs(node)[0]), flags);
      case "QUEST":
        return Re2Node.starPlusOrQuest(Op.QUEST, convert(subs(node)[0]), flags);
      case "REPEAT":
        return Re2Node.repeat(convert(subs(node)[0]), flags, get(MIN, node), get(MAX, node));
      case "CONCAT":
        {
          List<Re2Node> out = new ArrayList<>();
          for (Object sub : subs(node)) {
            Re2Node c = convert(sub);
            if (c.op == Op.CONCAT) {
              out.addAll(c.subs);
            } else {
              out.add(c);
            }
          }
          return Re2Node.list(Op.CONCAT, out, flags);
        }
      case "ALTERNATE":
        {
          List<Re2Node> out = new ArrayList<>();
          for (Object sub : subs(node)) {
            Re2Node c = convert(sub);
            if (c.op == Op.ALTERNATE) {
              out.addAll(c.subs);
            } else {
              out.add(c);
            }
          }
          return Re2Factoring.alternate(out, flags, Re2Syntax::simpleFold);
        }
      default:
        throw new IllegalStateException("unexpected RE2J node " + op(node));
    }
  }

  /**
   * Literal runes as RE2 pushes them: a folded rune with other forms becomes a class of its forms,
   * and runs of plain literals become literal strings.
   */
  private static List<Re2Node> literals(int[] runes, int flags) {
    List<Re2Node> out = new ArrayList<>();
    List<Integer> run = new ArrayList<>();
    for (int r : runes) {
      Re2Node piece = Re2Node.literal(r, flags);
      if ((flags & Re2Node.FOLD_CASE) != 0 && simpleFold(r) != r) {
        TreeSet<Integer> forms = new TreeSet<>();
        for (int f = r; forms.add(f); f = simpleFold(f)) {}
        int[] ranges = new int[forms.size() * 2];
        int i = 0;
        for (int f : forms) {
          ranges[i++] = f;
          ranges[i++] = f;
        }
        piece = charClass(ranges, flags);
      }
      if (piece.op == Op.LITERAL && piece.flags == flags) {
        run.add(piece.runes[0]);
        continue;
      }
      flush(run, flags, out);
      out.add(piece);
    }
    flush(run, flags, out);
    return out;
  }

  private static void flush(List<Integer> run, int flags, List<Re2Node> out) {
    if (!run.isEmpty()) {
      out.add(Re2Node.literalString(run.stream().mapToInt(Integer::intValue).toArray(), flags));
      run.clear();
    }
  }

  /** A class as RE2 pushes it: one rune is a literal, [Aa] is a folded literal a. */
  private static Re2Node charClass(int[] ranges, int flags) {
    ranges = normalized(ranges);
    long size = 0;
    for (int i = 0; i < ranges.length; i += 2) {
      size += ranges[i + 1] - ranges[i] + 1L;
    }
    if (size == 1) {
      return Re2Node.literal(ranges[0], flags);
    }
    if (size == 2) {
      int r = ranges[0];
      if ('A' <= r && r <= 'Z' && contains(ranges, r + 'a' - 'A')) {
        return Re2Node.literal(r + 'a' - 'A', flags | Re2Node.FOLD_CASE);
      }
    }
    return Re2Node.charClass(ranges, flags & ~Re2Node.FOLD_CASE);
  }

  /** Sorted, merged ranges. */
  static int[] normalized(int[] ranges) {
    int n = ranges.length / 2;
    int[][] pairs = new int[n][];
    for (int i = 0; i < n; i++) {
      pairs[i] = new int[] {ranges[2 * i], ranges[2 * i + 1]};
    }
    Arrays.sort(pairs, (a, b) -> Integer.compare(a[0], b[0]));
    List<int[]> merged = new ArrayList<>();
    for (int[] p : pairs) {
      int[] last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
      if (last != null && p[0] <= last[1] + 1) {
        last[1] = Math.max(last[1], p[1]);
      } else {
        merged.add(p.clone());
      }
    }
    int[] out = new int[merged.size() * 2];
    for (int i = 0; i < merged.size(); i++) {
      out[2 * i] = merged.get(i)[0];
      out[2 * i + 1] = merged.get(i)[1];
    }
    return out;
  }

  static boolean contains(int[] ranges, int rune) {
    for (int i = 0; i < ranges.length; i += 2) {
      if (ranges[i] <= rune && rune <= ranges[i + 1]) {
        return true;
      }
    }
    return false;
  }

  private static int simpleFold(int rune) {
    try {
      return (int) SIMPLE_FOLD.invoke(null, rune);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read RE2J's case folding", e);
    }
  }

  private static String op(Object node) {
    try {
      return ((Enum<?>) OP.get(node)).name();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int get(Field f, Object node) {
    try {
      return f.getInt(node);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object[] subs(Object node) {
    try {
      Object[] subs = (Object[]) SUBS.get(node);
      return subs == null ? new Object[0] : subs;
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int[] runes(Object node) {
    try {
      int[] runes = (int[]) RUNES.get(node);
      return runes == null ? new int[0] : runes;
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }
}
