package io.roster.gossip;

/**
 * One installed key as {@link KeyManager#list()} reports it.
 *
 * @param key            the key, base64
 * @param primary        whether it is the local member's primary (encrypting) key
 * @param members        how many members (alive, including this one) report holding it
 * @param primaryMembers how many of them use it as their primary key
 * @param totalMembers   how many members are alive (including this one)
 */
public record KeyStatus(String key, boolean primary, int members, int primaryMembers, int totalMembers) {
}
