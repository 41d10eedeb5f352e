/* SPDX-License-Identifier: ISC */
/*
 * identity.c: a group's Ed25519 key pair: generation, the key file, keys as hex text,
 * fingerprints to read over the phone, and the X25519 keys ZeroMQ CURVE uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "proto_internal.h"

/* The key file: 128 lowercase hex digits of the 64-byte secret key and a newline. */
#define KEYFILE_LEN	(2 * HB_SK_LEN + 1)

bool
key_valid(const uint8_t *key, size_t len)
{
	return key != NULL && len == HB_KEY_LEN && crypto_core_ed25519_is_valid_point(key);
}

void
proto_identity_new(struct hb_identity *id)
{
	crypto_sign_keypair(id->pk, id->sk);
}

void
proto_identity_clear(struct hb_identity *id)
{
	sodium_memzero(id, sizeof(*id));
}

int
proto_identity_save(const struct hb_identity *id, const char *path)
{
	char	 text[KEYFILE_LEN + 1];
	int	 fd = -1, rc = 0;
	size_t	 off = 0;
	ssize_t	 n;

	sodium_bin2hex(text, sizeof(text), id->sk, HB_SK_LEN);
	text[KEYFILE_LEN - 1] = '\n';
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) == -1) {
		rc = errno;
		goto out;
	}
	/* umask can only take bits away, but be explicit about what the file is. */
	if (fchmod(fd, 0600) == -1) {
		rc = errno;
		goto out;
	}
	while (off < KEYFILE_LEN) {
		if ((n = write(fd, text + off, KEYFILE_LEN - off)) == -1) {
			if (errno == EINTR)
				continue;
			rc = errno;
			goto out;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1)
		rc = errno;
out:
	if (fd != -1 && close(fd) == -1 && rc == 0)
		rc = errno;
	if (rc != 0 && fd != -1)
		unlink(path);	/* no half-written key left behind */
	sodium_memzero(text, sizeof(text));
	return rc;
}

int
proto_identity_load(struct hb_identity *id, const char *path)
{
	char		 text[KEYFILE_LEN + 2];
	uint8_t		 pk[HB_KEY_LEN], seed[32], sk[HB_SK_LEN];
	struct stat	 st;
	size_t		 off = 0, binlen = 0;
	ssize_t		 n;
	int		 fd = -1, rc = 0;

	memset(id, 0, sizeof(*id));
	/* O_NONBLOCK: a FIFO put where the key should be would block the open until a
	 * writer came (hirobad -n hung); fstat refuses it below */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)) == -1) {
		rc = errno;
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		rc = errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = PROTO_EKEYFILE;
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		rc = PROTO_EKEYPERM;
		goto out;
	}
	while (off < sizeof(text)) {
		if ((n = read(fd, text + off, sizeof(text) - off)) == -1) {
			if (errno == EINTR)
				continue;
			rc = errno;
			goto out;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	/* Exactly the hex digits, with or without the final newline. */
	if (off == KEYFILE_LEN && text[KEYFILE_LEN - 1] == '\n')
		off--;
	if (off != KEYFILE_LEN - 1 ||
	    sodium_hex2bin(id->sk, HB_SK_LEN, text, off, NULL, &binlen, NULL) != 0 ||
	    binlen != HB_SK_LEN) {
		rc = PROTO_EKEYFILE;
		goto out;
	}
	/* The public half must be the one the seed derives. (The seed gets its own
	 * buffer: libsodium hashes the seed into sk first, so seed == sk corrupts it.) */
	memcpy(seed, id->sk, sizeof(seed));
	if (crypto_sign_seed_keypair(pk, sk, seed) != 0 ||
	    memcmp(pk, id->sk + HB_KEY_LEN, HB_KEY_LEN) != 0 ||
	    memcmp(sk, id->sk, HB_SK_LEN) != 0) {
		rc = PROTO_EKEYFILE;
		goto out;
	}
	memcpy(id->pk, pk, HB_KEY_LEN);
out:
	sodium_memzero(seed, sizeof(seed));
	sodium_memzero(sk, sizeof(sk));
	if (fd != -1)
		close(fd);
	if (rc != 0)
		proto_identity_clear(id);
	sodium_memzero(text, sizeof(text));
	return rc;
}

void
proto_key_hex(const uint8_t key[HB_KEY_LEN], char out[HB_KEYHEX_LEN])
{
	sodium_bin2hex(out, HB_KEYHEX_LEN, key, HB_KEY_LEN);
}

int
proto_key_parse(const char *hex, uint8_t key[HB_KEY_LEN])
{
	uint8_t	 k[HB_KEY_LEN];
	size_t	 binlen = 0;
	int	 rc = PROTO_EKEY;

	if (hex == NULL || strlen(hex) != 2 * HB_KEY_LEN)
		goto out;
	if (sodium_hex2bin(k, sizeof(k), hex, 2 * HB_KEY_LEN, NULL, &binlen, NULL) != 0 ||
	    binlen != HB_KEY_LEN || !key_valid(k, sizeof(k)))
		goto out;
	memcpy(key, k, HB_KEY_LEN);
	rc = 0;
out:
	return rc;
}

void
proto_fingerprint(const uint8_t key[HB_KEY_LEN], char out[HB_FPR_LEN])
{
	static const char	 b32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
	uint8_t			 h[HB_HASH_LEN];
	unsigned		 bit, v, i, o = 0;

	crypto_generichash(h, sizeof(h), key, HB_KEY_LEN, NULL, 0);
	/* 80 bits, most significant first, five at a time: 16 characters. */
	for (i = 0; i < 16; i++) {
		v = 0;
		for (bit = i * 5; bit < i * 5 + 5; bit++)
			v = (v << 1) | ((h[bit / 8] >> (7 - bit % 8)) & 1);
		if (i > 0 && i % 4 == 0)
			out[o++] = '-';
		out[o++] = b32[v];
	}
	out[o] = '\0';
}

int
proto_curve_pk(const uint8_t ed_pk[HB_KEY_LEN], uint8_t curve_pk[32])
{
	if (!key_valid(ed_pk, HB_KEY_LEN) ||
	    crypto_sign_ed25519_pk_to_curve25519(curve_pk, ed_pk) != 0)
		return PROTO_EKEY;
	return 0;
}

int
proto_curve_sk(const struct hb_identity *id, uint8_t curve_sk[32])
{
	if (crypto_sign_ed25519_sk_to_curve25519(curve_sk, id->sk) != 0)
		return PROTO_EKEY;
	return 0;
}
