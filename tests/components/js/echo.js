// echo: streams the request body back. Response: 200, content-type application/octet-stream,
// x-echo-method / x-echo-path with the request's method and path (with query), and the request
// body as the response body, piped through without buffering it whole (empty for a GET).
addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  const headers = {
    "content-type": "application/octet-stream",
    "x-echo-method": req.method,
    "x-echo-path": url.pathname + url.search,
  };
  // A request without a body (GET) gets an empty body: a Response with a null body makes
  // StarlingMonkey set the response without ever opening its body, which jco serve's
  // preview2-shim 0.26 cannot handle (it crashes).
  event.respondWith(new Response(req.body ?? "", { status: 200, headers }));
});
