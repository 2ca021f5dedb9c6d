package dev.mizzen.pilot.cmd;

import java.util.List;

/** Left-aligned columns, as kubectl prints them. */
final class Table {
  private Table() {}

  static String render(List<String[]> rows) {
    int columns = rows.get(0).length;
    int[] width = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        width[i] = Math.max(width[i], row[i].length());
      }
    }
    StringBuilder b = new StringBuilder();
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        b.append(row[i]);
        if (i < columns - 1) {
          b.append(" ".repeat(width[i] - row[i].length() + 3));
        }
      }
      b.append('\n');
    }
    return b.toString();
  }
}
