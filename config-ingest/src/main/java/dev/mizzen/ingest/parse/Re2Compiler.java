package dev.mizzen.ingest.parse;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Compiles a simplified tree into RE2's instructions, instruction for instruction and in the same
 * order, since the flattened size depends on both: UTF-8 byte ranges with shared continuation bytes
 * and a trie of leading bytes, Thompson fragments patched in place, elided no-ops, and the
 * unanchored {@code .*?} loop in front of a program not anchored at its start. The result is handed
 * to {@link Re2Flattener}.
 */
final class Re2Compiler {
  static final int FAIL = 0;
  static final int ALT = 1;
  static final int ALT_MATCH = 2;
  static final int BYTE_RANGE = 3;
  static final int CAPTURE = 4;
  static final int EMPTY_WIDTH = 5;
  static final int MATCH = 6;
  static final int NOP = 7;

  /** Thrown when the program outgrows what RE2 compiles within its default memory budget. */
  static final class TooLarge extends RuntimeException {
    TooLarge() {
      super(null, null, false, false);
    }
  }

  /** A list of unpatched exits, threaded through the exits themselves (odd: out1). */
  private record Patches(int head, int tail) {
    static final Patches NONE = new Patches(0, 0);

    static Patches of(int p) {
      return new Patches(p, p);
    }
  }

  private record Frag(int begin, Patches end, boolean nullable) {
    static final Frag NO_MATCH = new Frag(0, Patches.NONE, false);

    boolean isNoMatch() {
      return begin == 0;
    }
  }

  private final int maxInst;
  int[] op = new int[64];
  int[] out = new int[64];
  int[] out1 = new int[64];
  int[] lo = new int[64];
  int[] hi = new int[64];
  boolean[] fold = new boolean[64];
  int size;
  int start;
  int startUnanchored;

  private final Map<Long, Integer> runeCache = new HashMap<>();
  private int rangeBegin;
  private Patches rangeEnd = Patches.NONE;

  Re2Compiler(int maxInst) {
    this.maxInst = maxInst;
    alloc(); // instruction 0 fails
  }

  /** Compiles {@code re}, already simplified; anchors say whether ^ and $ were stripped. */
  void compile(Re2Node re, boolean anchorStart) {
    Frag all = walk(re);
    all = cat(all, match());
    start = all.begin;
    if (!anchorStart) {
      Frag dotStar = star(byteRange(0x00, 0xFF, false), true);
      all = cat(dotStar, all);
    }
    startUnanchored = all.begin;
    if (start == 0 && startUnanchored == 0) {
      size = 1;
    }
  }

  private int alloc() {
    if (size + 1 > maxInst) {
      throw new TooLarge();
    }
    if (size == op.length) {
      int n = size * 2;
      op = Arrays.copyOf(op, n);
      out = Arrays.copyOf(out, n);
      out1 = Arrays.copyOf(out1, n);
      lo = Arrays.copyOf(lo, n);
      hi = Arrays.copyOf(hi, n);
      fold = Arrays.copyOf(fold, n);
    }
    int id = size++;
    op[id] = FAIL;
    out[id] = 0;
    out1[id] = 0;
    lo[id] = 0;
    hi[id] = 0;
    fold[id] = false;
    return id;
  }

  private void patch(Patches l, int val) {
    int p = l.head;
    while (p != 0) {
      int i = p >> 1;
      int next;
      if ((p & 1) != 0) {
        next = out1[i];
        out1[i] = val;
      } else {
        next = out[i];
        out[i] = val;
      }
      p = next;
    }
  }

  private Patches append(Patches l1, Patches l2) {
    if (l1.head == 0) {
      return l2;
    }
    if (l2.head == 0) {
      return l1;
    }
    int t = l1.tail;
    if ((t & 1) != 0) {
      out1[t >> 1] = l2.head;
    } else {
      out[t >> 1] = l2.head;
    }
    return new Patches(l1.head, l2.tail);
  }

  // ---- fragments -----------------------------------------------------------------------------

