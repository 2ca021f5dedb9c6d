package dev.mizzen.ingest.parse;

import dev.mizzen.ingest.parse.Re2Node.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What RE2 does to a parsed tree before compiling it: adjacent repeats of one rune or class are
 * merged ({@code a+a*} is {@code a{1,}}), counted repetitions are spelt out ({@code x{2,4}} is
 * {@code xx(x(x)?)?}), and empty or full classes become no-match or any-char. The instruction count
 * depends on every one of these.
 */
final class Re2Simplifier {
  private Re2Simplifier() {}

  static Re2Node simplify(Re2Node re) {
    return simplifyNode(coalesce(re));
  }

  // ---- merging adjacent repeats --------------------------------------------------------------

  private static Re2Node coalesce(Re2Node re) {
    if (re.subs.isEmpty()) {
      return re;
    }
    Re2Node[] subs = new Re2Node[re.subs.size()];
    boolean changed = false;
    for (int i = 0; i < subs.length; i++) {
      subs[i] = coalesce(re.subs.get(i));
      changed |= subs[i] != re.subs.get(i);
    }
    if (re.op != Op.CONCAT) {
      return changed ? rebuild(re, Arrays.asList(subs)) : re;
    }
    boolean can = false;
    for (int i = 0; i + 1 < subs.length && !can; i++) {
      can = canCoalesce(subs[i], subs[i + 1]);
    }
    if (!can) {
      return changed ? rebuild(re, Arrays.asList(subs)) : re;
    }
    for (int i = 0; i + 1 < subs.length; i++) {
      if (canCoalesce(subs[i], subs[i + 1])) {
        doCoalesce(subs, i);
      }
    }
    List<Re2Node> kept = new ArrayList<>();
    for (Re2Node s : subs) {
      if (s.op != Op.EMPTY_MATCH) {
        kept.add(s);
      }
    }
    return rebuild(re, kept);
  }

  private static boolean canCoalesce(Re2Node r1, Re2Node r2) {
    if (!r1.isRepeatOp()) {
      return false;
    }
    Re2Node s = r1.sub();
    if (s.op != Op.LITERAL && s.op != Op.CHAR_CLASS && s.op != Op.ANY_CHAR) {
      return false;
    }
    if (r2.isRepeatOp()
        && Re2Node.same(s, r2.sub())
        && ((r1.flags ^ r2.flags) & Re2Node.NON_GREEDY) == 0) {
      return true;
    }
    if (Re2Node.same(s, r2)) {
      return true;
    }
    return s.op == Op.LITERAL
        && r2.op == Op.LITERAL_STRING
        && r2.runes[0] == s.runes[0]
        && ((s.flags ^ r2.flags) & Re2Node.FOLD_CASE) == 0;
  }

  private static void doCoalesce(Re2Node[] subs, int i) {
    Re2Node r1 = subs[i];
    Re2Node r2 = subs[i + 1];
    int min;
    int max;
    switch (r1.op) {
      case STAR -> {
        min = 0;
        max = -1;
      }
      case PLUS -> {
        min = 1;
        max = -1;
      }
      case QUEST -> {
        min = 0;
        max = 1;
      }
      default -> {
        min = r1.min;
        max = r1.max;
      }
    }
    switch (r2.op) {
      case STAR -> max = -1;
      case PLUS -> {
        min++;
        max = -1;
      }
      case QUEST -> {
        if (max != -1) {
          max++;
        }
      }
      case REPEAT -> {
        min += r2.min;
        if (r2.max == -1) {
          max = -1;
        } else if (max != -1) {
          max += r2.max;
        }
      }
      case LITERAL_STRING -> {
        int rune = r1.sub().runes[0];
        int n = 1;
        while (n < r2.runes.length && r2.runes[n] == rune) {
          n++;
        }
        min += n;
        if (max != -1) {
          max += n;
        }
        if (n < r2.runes.length) {
          subs[i] = Re2Node.repeat(r1.sub(), r1.flags, min, max);
          subs[i + 1] =
              Re2Node.literalString(Arrays.copyOfRange(r2.runes, n, r2.runes.length), r2.flags);
          return;
        }
      }
      default -> {
        min++;
        if (max != -1) {
          max++;
        }
      }
    }
    subs[i] = Re2Node.leaf(Op.EMPTY_MATCH, 0);
    subs[i + 1] = Re2Node.repeat(r1.sub(), r1.flags, min, max);
  }

