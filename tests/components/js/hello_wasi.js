// hello_wasi: the JS hello handler written directly against wasi:http (no fetch event): it exports
// `incomingHandler` and builds the response with the wasi:http/types@0.2.10 resources that
// componentize-js binds. Same response as hello.js: 200, content-type text/plain,
// content-length 14, body "hello from JS\n".
//
// Unlike the fetch-event handlers, this one can serve many requests from one instance, which is
// what `jco serve` does by default (the fetch-event handlers only answer the first request of an
// instance: StarlingMonkey keeps the event).
import { Fields, OutgoingBody, OutgoingResponse, ResponseOutparam } from "wasi:http/types@0.2.10";

const encoder = new TextEncoder();
const BODY = encoder.encode("hello from JS\n");
const CONTENT_TYPE = encoder.encode("text/plain");
const CONTENT_LENGTH = encoder.encode(String(BODY.length));

export const incomingHandler = {
  handle(request, responseOut) {
    const headers = Fields.fromList([
      ["content-type", CONTENT_TYPE],
      ["content-length", CONTENT_LENGTH],
    ]);
    const response = new OutgoingResponse(headers);
    response.setStatusCode(200);
    const body = response.body();
    const stream = body.write();
    ResponseOutparam.set(responseOut, { tag: "ok", val: response });
    stream.blockingWriteAndFlush(BODY);
    stream[Symbol.dispose]();
    OutgoingBody.finish(body, undefined);
  },
};
