// SPDX-License-Identifier: GPL-2.0
/* Known-answer tests for sha256.c (FIPS 180-4 examples), fed in odd chunks. */
#include "../src/sha256.h"

#include <stdio.h>
#include <string.h>

static int passed, failed;

static void check(const char *name, const void *msg, size_t len, size_t reps, size_t chunk,
		  const char *want)
{
	struct sha256 s;
	uint8_t d[32];
	char hex[65];
	size_t r, off;

	sha256_init(&s);
	for (r = 0; r < reps; r++)
		for (off = 0; off < len; off += chunk)
			sha256_update(&s, (const char *)msg + off, len - off < chunk ? len - off : chunk);
	sha256_final(&s, d);
	sha256_hex(d, hex);
	if (strcmp(hex, want)) {
		printf("FAIL %s: got %s want %s\n", name, hex, want);
		failed++;
	} else {
		printf("ok   %s\n", name);
		passed++;
	}
}

int main(void)
{
	static const char two_blocks[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static char a1000[1000];

	memset(a1000, 'a', sizeof(a1000));
	check("empty", "", 0, 1, 1,
	      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", "abc", 3, 1, 3,
	      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check("448-bit", two_blocks, strlen(two_blocks), 1, 7,
	      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check("million-a/chunk13", a1000, sizeof(a1000), 1000, 13,
	      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	check("million-a/chunk1000", a1000, sizeof(a1000), 1000, 1000,
	      "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	printf("%d passed, %d failed\n", passed, failed);
	return failed != 0;
}
