package dev.flotilla.core.secagg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SecAggCryptoTest {
  private final SecureRandom random = new SecureRandom();

  @Test
  void bothSidesAgreeOnTheSameKeyAndThePublicKeyFollowsFromThePrivate() {
    KeyPair a = SecAggCrypto.generateKeyPair(random);
    KeyPair b = SecAggCrypto.generateKeyPair(random);
    byte[] ab = SecAggCrypto.agree(SecAggCrypto.privateBytes(a), SecAggCrypto.publicBytes(b), "x");
    byte[] ba = SecAggCrypto.agree(SecAggCrypto.privateBytes(b), SecAggCrypto.publicBytes(a), "x");
    assertArrayEquals(ab, ba);
    assertEquals(32, ab.length);
    assertFalse(Arrays.equals(ab, SecAggCrypto.agree(SecAggCrypto.privateBytes(a), SecAggCrypto.publicBytes(b), "y")),
        "different labels give different keys");
    assertArrayEquals(SecAggCrypto.publicBytes(a), SecAggCrypto.publicOf(SecAggCrypto.privateBytes(a)));
  }

  @Test
  void sharesDecryptOnlyWithTheirKeyAndAssociatedData() {
    byte[] key = new byte[32];
    random.nextBytes(key);
    byte[] sealed = SecAggCrypto.encrypt(key, "share".getBytes(), "r1 1->2".getBytes(), random);
    assertArrayEquals("share".getBytes(), SecAggCrypto.decrypt(key, sealed, "r1 1->2".getBytes()));
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.decrypt(key, sealed, "r1 2->1".getBytes()));
    sealed[20] ^= 1;
    assertThrows(IllegalArgumentException.class, () -> SecAggCrypto.decrypt(key, sealed, "r1 1->2".getBytes()));
  }

  @Test
  void hkdfMatchesRfc5869TestCase3() {
    // RFC 5869, A.3: IKM = 22 bytes of 0x0b, empty salt and info; the first 32 bytes of the OKM
    byte[] ikm = new byte[22];
    Arrays.fill(ikm, (byte) 0x0b);
    assertEquals("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d",
        java.util.HexFormat.of().formatHex(SecAggCrypto.hkdf(ikm, new byte[0])));
  }

  @Test
  void anyThresholdOfSharesGivesTheSecretBackAndFewerDoNot() {
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    int[] points = {3, 7, 8, 11, 12};
    Map<Integer, byte[]> shares = Shamir.split(secret, 3, points, random);
    assertEquals(5, shares.size());
    for (int[] pick : new int[][] {{3, 7, 8}, {7, 11, 12}, {3, 8, 12}}) {
      Map<Integer, byte[]> some = new HashMap<>();
      for (int p : pick) {
        some.put(p, shares.get(p));
      }
      assertArrayEquals(secret, Shamir.combine(some, 32));
    }
    assertArrayEquals(secret, Shamir.combine(shares, 32), "more shares than the threshold also work");
    Map<Integer, byte[]> two = Map.of(3, shares.get(3), 7, shares.get(7));
    assertThrows(IllegalArgumentException.class, () -> Shamir.combine(two, 32),
        "two shares of a degree-2 polynomial interpolate to a random field element, not the secret");
  }

  @Test
  void masksCancelAndLookNothingLikeTheirInput() {
    int[] v = new int[100_003];
    byte[] seed = new byte[32];
    random.nextBytes(seed);
    MaskExpander.apply(v, seed, 1);
    int[] once = v.clone();
    MaskExpander.apply(v, seed, -1);
    assertArrayEquals(new int[v.length], v);
    long zeros = Arrays.stream(once).filter(x -> x == 0).count();
    assertTrue(zeros < 3, "a mask is not zero: " + zeros);
    int[] again = new int[v.length];
    MaskExpander.apply(again, seed, 1);
    assertArrayEquals(once, again, "the same seed gives the same mask");
  }

  @Test
  void stochasticRoundingIsUnbiasedAndSumsDequantise() {
    RingQuantizer q = new RingQuantizer(1.0, 16); // a coarse grid, step 2/15
    SplittableRandom rng = new SplittableRandom(1);
    double x = 0.3;
    long sum = 0;
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      sum += Integer.toUnsignedLong(q.quantize(x, rng));
    }
    assertEquals(x * n, q.dequantizeSum(sum, n), n * 0.002);
    assertEquals(0, q.quantize(-5, rng), "clipped below");
    assertEquals(15, q.quantize(5, rng), "clipped above");
  }

  @Test
  void settingsRefuseBadValuesWithTheirName() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SecAggSettings.of(4, 3)).getMessage()
        .contains("odd"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> SecAggSettings.of(5, 6)).getMessage()
        .contains("threshold"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new SecAggSettings(5, 3, 8, 1 << 22, 3000, 1000,
        true)).getMessage().contains("power of two"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new SecAggSettings(5, 3, 0, 1 << 22, 1L << 32,
        1000, true)).getMessage().contains("clipping range"));
    SecAggSettings s = SecAggSettings.of(5, 3);
    assertEquals(1024, s.maxClients()); // 1024 · (2^22 - 1) < 2^32
    assertTrue(s.problemFor(2000).contains("overflow"));
    assertTrue(s.problemFor(2).contains("threshold"));
    assertEquals(s, SecAggSettings.fromConfig(s.toConfig()));
  }
}
