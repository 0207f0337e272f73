package hostproxy.upstream;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sticky-session tokens: an opaque, signed name for one address of one backend, so that a client
 * keeps going to the replica that holds its session.
 *
 * <p>A token is the HMAC-SHA256 of the backend name and the address under the secret, cut to 128
 * bits, base64url: it shows no address, only an instance holding the secret can make one, and every
 * instance with the same secret computes the same token for the same address, so a client may
 * alternate between instances. To honour a token, the backend's current addresses are signed in
 * turn and compared in constant time; a token that matches none (tampered, from another secret, or
 * for an address that left DNS) pins nothing.
 */
public final class StickySessions {
    private static final int TOKEN_BYTES = 16;
    private final SecretKeySpec key;

    /** @param secret the shared secret; {@code null} or empty: a random one of this instance only */
    public StickySessions(String secret) {
        byte[] k;
        if (secret == null || secret.isEmpty()) {
            k = new byte[32];
            new SecureRandom().nextBytes(k);
        } else {
            k = secret.getBytes(StandardCharsets.UTF_8);
        }
        this.key = new SecretKeySpec(k, "HmacSHA256");
    }

    /** The token naming this address of this backend. */
    public String token(Backend backend, Endpoint endpoint) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sign(backend.name(), endpoint));
    }

    /** The current address of the backend that the token names, or {@code null}. */
    public Endpoint pinned(Backend backend, String token) {
        if (token == null || token.length() != 22) {
            return null;
        }
        byte[] given;
        try {
            given = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return null;
        }
        for (Endpoint e : backend.endpoints()) {
            if (MessageDigest.isEqual(given, sign(backend.name(), e))) {
                return e;
            }
        }
        return null;
    }

    private byte[] sign(String backendName, Endpoint endpoint) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(backendName.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            mac.update(endpoint.address().getAddress());
            byte[] full = mac.doFinal();
            byte[] cut = new byte[TOKEN_BYTES];
            System.arraycopy(full, 0, cut, 0, TOKEN_BYTES);
            return cut;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
