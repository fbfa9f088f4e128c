package dev.flotilla.dashboard;

/** Orders client ids as people do: {@code client-2} before {@code client-10}. */
final class NaturalOrder {
  private NaturalOrder() {}

  /** Compares runs of digits by their value (then by length, so {@code 02} after {@code 2}), the rest by character. */
  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      char ca = a.charAt(i);
      char cb = b.charAt(j);
      if (Character.isDigit(ca) && Character.isDigit(cb)) {
        int endA = digitsEnd(a, i);
        int endB = digitsEnd(b, j);
        String na = a.substring(i, endA).replaceFirst("^0+(?=.)", "");
        String nb = b.substring(j, endB).replaceFirst("^0+(?=.)", "");
        int c = na.length() != nb.length() ? Integer.compare(na.length(), nb.length()) : na.compareTo(nb);
        if (c == 0) {
          c = Integer.compare(endA - i, endB - j);
        }
        if (c != 0) {
          return c;
        }
        i = endA;
        j = endB;
      } else {
        if (ca != cb) {
          return Character.compare(ca, cb);
        }
        i++;
        j++;
      }
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static int digitsEnd(String s, int from) {
    int k = from;
    while (k < s.length() && Character.isDigit(s.charAt(k))) {
      k++;
    }
    return k;
  }
}
