/* SPDX-License-Identifier: MIT */
/* Minimal streaming JSON writer (the shape of bpftool's json_writer). */
#ifndef TSMC_JSON_WRITER_H
#define TSMC_JSON_WRITER_H

#include <stdbool.h>
#include <stdio.h>

typedef struct json_writer json_writer_t;

json_writer_t *jsonw_new(FILE *f, bool pretty);
/* Ends the document with a newline and frees the writer. */
void jsonw_destroy(json_writer_t **self);
void jsonw_start_object(json_writer_t *self);
void jsonw_end_object(json_writer_t *self);
void jsonw_start_array(json_writer_t *self);
void jsonw_end_array(json_writer_t *self);
void jsonw_name(json_writer_t *self, const char *name);
void jsonw_string(json_writer_t *self, const char *val);
void jsonw_uint(json_writer_t *self, unsigned long long val);
void jsonw_int(json_writer_t *self, long long val);
void jsonw_bool(json_writer_t *self, bool val);
void jsonw_null(json_writer_t *self);
void jsonw_string_field(json_writer_t *self, const char *name, const char *val);
void jsonw_uint_field(json_writer_t *self, const char *name, unsigned long long val);
void jsonw_int_field(json_writer_t *self, const char *name, long long val);
void jsonw_bool_field(json_writer_t *self, const char *name, bool val);

#endif
