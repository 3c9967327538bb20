// Hand-written canonical-ABI glue for the parts of wasi:http@0.2.12 and wasi:io@0.2.12 that the C
// handlers use (wit-bindgen is not available here). Each import below is the core function that
// the component model's canonical ABI lowers the WIT function to; see the WIT in ../wit/deps/.
//
// Conventions of the canonical ABI used here (wasm32, string encoding utf8):
//  - a resource handle (own or borrow) is an i32;
//  - a string or list<u8> is two i32: pointer and length;
//  - a function whose results flatten to more than one core value returns them through memory:
//    the caller passes a pointer ("retptr") as the last parameter, the callee stores the result
//    there with the type's memory layout (a variant/result is a u8 discriminant followed by the
//    payload at the payload's alignment);
//  - parameters are flattened (up to 16 core values): a variant/result becomes its discriminant
//    followed by the element-wise "join" of its cases' flattenings;
//  - the host allocates lists and strings it returns with the exported cabi_realloc.
#ifndef KUMO_TEST_HTTP_GLUE_H
#define KUMO_TEST_HTTP_GLUE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_MOD "wasi:http/types@0.2.12"
#define STREAMS_MOD "wasi:io/streams@0.2.12"
#define ERROR_MOD "wasi:io/error@0.2.12"
#define IMPORT(mod, name) __attribute__((import_module(mod), import_name(name)))

typedef int32_t handle_t;

// ---- wasi:http/types ----
IMPORT(HTTP_MOD, "[constructor]fields") extern handle_t wh_fields_new(void);
// append: func(name: field-name, value: field-value) -> result<_, header-error>
IMPORT(HTTP_MOD, "[method]fields.append")
extern void wh_fields_append(handle_t self, const char *name, size_t name_len, const uint8_t *value,
                             size_t value_len, void *ret /* {u8 is_err; u8 header_error} */);
IMPORT(HTTP_MOD, "[resource-drop]fields") extern void wh_fields_drop(handle_t);

// incoming-request methods
IMPORT(HTTP_MOD, "[method]incoming-request.method")
extern void wh_request_method(handle_t self, void *ret /* {u8 tag; (ptr,len) other} */);
IMPORT(HTTP_MOD, "[method]incoming-request.path-with-query")
extern void wh_request_path(handle_t self, void *ret /* {u8 is_some; (ptr,len)} */);
IMPORT(HTTP_MOD, "[method]incoming-request.consume")
extern void wh_request_consume(handle_t self, void *ret /* {u8 is_err; i32 incoming-body} */);
IMPORT(HTTP_MOD, "[resource-drop]incoming-request") extern void wh_request_drop(handle_t);

// incoming-body
IMPORT(HTTP_MOD, "[method]incoming-body.stream")
extern void wh_incoming_body_stream(handle_t self, void *ret /* {u8 is_err; i32 input-stream} */);
IMPORT(HTTP_MOD, "[static]incoming-body.finish") extern handle_t wh_incoming_body_finish(handle_t body);
IMPORT(HTTP_MOD, "[resource-drop]future-trailers") extern void wh_future_trailers_drop(handle_t);

// outgoing-response
IMPORT(HTTP_MOD, "[constructor]outgoing-response") extern handle_t wh_response_new(handle_t headers);
IMPORT(HTTP_MOD, "[method]outgoing-response.set-status-code")
extern int32_t wh_response_set_status(handle_t self, int32_t status); // result: 0 ok, 1 err
IMPORT(HTTP_MOD, "[method]outgoing-response.body")
extern void wh_response_body(handle_t self, void *ret /* {u8 is_err; i32 outgoing-body} */);

// outgoing-body
IMPORT(HTTP_MOD, "[method]outgoing-body.write")
extern void wh_outgoing_body_write(handle_t self, void *ret /* {u8 is_err; i32 output-stream} */);
// finish: static func(this: outgoing-body, trailers: option<trailers>) -> result<_, error-code>
IMPORT(HTTP_MOD, "[static]outgoing-body.finish")
extern void wh_outgoing_body_finish(handle_t body, int32_t has_trailers, handle_t trailers,
                                    void *ret /* {u8 is_err; error-code (8-aligned) } */);

// set: static func(param: response-outparam, response: result<outgoing-response, error-code>)
// The result flattens to: discriminant, then the join of own<outgoing-response> = [i32] with
// error-code = [i32 case, i32, i64, i32, i32, i32, i32] (the i64 comes from the option<u64>
// payloads), i.e. i32 i32 i64 i32 i32 i32 i32 after the discriminant.
IMPORT(HTTP_MOD, "[static]response-outparam.set")
extern void wh_outparam_set(handle_t param, int32_t is_err, int32_t a0, int32_t a1, int64_t a2,
                            int32_t a3, int32_t a4, int32_t a5, int32_t a6);

// ---- wasi:io/streams and wasi:io/error ----
IMPORT(STREAMS_MOD, "[method]input-stream.blocking-read")
extern void wi_blocking_read(handle_t self, int64_t len,
                             void *ret /* {u8 is_err; ok: (ptr,len) | err: {u8 tag; i32 error}} */);