  // ---- spelling out repeats ------------------------------------------------------------------

  private static Re2Node simplifyNode(Re2Node re) {
    switch (re.op) {
      case CONCAT, ALTERNATE, CAPTURE -> {
        List<Re2Node> subs = new ArrayList<>(re.subs.size());
        boolean changed = false;
        for (Re2Node s : re.subs) {
          Re2Node n = simplifyNode(s);
          subs.add(n);
          changed |= n != s;
        }
        return changed ? rebuild(re, subs) : re;
      }
      case STAR, PLUS, QUEST -> {
        Re2Node sub = simplifyNode(re.sub());
        if (sub.op == Op.EMPTY_MATCH) {
          return sub;
        }
        if (sub == re.sub()) {
          return re;
        }
        if (re.op == sub.op && re.flags == sub.flags) {
          return sub;
        }
        return rebuild(re, List.of(sub));
      }
      case REPEAT -> {
        Re2Node sub = simplifyNode(re.sub());
        if (sub.op == Op.EMPTY_MATCH) {
          return sub;
        }
        return spellOut(sub, re.min, re.max, re.flags);
      }
      case CHAR_CLASS -> {
        if (re.runes.length == 0) {
          return Re2Node.leaf(Op.NO_MATCH, re.flags);
        }
        if (re.runes.length == 2 && re.runes[0] == 0 && re.runes[1] == Re2Node.MAX_RUNE) {
          return Re2Node.leaf(Op.ANY_CHAR, re.flags);
        }
        return re;
      }
      default -> {
        return re;
      }
    }
  }

  private static Re2Node spellOut(Re2Node re, int min, int max, int flags) {
    boolean emptyWidth =
        re.isEmptyWidth()
            || ((re.op == Op.CONCAT || re.op == Op.ALTERNATE)
                && re.subs.stream().allMatch(Re2Node::isEmptyWidth));
    if (emptyWidth) {
      // An empty-width assertion repeated is the assertion once.
      min = Math.min(min, 1);
      max = Math.min(max, 1);
    }
    if (max == -1) {
      if (min == 0) {
        return Re2Node.starPlusOrQuest(Op.STAR, re, flags);
      }
      if (min == 1) {
        return Re2Node.starPlusOrQuest(Op.PLUS, re, flags);
      }
      List<Re2Node> subs = Re2Node.copies(re, min - 1);
      subs.add(Re2Node.starPlusOrQuest(Op.PLUS, re, flags));
      return Re2Node.list(Op.CONCAT, subs, flags);
    }
    if (min == 0 && max == 0) {
      return Re2Node.leaf(Op.EMPTY_MATCH, flags);
    }
    if (min == 1 && max == 1) {
      return re;
    }
    Re2Node out = min > 0 ? Re2Node.list(Op.CONCAT, Re2Node.copies(re, min), flags) : null;
    if (max > min) {
      Re2Node suffix = Re2Node.starPlusOrQuest(Op.QUEST, re, flags);
      for (int i = min + 1; i < max; i++) {
        suffix = Re2Node.starPlusOrQuest(Op.QUEST, pair(re, suffix, flags), flags);
      }
      out = out == null ? suffix : pair(out, suffix, flags);
    }
    return out;
  }

  private static Re2Node pair(Re2Node a, Re2Node b, int flags) {
    return Re2Node.rawList(Op.CONCAT, List.of(a, b), flags);
  }

  private static Re2Node rebuild(Re2Node re, List<Re2Node> subs) {
    return switch (re.op) {
      case CONCAT, ALTERNATE -> Re2Node.rawList(re.op, subs, re.flags);
      case CAPTURE -> Re2Node.capture(subs.get(0), re.flags, re.cap);
      case REPEAT -> Re2Node.repeat(subs.get(0), re.flags, re.min, re.max);
      default -> Re2Node.rawRepeat(re.op, subs.get(0), re.flags);
    };
  }
}
