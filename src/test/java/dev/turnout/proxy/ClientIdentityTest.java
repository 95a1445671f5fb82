package dev.turnout.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.turnout.route.RouteCodec;
import dev.turnout.route.RouteTable;
import org.junit.jupiter.api.Test;

class ClientIdentityTest {

    private static final String KEY = "sk-acme-web-123";
    private static final RouteTable TABLE = RouteCodec.fromYaml(
            "versions: { v1: { url: 'http://127.0.0.1:1/v1' } }\n"
                    + "aliases: { bot: { split: { v1: 1 } } }\n"
                    + "clients: { acme-web: { alias: bot, keySha256: '" + ClientIdentity.sha256Hex(KEY) + "' } }\n");

    @Test
    void shouldHashKeysAsLowercaseHexSha256() {
        assertThat(ClientIdentity.sha256Hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void shouldIdentifyByKeyWhenClientAuthIsOn() {
        ClientIdentity identity = ClientIdentity.resolve(TABLE, "Bearer " + KEY, "someone-else", true);
        assertThat(identity.id()).isEqualTo("acme-web");
        assertThat(identity.pinnedAlias()).isEqualTo("bot");
    }

    @Test
    void shouldRefuseMissingOrUnknownKeysWhenClientAuthIsOn() {
        assertThat(ClientIdentity.resolve(TABLE, null, "acme-web", true)).isNull();
        assertThat(ClientIdentity.resolve(TABLE, "Bearer wrong", null, true)).isNull();
        assertThat(ClientIdentity.resolve(TABLE, "Basic " + KEY, null, true)).isNull();
    }

    @Test
    void shouldUseTheClientHeaderWhenClientAuthIsOff() {
        ClientIdentity identity = ClientIdentity.resolve(TABLE, "Bearer sk-openai-key", "mobile-7", false);
        assertThat(identity.id()).isEqualTo("mobile-7");
        assertThat(identity.client()).isNull();
        assertThat(ClientIdentity.resolve(TABLE, null, "acme-web", false).pinnedAlias()).isEqualTo("bot");
    }

    @Test
    void shouldStillRecogniseAKnownKeyWhenClientAuthIsOff() {
        assertThat(ClientIdentity.resolve(TABLE, "bearer " + KEY, null, false).id()).isEqualTo("acme-web");
        assertThat(ClientIdentity.resolve(TABLE, "bearer " + KEY, null, false).keyHash()).isNull();
        assertThat(ClientIdentity.resolve(TABLE, "Bearer unknown", null, false).id()).isNull();
    }

    @Test
    void shouldKeepOnlyTheHashOfAnUnknownKey() {
        ClientIdentity identity = ClientIdentity.resolve(TABLE, "Bearer sk-abc", null, false);
        assertThat(identity.id()).isNull();
        assertThat(identity.client()).isNull();
        assertThat(identity.keyHash()).isEqualTo(ClientIdentity.sha256Hex("sk-abc")).doesNotContain("sk-abc");
        assertThat(identity.toString()).doesNotContain("sk-abc");
        assertThat(ClientIdentity.resolve(TABLE, null, null, false)).isEqualTo(ClientIdentity.ANONYMOUS);
        // A client header names the caller: the key is not what sticks.
        assertThat(ClientIdentity.resolve(TABLE, "Bearer sk-abc", "mobile-7", false).keyHash()).isNull();
    }
}
