// http_state: a wasi:http@0.2.12 incoming-handler in C that keeps state in its instance, to show
// that every request sees a pristine one (kumo serve recycles instances by restoring them).
//
// Response: 200, text/plain, body "calls=N last=PATH heap=ADDR handles=H\n" where
//   calls   counts the calls this instance has handled, this one included (pristine: 1);
//   last    is the path of the previous request this instance handled ("-": none);
//   heap    is the address malloc gives a block this call allocates and never frees;
//   handles is the handle index of this call's response headers (a fresh instance's tables
//           hand out the same indices every time).
// Path /grow also allocates 4 MiB (memory.grow), /trap traps after changing the state, and
// /leak makes a fields resource it never drops (a handle left in the instance's table).
#include <stdio.h>
#include <string.h>

#include "http_glue.h"

static int calls;
static char last[256] = "-";

__attribute__((export_name("wasi:http/incoming-handler@0.2.12#handle")))
void handle(handle_t request, handle_t response_out) {
    calls++;
    char path[256] = "";
    struct option_string p;
    wh_request_path(request, &p);
    if (p.is_some) {
        size_t n = p.len < sizeof path - 1 ? p.len : sizeof path - 1;
        memcpy(path, p.ptr, n);
        path[n] = 0;
        free(p.ptr);
    }
    wh_request_drop(request);
    void *block = malloc(100);
    memset(block, 0x5a, 100);
    if (strcmp(path, "/grow") == 0) memset(malloc(4 << 20), 1, 4 << 20);

    char text[512];
    handle_t headers = wh_fields_new();
    int len = snprintf(text, sizeof text, "calls=%d last=%s heap=%p handles=%d\n", calls, last,
                       block, (int)headers);
    strcpy(last, path);
    if (strcmp(path, "/trap") == 0) __builtin_trap();
    if (strcmp(path, "/leak") == 0) (void)wh_fields_new();

    headers_append(headers, "content-type", "text/plain");
    handle_t response = wh_response_new(headers);
    wh_response_set_status(response, 200);
    struct result_handle body;
    wh_response_body(response, &body);
    struct result_handle stream;
    wh_outgoing_body_write(body.handle, &stream);
    wh_outparam_set(response_out, 0, response, 0, 0, 0, 0, 0, 0);
    stream_write_all(stream.handle, (const uint8_t *)text, (size_t)len);
    wi_output_stream_drop(stream.handle);
    struct result_error_code fin;
    wh_outgoing_body_finish(body.handle, 0, 0, &fin);
}
