// http_echo: a wasi:http@0.2.12 incoming-handler in C (hand-written canonical-ABI glue,
// http_glue.h) that streams the request body back as the response body.
//
// Response: 200, content-type application/octet-stream, x-echo-method: the request method,
// x-echo-path: the path with query; body: the request body, read in pieces of up to 64 KiB as
// they arrive and written with check-write/write/blocking-flush (no content-length, so the host
// sends it chunked).
#include "http_glue.h"

__attribute__((export_name("wasi:http/incoming-handler@0.2.12#handle")))
void handle(handle_t request, handle_t response_out) {
    handle_t headers = wh_fields_new();
    headers_append(headers, "content-type", "application/octet-stream");

    struct method_variant m;
    wh_request_method(request, &m);
    if (m.tag < 9) {
        headers_append(headers, "x-echo-method", method_names[m.tag]);
    } else {
        uint8_t ret[2];
        wh_fields_append(headers, "x-echo-method", 13, (const uint8_t *)m.ptr, m.len, ret);
        free(m.ptr);
    }
    struct option_string path;
    wh_request_path(request, &path);
    if (path.is_some) {
        uint8_t ret[2];
        wh_fields_append(headers, "x-echo-path", 11, (const uint8_t *)path.ptr, path.len, ret);
        free(path.ptr);
    }

    struct result_handle in_body, in_stream = {1, 0};
    wh_request_consume(request, &in_body);
    if (!in_body.is_err) wh_incoming_body_stream(in_body.handle, &in_stream);

    handle_t response = wh_response_new(headers);
    wh_response_set_status(response, 200);
    struct result_handle out_body, out_stream;
    wh_response_body(response, &out_body);
    wh_outgoing_body_write(out_body.handle, &out_stream);
    wh_outparam_set(response_out, 0, response, 0, 0, 0, 0, 0, 0);

    int ok = 1;
    if (!in_stream.is_err) {
        for (;;) {
            struct result_list r;
            wi_blocking_read(in_stream.handle, 65536, &r);
            if (r.is_err) {
                if (r.u.err.tag == 0) { wi_error_drop(r.u.err.error); ok = 0; } // failed; 1 = closed
                break;
            }
            int w = stream_write_all_permits(out_stream.handle, r.u.ok.ptr, r.u.ok.len);
            free(r.u.ok.ptr);
            if (w != 0) { ok = 0; break; }
        }
        wi_input_stream_drop(in_stream.handle);
    }
    if (!in_body.is_err) wh_future_trailers_drop(wh_incoming_body_finish(in_body.handle));
    wh_request_drop(request);

    if (ok && stream_flush(out_stream.handle) != 0) ok = 0;
    wi_output_stream_drop(out_stream.handle);
    struct result_error_code fin;
    if (ok) wh_outgoing_body_finish(out_body.handle, 0, 0, &fin);
    // On failure the outgoing body is dropped unfinished, which tells the host the response
    // is incomplete; the component's instance ends with this call anyway.
}
