// SPDX-License-Identifier: MIT
/* Minimal streaming JSON writer; escapes every control byte so guest-
 * supplied strings cannot break the document. */
#include <stdlib.h>

#include "json_writer.h"

struct json_writer {
	FILE *f;
	bool pretty;
	unsigned int depth;
	bool sep;		/* a value precedes at this depth: emit ',' */
	bool after_name;	/* value follows a name: no ',' and no newline */
};

json_writer_t *jsonw_new(FILE *f, bool pretty)
{
	json_writer_t *w = calloc(1, sizeof(*w));

	if (w) {
		w->f = f;
		w->pretty = pretty;
	}
	return w;
}

void jsonw_destroy(json_writer_t **self)
{
	if (!*self)
		return;
	fputc('\n', (*self)->f);
	fflush((*self)->f);
	free(*self);
	*self = NULL;
}

static void indent(json_writer_t *w)
{
	unsigned int i;

	if (!w->pretty)
		return;
	if (w->depth || w->sep)
		fputc('\n', w->f);
	for (i = 0; i < w->depth; i++)
		fputs("    ", w->f);
}

/* Before any value or name. */
static void pre(json_writer_t *w)
{
	if (w->after_name) {
		w->after_name = false;
		return;
	}
	if (w->sep)
		fputc(',', w->f);
	indent(w);
}

static void open_(json_writer_t *w, char c)
{
	pre(w);
	fputc(c, w->f);
	w->depth++;
	w->sep = false;
}

static void close_(json_writer_t *w, char c)
{
	bool had = w->sep;

	w->depth--;
	if (had && w->pretty) {
		unsigned int i;

		fputc('\n', w->f);
		for (i = 0; i < w->depth; i++)
			fputs("    ", w->f);
	}
	fputc(c, w->f);
	w->sep = true;
}

void jsonw_start_object(json_writer_t *w) { open_(w, '{'); }
void jsonw_end_object(json_writer_t *w) { close_(w, '}'); }
void jsonw_start_array(json_writer_t *w) { open_(w, '['); }
void jsonw_end_array(json_writer_t *w) { close_(w, ']'); }

static void put_str(json_writer_t *w, const char *s)
{
	fputc('"', w->f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(w->f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(w->f, "\\u%04x", c);
		else
			fputc(c, w->f);
	}
	fputc('"', w->f);
}

void jsonw_name(json_writer_t *w, const char *name)
{
	pre(w);
	put_str(w, name);
	fputs(w->pretty ? ": " : ":", w->f);
	w->after_name = true;
}

void jsonw_string(json_writer_t *w, const char *v)
{
	pre(w);
	put_str(w, v);
	w->sep = true;
}

void jsonw_uint(json_writer_t *w, unsigned long long v)
{
	pre(w);
	fprintf(w->f, "%llu", v);
	w->sep = true;
}

void jsonw_int(json_writer_t *w, long long v)
{
	pre(w);
	fprintf(w->f, "%lld", v);
	w->sep = true;
}

void jsonw_bool(json_writer_t *w, bool v)
{
	pre(w);
	fputs(v ? "true" : "false", w->f);
	w->sep = true;
}

void jsonw_null(json_writer_t *w)
{
	pre(w);
	fputs("null", w->f);
	w->sep = true;
}

void jsonw_string_field(json_writer_t *w, const char *n, const char *v)
{
	jsonw_name(w, n);
	jsonw_string(w, v);
}

void jsonw_uint_field(json_writer_t *w, const char *n, unsigned long long v)
{
	jsonw_name(w, n);
	jsonw_uint(w, v);
}

void jsonw_int_field(json_writer_t *w, const char *n, long long v)
{
	jsonw_name(w, n);
	jsonw_int(w, v);
}

void jsonw_bool_field(json_writer_t *w, const char *n, bool v)
{
	jsonw_name(w, n);
	jsonw_bool(w, v);
}
