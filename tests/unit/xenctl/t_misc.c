// SPDX-License-Identifier: MIT
/* JSON writer escaping, grant budget arithmetic, pair-name parsing. */
#include <stdlib.h>

#include "grant_budget.h"
#include "harness.h"
#include "json_writer.h"
#include "pairs.h"

static void t_json_escaping(void)
{
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	json_writer_t *w = jsonw_new(f, false);

	jsonw_start_object(w);
	jsonw_string_field(w, "s", "a\"b\\c\n\x01\x7f");
	jsonw_name(w, "v");
	jsonw_start_array(w);
	jsonw_uint(w, 1);
	jsonw_int(w, -2);
	jsonw_bool(w, false);
	jsonw_null(w);
	jsonw_end_array(w);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	fclose(f);
	CHECK_STR(buf, "{\"s\":\"a\\\"b\\\\c\\u000a\\u0001\\u007f\",\"v\":[1,-2,false,null]}\n");
}

static void t_json_pretty(void)
{
	char buf[256] = "";
	FILE *f = fmemopen(buf, sizeof(buf), "w");
	json_writer_t *w = jsonw_new(f, true);

	jsonw_start_object(w);
	jsonw_uint_field(w, "a", 1);
	jsonw_name(w, "b");
	jsonw_start_array(w);
	jsonw_end_array(w);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	fclose(f);
	CHECK_STR(buf, "{\n    \"a\": 1,\n    \"b\": []\n}\n");
}

static void t_grant_budget(void)
{
	/* 1024 conns x (2 data pages + 1 index) = 3072 entries = 6 frames. */
	CHECK(grant_frames_needed(1024, 12, 0) == 6);
	/* 1024 x 9 + 33 = 9249 entries -> 19 frames (rounded up). */
	CHECK(grant_frames_needed(1024, 14, 1) == 19);
	CHECK(grant_frames_needed(1, 12, 0) == 1);
	CHECK(grant_frames_needed(65536, 20, 100) == 65536U * 513U / 512U + 7U);
}

static void t_pair_names(void)
{
	unsigned int lo, hi;

	CHECK(pair_name_parse("3-7", &lo, &hi) && lo == 3 && hi == 7);
	CHECK(!pair_name_parse("7-3", &lo, &hi));
	CHECK(!pair_name_parse("3-3", &lo, &hi));
	CHECK(!pair_name_parse("0-3", &lo, &hi));
	CHECK(!pair_name_parse("03-7", &lo, &hi));
	CHECK(!pair_name_parse("3-", &lo, &hi));
	CHECK(!pair_name_parse("3-7-9", &lo, &hi));
	CHECK(!pair_name_parse("3-99999999", &lo, &hi));
	CHECK(!pair_name_parse("junk", &lo, &hi));
}

const struct test misc_tests[] = {
	{ "json: escapes quotes, backslash, control bytes", t_json_escaping },
	{ "json: pretty layout", t_json_pretty },
	{ "grant budget: frames needed", t_grant_budget },
	{ "pairs: strict <lo>-<hi> names", t_pair_names },
	{ NULL, NULL },
};