  private Frag cat(Frag a, Frag b) {
    if (a.isNoMatch() || b.isNoMatch()) {
      return Frag.NO_MATCH;
    }
    if (op[a.begin] == NOP && a.end.head == (a.begin << 1) && out[a.begin] == 0) {
      patch(a.end, b.begin);
      return b;
    }
    patch(a.end, b.begin);
    return new Frag(a.begin, b.end, a.nullable && b.nullable);
  }

  private Frag alt(Frag a, Frag b) {
    if (a.isNoMatch()) {
      return b;
    }
    if (b.isNoMatch()) {
      return a;
    }
    int id = alloc();
    op[id] = ALT;
    out[id] = a.begin;
    out1[id] = b.begin;
    return new Frag(id, append(a.end, b.end), a.nullable || b.nullable);
  }

  /** The loop instruction shared by x+, x* and x?: greedy tries x first. */
  private Patches loop(int id, int body, boolean nongreedy) {
    op[id] = ALT;
    if (nongreedy) {
      out1[id] = body;
      return Patches.of(id << 1);
    }
    out[id] = body;
    return Patches.of((id << 1) | 1);
  }

  private Frag plus(Frag a, boolean nongreedy) {
    int id = alloc();
    Patches exit = loop(id, a.begin, nongreedy);
    patch(a.end, id);
    return new Frag(a.begin, exit, a.nullable);
  }

  private Frag star(Frag a, boolean nongreedy) {
    if (a.nullable) {
      return quest(plus(a, nongreedy), nongreedy);
    }
    int id = alloc();
    Patches exit = loop(id, a.begin, nongreedy);
    patch(a.end, id);
    return new Frag(id, exit, true);
  }

  private Frag quest(Frag a, boolean nongreedy) {
    if (a.isNoMatch()) {
      return nop();
    }
    int id = alloc();
    Patches exit = loop(id, a.begin, nongreedy);
    return new Frag(id, append(exit, a.end), true);
  }

  private Frag byteRange(int l, int h, boolean foldcase) {
    int id = alloc();
    op[id] = BYTE_RANGE;
    lo[id] = l;
    hi[id] = h;
    fold[id] = foldcase;
    return new Frag(id, Patches.of(id << 1), false);
  }

  private Frag nop() {
    int id = alloc();
    op[id] = NOP;
    return new Frag(id, Patches.of(id << 1), true);
  }

  private Frag match() {
    int id = alloc();
    op[id] = MATCH;
    return new Frag(id, Patches.NONE, false);
  }

  private Frag emptyWidth() {
    int id = alloc();
    op[id] = EMPTY_WIDTH;
    return new Frag(id, Patches.of(id << 1), true);
  }

  private Frag capture(Frag a) {
    if (a.isNoMatch()) {
      return Frag.NO_MATCH;
    }
    int id = alloc();
    int close = alloc();
    op[id] = CAPTURE;
    out[id] = a.begin;
    op[close] = CAPTURE;
    patch(a.end, close);
    return new Frag(id, Patches.of(close << 1), a.nullable);
  }

  // ---- the tree ------------------------------------------------------------------------------

  private Frag walk(Re2Node re) {
    Frag[] subs = new Frag[re.subs.size()];
    for (int i = 0; i < subs.length; i++) {
      subs[i] = walk(re.subs.get(i));
    }
    boolean nongreedy = (re.flags & Re2Node.NON_GREEDY) != 0;
    boolean foldcase = (re.flags & Re2Node.FOLD_CASE) != 0;
    switch (re.op) {
      case NO_MATCH:
        return Frag.NO_MATCH;
      case EMPTY_MATCH:
        return nop();
      case CONCAT:
        {
          Frag f = subs[0];
          for (int i = 1; i < subs.length; i++) {
            f = cat(f, subs[i]);
          }
          return f;
        }
      case ALTERNATE:
        {
          Frag f = subs[0];
          for (int i = 1; i < subs.length; i++) {
            f = alt(f, subs[i]);
          }
          return f;
        }
      case STAR:
        return star(subs[0], nongreedy);
      case PLUS:
        return plus(subs[0], nongreedy);
      case QUEST:
        return quest(subs[0], nongreedy);
      case LITERAL:
      case LITERAL_STRING:
        {
          Frag f = null;
          for (int r : re.runes) {
            Frag one = literal(r, foldcase);
            f = f == null ? one : cat(f, one);
          }
          return f == null ? nop() : f;
        }
      case ANY_CHAR:
        beginRange();
        addRuneRange(0, Re2Node.MAX_RUNE, false);
        return endRange();
      case CHAR_CLASS:
        return charClass(re.runes);
      case CAPTURE:
        return capture(subs[0]);
      default:
        // ^, $, \A, \z, \b, \B
        return emptyWidth();
    }
  }

