package dev.mizzen.ingest.parse;

import com.google.re2j.Pattern;
import java.lang.reflect.Field;
import java.lang.reflect.Method;

/**
 * Estimates the size of the program RE2 compiles a pattern into, the figure Envoy compares with
 * {@code re2.max_program_size.error_level} (100 unless the proxy's runtime says otherwise) before
 * it accepts a regular expression. A listener holding a larger one is rejected whole.
 *
 * <p>RE2J does not expose its compiled program, so this reads it by reflection (RE2J 1.8: {@code
 * Pattern.re2().prog}). RE2J's compiler is a port of Go's, which follows RE2's instruction set: one
 * instruction per literal character, per character class, per alternation branch point, per
 * repetition (after the same simplification, which expands {@code x{n,m}} into copies), two per
 * capture group, one per empty-width assertion, plus the fail and match instructions. Where they
 * differ:
 *
 * <ul>
 *   <li>RE2 matches UTF-8 bytes, RE2J matches code points. A class or {@code .} that reaches past
 *       ASCII is one RE2J instruction but several RE2 byte-range instructions. For each such
 *       instruction this adds one instruction per byte of every longer UTF-8 length the class
 *       reaches (2, 3 and 4 bytes: {@code .} counts 1 + 2 + 3 + 4 = 10), a lower bound of what RE2
 *       needs.
 *   <li>RE2 prefixes unanchored programs with a {@code .*?} loop and may drop no-op instructions
 *       when it flattens the program; neither is modelled.
 * </ul>
 *
 * <p>So for ASCII patterns the figure is within a few instructions of RE2's; near the limit, a
 * pattern this accepts may still be refused by Envoy, and the other way round.
 */
final class Re2ProgramSize {
  /** Envoy's default {@code re2.max_program_size.error_level}. */
  static final int ENVOY_LIMIT = 100;

  private static final int RUNE = 8;
  private static final int RUNE1 = 9;
  private static final int RUNE_ANY = 10;
  private static final int RUNE_ANY_NOT_NL = 11;

  private static final Method RE2;
  private static final Field PROG;
  private static final Field INSTS;
  private static final Field INST_SIZE;
  private static final Field OP;
  private static final Field RUNES;

  static {
    try {
      RE2 = Pattern.class.getDeclaredMethod("re2");
      RE2.setAccessible(true);
      Class<?> re2 = Class.forName("com.google.re2j.RE2");
      PROG = re2.getDeclaredField("prog");
      PROG.setAccessible(true);
      Class<?> prog = Class.forName("com.google.re2j.Prog");
      INSTS = prog.getDeclaredField("inst");
      INSTS.setAccessible(true);
      INST_SIZE = prog.getDeclaredField("instSize");
      INST_SIZE.setAccessible(true);
      Class<?> inst = Class.forName("com.google.re2j.Inst");
      OP = inst.getDeclaredField("op");
      OP.setAccessible(true);
      RUNES = inst.getDeclaredField("runes");
      RUNES.setAccessible(true);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(
          "this RE2J version hides its compiled program where Mizzen does not look: " + e);
    }
  }

  private Re2ProgramSize() {}

  /** The estimated RE2 program size of an already compiled pattern. */
  static int of(Pattern pattern) {
    try {
      Object prog = PROG.get(RE2.invoke(pattern));
      Object[] insts = (Object[]) INSTS.get(prog);
      int count = INST_SIZE.getInt(prog);
      int size = count;
      for (int i = 0; i < count; i++) {
        size += utf8Surcharge(OP.getInt(insts[i]), (int[]) RUNES.get(insts[i]));
      }
      return size;
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read RE2J's compiled program", e);
    }
  }

  private static int utf8Surcharge(int op, int[] runes) {
    if (op == RUNE_ANY || op == RUNE_ANY_NOT_NL) {
      return 2 + 3 + 4;
    }
    if (op == RUNE1) {
      return runes.length == 0 ? 0 : utf8Length(runes[0]) - 1;
    }
    if (op != RUNE || runes == null) {
      return 0;
    }
    if (runes.length == 1) {
      // A case-folded literal: one rune, matched in either case.
      return utf8Length(runes[0]) - 1;
    }
    boolean[] reaches = new boolean[5];
    for (int i = 0; i + 1 < runes.length; i += 2) {
      int lo = utf8Length(runes[i]);
      int hi = utf8Length(runes[i + 1]);
      for (int len = lo; len <= hi; len++) {
        reaches[len] = true;
      }
    }
    int extra = 0;
    for (int len = 2; len <= 4; len++) {
      if (reaches[len]) {
        extra += len;
      }
    }
    return extra;
  }

  private static int utf8Length(int rune) {
    if (rune < 0x80) {
      return 1;
    }
    if (rune < 0x800) {
      return 2;
    }
    return rune < 0x10000 ? 3 : 4;
  }
}