IMPORT(STREAMS_MOD, "[method]output-stream.blocking-write-and-flush")
extern void wi_blocking_write_and_flush(handle_t self, const uint8_t *data, size_t len,
                                        void *ret /* {u8 is_err; {u8 tag; i32 error}} */);
IMPORT(STREAMS_MOD, "[method]output-stream.check-write")
extern void wi_check_write(handle_t self, void *ret /* {u8 is_err; @8: u64 permit | {u8 tag; i32 error}} */);
IMPORT(STREAMS_MOD, "[method]output-stream.write")
extern void wi_write(handle_t self, const uint8_t *data, size_t len,
                     void *ret /* {u8 is_err; {u8 tag; i32 error}} */);
IMPORT(STREAMS_MOD, "[method]output-stream.blocking-flush")
extern void wi_blocking_flush(handle_t self, void *ret /* {u8 is_err; {u8 tag; i32 error}} */);
IMPORT(STREAMS_MOD, "[resource-drop]input-stream") extern void wi_input_stream_drop(handle_t);
IMPORT(STREAMS_MOD, "[resource-drop]output-stream") extern void wi_output_stream_drop(handle_t);
IMPORT(ERROR_MOD, "[resource-drop]error") extern void wi_error_drop(handle_t);

// ---- the realloc the host uses to hand us lists and strings ----
__attribute__((export_name("cabi_realloc")))
void *cabi_realloc(void *old, size_t old_size, size_t align, size_t new_size) {
    (void)old_size;
    (void)align; // malloc's 16-byte alignment covers every canonical-ABI alignment
    if (new_size == 0) return (void *)align;
    void *p = realloc(old, new_size);
    if (!p) abort();
    return p;
}

// Memory layouts of the results returned through a retptr.
struct result_handle { uint8_t is_err; int32_t handle; };          // result<own<T>>
struct result_list { uint8_t is_err; union { struct { uint8_t *ptr; size_t len; } ok;
                                             struct { uint8_t tag; int32_t error; } err; } u; };
struct result_stream_err { uint8_t is_err; struct { uint8_t tag; int32_t error; } err; };
struct option_string { uint8_t is_some; char *ptr; size_t len; };
struct method_variant { uint8_t tag; char *ptr; size_t len; };     // variant method
struct result_u64 { uint8_t is_err; union { uint64_t ok; struct { uint8_t tag; int32_t error; } err; } u; };
struct result_error_code { uint8_t is_err; uint8_t payload[40] __attribute__((aligned(8))); };

_Static_assert(offsetof(struct result_handle, handle) == 4, "layout");
_Static_assert(offsetof(struct result_list, u.ok.len) == 8, "layout");
_Static_assert(offsetof(struct result_list, u.err.error) == 8, "layout");
_Static_assert(offsetof(struct result_error_code, payload) == 8, "layout");
_Static_assert(offsetof(struct result_u64, u.ok) == 8, "layout");
_Static_assert(offsetof(struct result_u64, u.err.error) == 12, "layout");

// ---- small helpers on top ----
static inline void headers_append(handle_t fields, const char *name, const char *value) {
    uint8_t ret[2];
    wh_fields_append(fields, name, strlen(name), (const uint8_t *)value, strlen(value), ret);
}

// Writes all of data (in pieces of at most 4096 bytes, the limit of blocking-write-and-flush).
// Returns 0, or -1 if the stream failed or was closed.
static inline int stream_write_all(handle_t out, const uint8_t *data, size_t len) {
    while (len > 0) {
        size_t n = len < 4096 ? len : 4096;
        struct result_stream_err r;
        wi_blocking_write_and_flush(out, data, n, &r);
        if (r.is_err) {
            if (r.err.tag == 0) wi_error_drop(r.err.error);
            return -1;
        }
        data += n;
        len -= n;
    }
    return 0;
}

// Writes all of data with check-write + write, as much as the stream accepts at a time, waiting
// with blocking-flush when it accepts nothing (fewer host calls than 4096-byte pieces for large
// bodies). Returns 0, or -1 if the stream failed or was closed.
static inline int stream_write_all_permits(handle_t out, const uint8_t *data, size_t len) {
    while (len > 0) {
        struct result_u64 permit;
        wi_check_write(out, &permit);
        if (permit.is_err) {
            if (permit.u.err.tag == 0) wi_error_drop(permit.u.err.error);
            return -1;
        }
        struct result_stream_err r;
        if (permit.u.ok == 0) {
            wi_blocking_flush(out, &r);
        } else {
            size_t n = permit.u.ok < len ? (size_t)permit.u.ok : len;
            wi_write(out, data, n, &r);
            data += n;
            len -= n;
        }
        if (r.is_err) {
            if (r.err.tag == 0) wi_error_drop(r.err.error);
            return -1;
        }
    }
    return 0;
}

static inline int stream_flush(handle_t out) {
    struct result_stream_err r;
    wi_blocking_flush(out, &r);
    if (r.is_err) {
        if (r.err.tag == 0) wi_error_drop(r.err.error);
        return -1;
    }
    return 0;
}

static const char *const method_names[] = {"GET", "HEAD", "POST", "PUT", "DELETE",
                                           "CONNECT", "OPTIONS", "TRACE", "PATCH"};

#endif
