package io.roster.gossip;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The encryption keys of one member and the packet envelope. Encrypted packet:
 * {@code [version 0xE1][12-byte random nonce][AES-GCM ciphertext + 16-byte tag]}, with the version
 * byte as additional authenticated data. Encrypts with the primary key; decrypts by trying the
 * primary first, then every other installed key (so a rotation never drops traffic). Owned by the
 * event loop; not thread-safe.
 */
final class Keyring {
    static final byte VERSION = (byte) 0xE1;
    static final int NONCE = 12;
    static final int TAG_BITS = 128;
    static final int OVERHEAD = 1 + NONCE + TAG_BITS / 8;

    private final List<byte[]> keys = new ArrayList<>();
    private final List<SecretKeySpec> specs = new ArrayList<>();
    private final SecureRandom random = new SecureRandom();
    private final Cipher cipher;

    Keyring(List<byte[]> initial) {
        try {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JVM", e);
        }
        for (byte[] k : initial) {
            add(k);
        }
    }

    boolean enabled() {
        return !keys.isEmpty();
    }

    int overhead() {
        return enabled() ? OVERHEAD : 0;
    }

    byte[] encrypt(byte[] plain) {
        byte[] nonce = new byte[NONCE];
        random.nextBytes(nonce);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, specs.getFirst(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(new byte[] {VERSION});
            byte[] out = new byte[1 + NONCE + cipher.getOutputSize(plain.length)];
            out[0] = VERSION;
            System.arraycopy(nonce, 0, out, 1, NONCE);
            cipher.doFinal(plain, 0, plain.length, out, 1 + NONCE);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("gossip: encryption failed", e);
        }
    }

    /** The plaintext, or null when no installed key authenticates the packet. */
    byte[] decrypt(byte[] data) {
        if (data.length < OVERHEAD || data[0] != VERSION) {
            return null;
        }
        GCMParameterSpec iv = new GCMParameterSpec(TAG_BITS, data, 1, NONCE);
        for (SecretKeySpec spec : specs) {
            try {
                cipher.init(Cipher.DECRYPT_MODE, spec, iv);
                cipher.updateAAD(new byte[] {VERSION});
                return cipher.doFinal(data, 1 + NONCE, data.length - 1 - NONCE);
            } catch (AEADBadTagException wrongKey) {
                // try the next key
            } catch (GeneralSecurityException e) {
                return null;
            }
        }
        return null;
    }

    boolean contains(byte[] key) {
        return indexOf(key) >= 0;
    }

    private int indexOf(byte[] key) {
        for (int i = 0; i < keys.size(); i++) {
            if (Arrays.equals(keys.get(i), key)) {
                return i;
            }
        }
        return -1;
    }

    /** Adds a key (not primary, unless it is the first). False if already there. */
    boolean add(byte[] key) {
        if (contains(key)) {
            return false;
        }
        keys.add(key.clone());
        specs.add(new SecretKeySpec(key.clone(), "AES"));
        return true;
    }

    /** Makes an installed key primary. False if it already was. */
    boolean use(byte[] key) {
        int i = indexOf(key);
        if (i <= 0) {
            return false;
        }
        keys.addFirst(keys.remove(i));
        specs.addFirst(specs.remove(i));
        return true;
    }

    /** Removes a non-primary key. False if absent or primary. */
    boolean remove(byte[] key) {
        int i = indexOf(key);
        if (i <= 0) {
            return false;
        }
        keys.remove(i);
        specs.remove(i);
        return true;
    }

    byte[] primary() {
        return keys.isEmpty() ? null : keys.getFirst().clone();
    }

    List<byte[]> keys() {
        return keys.stream().map(byte[]::clone).toList();
    }

    /** A short stable identity of a key, safe to gossip: the first 8 bytes of its SHA-256. */
    static long fingerprint(byte[] key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(key);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (h[i] & 0xFF);
            }
            return v;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