  private Frag literal(int r, boolean foldcase) {
    if (r < 0x80) {
      return byteRange(r, r, foldcase);
    }
    byte[] bytes = Utf8.encode(r);
    Frag f = byteRange(bytes[0] & 0xFF, bytes[0] & 0xFF, false);
    for (int i = 1; i < bytes.length; i++) {
      f = cat(f, byteRange(bytes[i] & 0xFF, bytes[i] & 0xFF, false));
    }
    return f;
  }

  private Frag charClass(int[] ranges) {
    // ASCII case folding: when the class treats A-Z as it treats a-z, the upper-case ranges are
    // left out and the others match either case.
    boolean foldAscii = true;
    for (int c = 'A'; c <= 'Z'; c++) {
      if (Re2Syntax.contains(ranges, c) != Re2Syntax.contains(ranges, c + 'a' - 'A')) {
        foldAscii = false;
        break;
      }
    }
    beginRange();
    for (int i = 0; i < ranges.length; i += 2) {
      int l = ranges[i];
      int h = ranges[i + 1];
      if (foldAscii && 'A' <= l && h <= 'Z') {
        continue;
      }
      boolean f = foldAscii;
      if ((l <= 'A' && 'z' <= h) || h < 'A' || 'z' < l || ('Z' < l && h < 'a')) {
        f = false;
      }
      addRuneRange(l, h, f);
    }
    return endRange();
  }

  // ---- UTF-8 ranges --------------------------------------------------------------------------

  private void beginRange() {
    runeCache.clear();
    rangeBegin = 0;
    rangeEnd = Patches.NONE;
  }

  private Frag endRange() {
    return new Frag(rangeBegin, rangeEnd, false);
  }

  private int uncachedSuffix(int l, int h, boolean foldcase, int next) {
    Frag f = byteRange(l, h, foldcase);
    if (next != 0) {
      patch(f.end, next);
    } else {
      rangeEnd = append(rangeEnd, f.end);
    }
    return f.begin;
  }

  private static long cacheKey(int l, int h, boolean foldcase, int next) {
    return ((long) next << 17) | ((long) l << 9) | ((long) h << 1) | (foldcase ? 1 : 0);
  }

  private int cachedSuffix(int l, int h, boolean foldcase, int next) {
    long key = cacheKey(l, h, foldcase, next);
    Integer id = runeCache.get(key);
    if (id != null) {
      return id;
    }
    int made = uncachedSuffix(l, h, foldcase, next);
    runeCache.put(key, made);
    return made;
  }

  private boolean isCached(int id) {
    return runeCache.containsKey(cacheKey(lo[id], hi[id], fold[id], out[id]));
  }

  private void addSuffix(int id) {
    if (rangeBegin == 0) {
      rangeBegin = id;
      return;
    }
    rangeBegin = addSuffixRecursive(rangeBegin, id);
  }

  private int addSuffixRecursive(int root, int id) {
    // Find a leading byte range equal to id's among root's alternatives (the last one only:
    // ranges arrive sorted).
    int found;
    int where; // 0: root itself, otherwise the patch slot holding the equal range
    if (op[root] == BYTE_RANGE) {
      if (!sameRange(root, id)) {
        return newAlt(root, id);
      }
      found = root;
      where = 0;
    } else if (op[root] == ALT && sameRange(out1[root], id)) {
      found = out1[root];
      where = (root << 1) | 1;
    } else {
      return newAlt(root, id);
    }
    int br = found;
    if (isCached(br)) {
      // A shared suffix must not change: branch from a copy of it.
      int copy = alloc();
      op[copy] = BYTE_RANGE;
      lo[copy] = lo[br];
      hi[copy] = hi[br];
      fold[copy] = fold[br];
      out[copy] = out[br];
      br = copy;
      if (where == 0) {
        root = br;
      } else {
        out1[where >> 1] = br;
      }
    }
    int next = out[id];
    if (!isCached(id)) {
      // id was the last instruction made; give it back.
      size--;
    }
    int merged = addSuffixRecursive(out[br], next);
    out[br] = merged;
    return root;
  }

