package dev.mizzen.ingest.parse;

import static dev.mizzen.ingest.parse.Re2Compiler.ALT;
import static dev.mizzen.ingest.parse.Re2Compiler.ALT_MATCH;
import static dev.mizzen.ingest.parse.Re2Compiler.BYTE_RANGE;
import static dev.mizzen.ingest.parse.Re2Compiler.CAPTURE;
import static dev.mizzen.ingest.parse.Re2Compiler.MATCH;
import static dev.mizzen.ingest.parse.Re2Compiler.NOP;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Counts the instructions of a compiled program after RE2's last two passes, which is the figure
 * RE2 reports as its program size. The first pass skips no-ops and marks {@code (?s:.)*} loops
 * before a match; the second flattens the program into lists: every instruction a byte, capture or
 * assertion leads to starts a list, as does one reached along empty transitions from more than one
 * list; each list holds the non-branching instructions reachable from its start without consuming
 * input, plus one jump per other list reached that way.
 */
final class Re2Flattener {
  private final Re2Compiler p;
  private final boolean[] root;
  private final List<Integer> roots = new ArrayList<>();
  private final List<List<Integer>> preds;

  private final int[] seenAt;
  private final List<Integer> seen = new ArrayList<>();
  private int visit;

  private Re2Flattener(Re2Compiler p) {
    this.p = p;
    this.root = new boolean[p.size];
    this.seenAt = new int[p.size];
    this.preds = new ArrayList<>(p.size);
    for (int i = 0; i < p.size; i++) {
      preds.add(null);
    }
  }

  /** The size RE2 reports for the compiled program. */
  static int size(Re2Compiler p) {
    Re2Flattener f = new Re2Flattener(p);
    f.optimize();
    return f.flatten();
  }

  private void optimize() {
    List<Integer> queue = new ArrayList<>();
    boolean[] queued = new boolean[p.size];
    enqueue(queue, queued, p.start);
    for (int i = 0; i < queue.size(); i++) {
      int id = queue.get(i);
      p.out[id] = skipNops(p.out[id]);
      enqueue(queue, queued, p.out[id]);
      if (p.op[id] == ALT) {
        p.out1[id] = skipNops(p.out1[id]);
        enqueue(queue, queued, p.out1[id]);
      }
    }
    queue.clear();
    Arrays.fill(queued, false);
    enqueue(queue, queued, p.start);
    for (int i = 0; i < queue.size(); i++) {
      int id = queue.get(i);
      enqueue(queue, queued, p.out[id]);
      if (p.op[id] == ALT) {
        enqueue(queue, queued, p.out1[id]);
        int j = p.out[id];
        int k = p.out1[id];
        if ((anyByteLoop(j, id) && isMatch(k)) || (isMatch(j) && anyByteLoop(k, id))) {
          p.op[id] = ALT_MATCH;
        }
      }
    }
  }

  private int skipNops(int j) {
    while (j != 0 && p.op[j] == NOP) {
      j = p.out[j];
    }
    return j;
  }

  private static void enqueue(List<Integer> queue, boolean[] queued, int id) {
    if (id != 0 && !queued[id]) {
      queued[id] = true;
      queue.add(id);
    }
  }

  private boolean anyByteLoop(int j, int alt) {
    return p.op[j] == BYTE_RANGE && p.out[j] == alt && p.lo[j] == 0x00 && p.hi[j] == 0xFF;
  }

  private boolean isMatch(int id) {
    while (true) {
      switch (p.op[id]) {
        case CAPTURE, NOP -> id = p.out[id];
        case MATCH -> {
          return true;
        }
        default -> {
          return false;
        }
      }
    }
  }

  private void markRoot(int id) {
    if (!root[id]) {
      root[id] = true;
      roots.add(id);
    }
  }

  private void clearSeen() {
    visit++;
    seen.clear();
  }

  /** Marks id seen; false if it already was. */
  private boolean see(int id) {
    if (seenAt[id] == visit) {
      return false;
    }
    seenAt[id] = visit;
    seen.add(id);
    return true;
  }

  private int flatten() {
    markRoot(0);
    markRoot(p.startUnanchored);
    markRoot(p.start);
    markSuccessors();
    Integer[] sorted = roots.toArray(new Integer[0]);
    Arrays.sort(sorted);
    for (int i = sorted.length - 1; i > 0; i--) {
      if (sorted[i] != p.startUnanchored && sorted[i] != p.start) {
        markDominator(sorted[i]);
      }
    }
    int size = 0;
    for (int r : roots) {
      size += listSize(r);
    }
    return size;
  }

  /** Instructions that follow a byte, capture or assertion start lists; records predecessors. */
  private void markSuccessors() {
    clearSeen();
    walk(
        p.startUnanchored,
        id -> {
          switch (p.op[id]) {
            case ALT, ALT_MATCH -> {
              addPred(p.out[id], id);
              addPred(p.out1[id], id);
            }
            case BYTE_RANGE, CAPTURE, Re2Compiler.EMPTY_WIDTH -> markRoot(p.out[id]);
            default -> {}
          }
          return true;
        },
        true);
  }

  private void addPred(int to, int from) {
    if (preds.get(to) == null) {
      preds.set(to, new ArrayList<>());
    }
    preds.get(to).add(from);
  }

  /** An instruction reachable from {@code start} that other lists also reach starts its own. */
  private void markDominator(int start) {
    clearSeen();
    walk(start, id -> id == start || !root[id], false);
    for (int id : new ArrayList<>(seen)) {
      List<Integer> from = preds.get(id);
      if (from == null) {
        continue;
      }
      for (int pred : from) {
        if (seenAt[pred] != visit) {
          markRoot(id);
        }
      }
    }
  }

  private int listSize(int start) {
    clearSeen();
    int[] count = {0};
    walk(
        start,
        id -> {
          if (id != start && root[id]) {
            count[0]++; // a jump to that list
            return false;
          }
          switch (p.op[id]) {
            case ALT_MATCH, BYTE_RANGE, CAPTURE, Re2Compiler.EMPTY_WIDTH, MATCH, Re2Compiler.FAIL ->
                count[0]++;
            default -> {}
          }
          return true;
        },
        false);
    return count[0];
  }

  private interface Visitor {
    /** Visits id; false stops the walk there. */
    boolean visit(int id);
  }

  /**
   * Depth-first over empty transitions (both arms of branches, no-ops); with {@code throughSteps},
   * also over bytes, captures and assertions.
   */
  private void walk(int start, Visitor visitor, boolean throughSteps) {
    int[] stack = new int[16];
    int top = 0;
    stack[top++] = start;
    while (top > 0) {
      int id = stack[--top];
      while (see(id)) {
        if (!visitor.visit(id)) {
          break;
        }
        int op = p.op[id];
        if (op == ALT || op == ALT_MATCH) {
          if (top == stack.length) {
            stack = Arrays.copyOf(stack, top * 2);
          }
          stack[top++] = p.out1[id];
          id = p.out[id];
        } else if (op == NOP || (throughSteps && op != MATCH && op != Re2Compiler.FAIL)) {
          id = p.out[id];
        } else {
          break;
        }
      }
    }
  }
}
