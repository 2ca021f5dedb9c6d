package dev.mizzen.ingest.parse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A node of a regular expression's syntax tree as RE2's parser leaves it: literals are runes,
 * classes are sorted disjoint ranges, {@code .} is the class {@code [^\n]}, and a case-folded
 * letter with more than two forms is a class. {@link Re2ProgramSize} builds it, simplifies it and
 * compiles it.
 */
final class Re2Node {
  enum Op {
    NO_MATCH,
    EMPTY_MATCH,
    LITERAL,
    LITERAL_STRING,
    CHAR_CLASS,
    ANY_CHAR,
    BEGIN_LINE,
    END_LINE,
    BEGIN_TEXT,
    END_TEXT,
    WORD_BOUNDARY,
    NO_WORD_BOUNDARY,
    CAPTURE,
    STAR,
    PLUS,
    QUEST,
    REPEAT,
    CONCAT,
    ALTERNATE
  }

  /** Flag bits, as RE2J numbers them (only equality and these three bits matter). */
  static final int FOLD_CASE = 0x01;

  static final int NON_GREEDY = 0x20;
  static final int WAS_DOLLAR = 0x100;

  static final int MAX_RUNE = 0x10FFFF;

  final Op op;
  final int flags;

  /** LITERAL: one rune; LITERAL_STRING: the runes; CHAR_CLASS: lo, hi pairs, sorted. */
  final int[] runes;

  final List<Re2Node> subs;
  final int min;
  final int max;
  final int cap;

  private Re2Node(Op op, int flags, int[] runes, List<Re2Node> subs, int min, int max, int cap) {
    this.op = op;
    this.flags = flags;
    this.runes = runes;
    this.subs = subs;
    this.min = min;
    this.max = max;
    this.cap = cap;
  }

  static Re2Node leaf(Op op, int flags) {
    return new Re2Node(op, flags, new int[0], List.of(), 0, 0, 0);
  }

  static Re2Node literal(int rune, int flags) {
    return new Re2Node(Op.LITERAL, flags, new int[] {rune}, List.of(), 0, 0, 0);
  }

  /** A literal string; one rune is a LITERAL and none is an empty match, as RE2 builds them. */
  static Re2Node literalString(int[] runes, int flags) {
    if (runes.length == 0) {
      return leaf(Op.EMPTY_MATCH, flags);
    }
    if (runes.length == 1) {
      return literal(runes[0], flags);
    }
    return new Re2Node(Op.LITERAL_STRING, flags, runes.clone(), List.of(), 0, 0, 0);
  }

  static Re2Node charClass(int[] ranges, int flags) {
    return new Re2Node(Op.CHAR_CLASS, flags, ranges, List.of(), 0, 0, 0);
  }

  static Re2Node capture(Re2Node sub, int flags, int cap) {
    return new Re2Node(Op.CAPTURE, flags, new int[0], List.of(sub), 0, 0, cap);
  }

  static Re2Node repeat(Re2Node sub, int flags, int min, int max) {
    return new Re2Node(Op.REPEAT, flags, new int[0], List.of(sub), min, max, 0);
  }

  /**
   * x*, x+ or x?, squashing a repeat of a repeat with the same flags as RE2 does: the same operator
   * twice is one, two different ones are a star.
   */
  static Re2Node starPlusOrQuest(Op op, Re2Node sub, int flags) {
    if (op == sub.op && flags == sub.flags) {
      return sub;
    }
    if ((sub.op == Op.STAR || sub.op == Op.PLUS || sub.op == Op.QUEST) && flags == sub.flags) {
      return sub.op == Op.STAR ? sub : new Re2Node(Op.STAR, flags, new int[0], sub.subs, 0, 0, 0);
    }
    return new Re2Node(op, flags, new int[0], List.of(sub), 0, 0, 0);
  }

  /** A concatenation or alternation; one operand is itself, none is an empty match (no match). */
  static Re2Node list(Op op, List<Re2Node> subs, int flags) {
    if (subs.size() == 1) {
      return subs.get(0);
    }
    if (subs.isEmpty()) {
      return leaf(op == Op.CONCAT ? Op.EMPTY_MATCH : Op.NO_MATCH, flags);
    }
    return new Re2Node(op, flags, new int[0], List.copyOf(subs), 0, 0, 0);
  }

  /** A concatenation or alternation of exactly these operands. */
  static Re2Node rawList(Op op, List<Re2Node> subs, int flags) {
    return new Re2Node(op, flags, new int[0], List.copyOf(subs), 0, 0, 0);
  }

  /** x*, x+ or x? without squashing. */
  static Re2Node rawRepeat(Op op, Re2Node sub, int flags) {
    return new Re2Node(op, flags, new int[0], List.of(sub), 0, 0, 0);
  }

  Re2Node sub() {
    return subs.get(0);
  }

  boolean isEmptyWidth() {
    return switch (op) {
      case BEGIN_LINE, END_LINE, WORD_BOUNDARY, NO_WORD_BOUNDARY, BEGIN_TEXT, END_TEXT -> true;
      default -> false;
    };
  }

  boolean isRepeatOp() {
    return op == Op.STAR || op == Op.PLUS || op == Op.QUEST || op == Op.REPEAT;
  }

  /** RE2's structural equality of two trees. */
  static boolean same(Re2Node a, Re2Node b) {
    if (a.op != b.op) {
      return false;
    }
    boolean top =
        switch (a.op) {
          case LITERAL, LITERAL_STRING ->
              Arrays.equals(a.runes, b.runes) && ((a.flags ^ b.flags) & FOLD_CASE) == 0;
          case CHAR_CLASS -> Arrays.equals(a.runes, b.runes);
          case END_TEXT -> ((a.flags ^ b.flags) & WAS_DOLLAR) == 0;
          case STAR, PLUS, QUEST -> ((a.flags ^ b.flags) & NON_GREEDY) == 0;
          case REPEAT ->
              ((a.flags ^ b.flags) & NON_GREEDY) == 0 && a.min == b.min && a.max == b.max;
          case CAPTURE -> a.cap == b.cap;
          case CONCAT, ALTERNATE -> a.subs.size() == b.subs.size();
          default -> true;
        };
    if (!top) {
      return false;
    }
    for (int i = 0; i < a.subs.size(); i++) {
      if (!same(a.subs.get(i), b.subs.get(i))) {
        return false;
      }
    }
    return true;
  }

  static List<Re2Node> copies(Re2Node node, int n) {
    List<Re2Node> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(node);
    }
    return out;
  }
}
