package io.roster.gossip;

import java.util.List;

/**
 * Keyring operations for the whole pool (what {@code /v1/operator/keyring} and
 * {@code consul keyring} need). Each operation is applied on this member at once and then gossiped to
 * every member (see {@link KeyState}); {@link #list()} shows how far it has spread. A rotation is:
 * {@code install(new)}, wait until {@code list()} shows it on every member, {@code use(new)}, wait, then
 * {@code remove(old)}.
 *
 * <p>All methods throw {@link GossipException} when encryption is not enabled on this member.
 */
public final class KeyManager {
    private final Gossip gossip;

    KeyManager(Gossip gossip) {
        this.gossip = gossip;
    }

    /** Installs a key (base64 of 16/24/32 bytes) on every member, not as primary. */
    public void install(String base64) {
        byte[] key = GossipConfig.decodeKey(base64);
        gossip.onLoop(() -> {
            gossip.core().keys.install(key);
            return null;
        });
    }

    /** Makes an installed key the primary (encrypting) key on every member. */
    public void use(String base64) {
        byte[] key = GossipConfig.decodeKey(base64);
        gossip.onLoop(() -> {
            gossip.core().keys.use(key);
            return null;
        });
    }

    /** Removes a key from every member; refused for this member's primary key. */
    public void remove(String base64) {
        byte[] key = GossipConfig.decodeKey(base64);
        gossip.onLoop(() -> {
            gossip.core().keys.remove(key);
            return null;
        });
    }

    /** This member's keys, each with how many alive members report holding it and using it as primary. */
    public List<KeyStatus> list() {
        return gossip.onLoop(() -> gossip.core().keys.list());
    }
}
