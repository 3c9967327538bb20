// hello: the JS counterpart of c/http_hello.c. Every request gets 200, content-type text/plain
// and the body "hello from JS\n". Uses StarlingMonkey's fetch event, which componentize-js wires
// to the exported wasi:http/incoming-handler.
addEventListener("fetch", (event) =>
  event.respondWith(
    new Response("hello from JS\n", { headers: { "content-type": "text/plain" } }),
  ),
);