  private int newAlt(int a, int b) {
    int id = alloc();
    op[id] = ALT;
    out[id] = a;
    out1[id] = b;
    return id;
  }

  private boolean sameRange(int a, int b) {
    return lo[a] == lo[b] && hi[a] == hi[b] && fold[a] == fold[b];
  }

  private void addRuneRange(int l, int h, boolean foldcase) {
    if (l > h) {
      return;
    }
    if (l == 0x80 && h == Re2Node.MAX_RUNE) {
      // Every non-ASCII rune: lead bytes C2-DF, E0-EF, F0-F4 over shared continuations.
      int cont1 = uncachedSuffix(0x80, 0xBF, false, 0);
      addSuffix(uncachedSuffix(0xC2, 0xDF, false, cont1));
      int cont2 = uncachedSuffix(0x80, 0xBF, false, cont1);
      addSuffix(uncachedSuffix(0xE0, 0xEF, false, cont2));
      int cont3 = uncachedSuffix(0x80, 0xBF, false, cont2);
      addSuffix(uncachedSuffix(0xF0, 0xF4, false, cont3));
      return;
    }
    // Split into ranges of one encoded length.
    for (int n = 1; n < 4; n++) {
      int max = Utf8.maxRune(n);
      if (l <= max && max < h) {
        addRuneRange(l, max, foldcase);
        addRuneRange(max + 1, h, foldcase);
        return;
      }
    }
    if (h < 0x80) {
      addSuffix(uncachedSuffix(l, h, foldcase, 0));
      return;
    }
    // Split into ranges that share their leading bytes.
    for (int n = 1; n < 4; n++) {
      int m = (1 << (6 * n)) - 1;
      if ((l & ~m) != (h & ~m)) {
        if ((l & m) != 0) {
          addRuneRange(l, l | m, foldcase);
          addRuneRange((l | m) + 1, h, foldcase);
          return;
        }
        if ((h & m) != m) {
          addRuneRange(l, (h & ~m) - 1, foldcase);
          addRuneRange(h & ~m, h, foldcase);
          return;
        }
      }
    }
    byte[] ulo = Utf8.encode(l);
    byte[] uhi = Utf8.encode(h);
    int n = ulo.length;
    int id = 0;
    for (int i = n - 1; i >= 0; i--) {
      int bl = ulo[i] & 0xFF;
      int bh = uhi[i] & 0xFF;
      // Cache the last continuation byte and inner byte ranges, never the leading byte.
      if (i == n - 1 || (bl < bh && i != 0)) {
        id = cachedSuffix(bl, bh, false, id);
      } else {
        id = uncachedSuffix(bl, bh, false, id);
      }
    }
    addSuffix(id);
  }

  /** UTF-8 as RE2 encodes runes (surrogates included, as any other rune). */
  static final class Utf8 {
    private Utf8() {}

    static int maxRune(int len) {
      return len == 1 ? 0x7F : (1 << (8 - (len + 1) + 6 * (len - 1))) - 1;
    }

    static byte[] encode(int r) {
      if (r < 0x80) {
        return new byte[] {(byte) r};
      }
      if (r < 0x800) {
        return new byte[] {(byte) (0xC0 | (r >> 6)), (byte) (0x80 | (r & 0x3F))};
      }
      if (r < 0x10000) {
        return new byte[] {
          (byte) (0xE0 | (r >> 12)), (byte) (0x80 | ((r >> 6) & 0x3F)), (byte) (0x80 | (r & 0x3F))
        };
      }
      return new byte[] {
        (byte) (0xF0 | (r >> 18)),
        (byte) (0x80 | ((r >> 12) & 0x3F)),
        (byte) (0x80 | ((r >> 6) & 0x3F)),
        (byte) (0x80 | (r & 0x3F))
      };
    }
  }
}
