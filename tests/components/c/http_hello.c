// http_hello: a minimal wasi:http@0.2.12 incoming-handler written in C against hand-written
// canonical-ABI glue (http_glue.h). Every request gets "200 OK", content-type text/plain and the
// body "hello from C\n" (with a content-length header).
#include "http_glue.h"

static const char body_text[] = "hello from C\n";

__attribute__((export_name("wasi:http/incoming-handler@0.2.12#handle")))
void handle(handle_t request, handle_t response_out) {
    wh_request_drop(request);

    handle_t headers = wh_fields_new();
    headers_append(headers, "content-type", "text/plain");
    headers_append(headers, "content-length", "13");
    handle_t response = wh_response_new(headers); // takes ownership of headers
    wh_response_set_status(response, 200);

    struct result_handle body;
    wh_response_body(response, &body);
    struct result_handle stream;
    wh_outgoing_body_write(body.handle, &stream);

    wh_outparam_set(response_out, 0, response, 0, 0, 0, 0, 0, 0);

    stream_write_all(stream.handle, (const uint8_t *)body_text, sizeof body_text - 1);
    wi_output_stream_drop(stream.handle);
    struct result_error_code fin;
    wh_outgoing_body_finish(body.handle, 0, 0, &fin);
}
