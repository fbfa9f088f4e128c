package dev.flotilla.transport.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A client proves its key by signing the connection's challenge; nothing else verifies. */
class AuthChallengeTest {
  private static final ClientKey SITE_1 = ClientKey.generate("site-1");
  private static final ClientKey SITE_2 = ClientKey.generate("site-2");
  private static final AuthorizedKeys KEYS = AuthorizedKeys.of(List.of(SITE_1.authorizedKey(), SITE_2.authorizedKey()));
  private static final byte[] BINDING = "tls-server-end-point:0123".getBytes(StandardCharsets.US_ASCII);

  @Test
  void theRightKeySigningTheChallengeIsAdmitted() {
    AuthChallenge challenge = AuthChallenge.issue();

    AuthorizedKey admitted = challenge.verify(KEYS, "site-1", SITE_1.sign(challenge.bytes(), BINDING), BINDING);

    assertThat(admitted).isEqualTo(SITE_1.authorizedKey());
  }

  @Test
  void challengesAreRandomAndThirtyTwoBytes() {
    byte[] a = AuthChallenge.issue().bytes();
    byte[] b = AuthChallenge.issue().bytes();
    assertThat(a).hasSize(AuthChallenge.BYTES).isNotEqualTo(b);
  }

  @Test
  void aKeyNotBoundToTheIdIsRefused() {
    AuthChallenge challenge = AuthChallenge.issue();
    byte[] bySite2 = SITE_2.sign(challenge.bytes(), BINDING); // site-2's key, claiming site-1

    assertThatThrownBy(() -> challenge.verify(KEYS, "site-1", bySite2, BINDING))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("'site-1' failed to prove its key");
  }

  @Test
  void aSignatureForOneIdDoesNotProveAnother() {
    AuthChallenge challenge = AuthChallenge.issue();
    byte[] asSite1 = SITE_1.sign(challenge.bytes(), BINDING);

    assertThatThrownBy(() -> challenge.verify(KEYS, "site-2", asSite1, BINDING))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("'site-2'");
  }

  @Test
  void anAnswerReplayedOnAnotherConnectionIsRefused() {
    AuthChallenge first = AuthChallenge.issue();
    byte[] answer = SITE_1.sign(first.bytes(), BINDING);
    first.verify(KEYS, "site-1", answer, BINDING);
    AuthChallenge second = AuthChallenge.issue();

    assertThatThrownBy(() -> second.verify(KEYS, "site-1", answer, BINDING))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("does not verify");
  }

  @Test
  void aChallengeIsAnsweredOnceEvenRightly() {
    AuthChallenge challenge = AuthChallenge.issue();
    byte[] answer = SITE_1.sign(challenge.bytes(), BINDING);
    challenge.verify(KEYS, "site-1", answer, BINDING);

    assertThatThrownBy(() -> challenge.verify(KEYS, "site-1", answer, BINDING))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("already answered");
  }

  @Test
  void aWrongAnswerUsesUpTheChallenge() {
    AuthChallenge challenge = AuthChallenge.issue();
    assertThatThrownBy(() -> challenge.verify(KEYS, "site-1", SITE_2.sign(challenge.bytes(), BINDING), BINDING))
        .isInstanceOf(AuthenticationException.class);

    assertThatThrownBy(() -> challenge.verify(KEYS, "site-1", SITE_1.sign(challenge.bytes(), BINDING), BINDING))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("already answered");
  }

  @Test
  void aTamperedSignatureIsRefused() {
    AuthChallenge challenge = AuthChallenge.issue();
    byte[] answer = SITE_1.sign(challenge.bytes(), BINDING);
    answer[7] ^= 1;

    assertThatThrownBy(() -> challenge.verify(KEYS, "site-1", answer, BINDING))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("does not verify");
  }

  @Test
  void aSignatureOverAnotherChannelBindingIsRefused() {
    AuthChallenge challenge = AuthChallenge.issue();
    byte[] relayed = SITE_1.sign(challenge.bytes(), "tls-server-end-point:other".getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> challenge.verify(KEYS, "site-1", relayed, BINDING))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("does not verify");
  }

  @Test
  void aSignatureOverATamperedChallengeIsRefused() {
    AuthChallenge challenge = AuthChallenge.issue();
    byte[] altered = challenge.bytes();
    altered[0] ^= 1;

    assertThatThrownBy(() -> challenge.verify(KEYS, "site-1", SITE_1.sign(altered, BINDING), BINDING))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("does not verify");
  }

  @Test
  void anUnknownIdIsRefusedWhateverItSigns() {
    ClientKey stranger = ClientKey.generate("site-9");
    AuthChallenge challenge = AuthChallenge.issue();

    assertThatThrownBy(() -> challenge.verify(KEYS, "site-9", stranger.sign(challenge.bytes(), BINDING), BINDING))
        .isInstanceOf(AuthenticationException.class).hasMessageContaining("'site-9' is not authorised");
  }

  @Test
  void aClaimedIdIsLoggedAsOnePrintableLine() {
    AuthChallenge challenge = AuthChallenge.issue();
    String forged = "site-1\nINFO client 'site-2' connected" + "x".repeat(500);

    assertThatThrownBy(() -> challenge.verify(KEYS, forged, new byte[64], BINDING))
        .isInstanceOf(AuthenticationException.class).hasMessageNotContaining("\n")
        .hasMessageContaining("'site-1?INFO").hasMessageContaining("...' is not authorised");
  }

  @Test
  void malformedSignaturesAreRefused() {
    for (byte[] garbage : new byte[][] {new byte[0], new byte[64], new byte[3], new byte[1000]}) {
      AuthChallenge challenge = AuthChallenge.issue();
      assertThatThrownBy(() -> challenge.verify(KEYS, "site-1", garbage, BINDING))
          .isInstanceOf(AuthenticationException.class);
    }
  }

  @Test
  void theSignedBytesSeparateTheirFields() {
    byte[] a = AuthTranscript.bytes(new byte[] {1, 2}, "x", new byte[] {3});
    byte[] b = AuthTranscript.bytes(new byte[] {1}, "\u0002x", new byte[] {3});
    assertThat(a).isNotEqualTo(b);
    assertThat(new String(a, 0, 17, StandardCharsets.US_ASCII)).isEqualTo("flotilla-auth-v1\0");
  }
}
