package dev.flotilla.core.he;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PaillierTest {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Paillier.KeyPair KEYS = Paillier.generate(1024, RANDOM);

  @Test
  void theProductOfCiphertextsDecryptsToTheSumOfPlaintexts() {
    Paillier.PublicKey pk = KEYS.publicKey();
    BigInteger a = new BigInteger("123456789012345678901234567890");
    BigInteger b = new BigInteger("987654321098765432109876543210");
    BigInteger ca = pk.encrypt(a, RANDOM);
    assertNotEquals(ca, pk.encrypt(a, RANDOM), "encryption is randomised");
    assertEquals(a, KEYS.decrypt(ca));
    assertEquals(a.add(b), KEYS.decrypt(pk.add(ca, pk.encrypt(b, RANDOM))));
    assertThrows(IllegalArgumentException.class, () -> pk.encrypt(pk.n(), RANDOM));
  }

  @Test
  void packedValuesOfManyClientsSumSlotBySlotWithoutCarries() {
    HeSettings settings = new HeSettings(1024, 16, 8.0, 10, 1000, true);
    PackedEncoding packing = settings.packing();
    assertEquals(1023 / (16 + 4), packing.slots());
    int count = 500;
    long[] expected = new long[count];
    BigInteger[] sum = null;
    SplittableRandom r = new SplittableRandom(3);
    for (int client = 0; client < 10; client++) {
      long[] values = new long[count];
      for (int i = 0; i < count; i++) {
        values[i] = i % 7 == 0 ? 65535 : r.nextLong(65536); // the largest value too, for the carries
        expected[i] += values[i];
      }
      byte[] bytes = PaillierMod.encrypt(values, KEYS.publicKey(), packing, RANDOM);
      BigInteger[] cs = PaillierMod.ciphertexts(bytes, KEYS.publicKey().ciphertextBytes());
      assertEquals(packing.plaintexts(count), cs.length);
      if (sum == null) {
        sum = cs;
      } else {
        for (int i = 0; i < cs.length; i++) {
          sum[i] = KEYS.publicKey().add(sum[i], cs[i]);
        }
      }
    }
    long[] decrypted = new long[count];
    for (int i = 0; i < sum.length; i++) {
      packing.unpack(KEYS.decrypt(sum[i]), i, decrypted);
    }
    assertArrayEquals(expected, decrypted);
  }

  @Test
  void settingsRefuseBadValues() {
    assertThrows(IllegalArgumentException.class, () -> new HeSettings(1000 + 1, 16, 8, 10, 1000, true));
    assertThrows(IllegalArgumentException.class, () -> new HeSettings(2048, 40, 8, 10, 1000, true));
    assertEquals(HeSettings.defaults(), HeSettings.fromConfig(HeSettings.defaults().toConfig()));
    assertEquals(89, HeSettings.defaults().packing().slots());
  }
}
