// fetch: calls out with fetch() (wasi:http/outgoing-handler) and reports what it got.
//
// The URL comes from the request header "x-fetch-url", else the query parameter "url", else
// http://127.0.0.1:18080/. The request's method and body (for methods other than GET/HEAD) are
// forwarded. Response: 200 with the upstream status in x-upstream-status and the body
// "fetched URL: STATUS\n" followed by the upstream body; 502 with "fetch failed: ERROR\n" when the
// call fails (refused connection, denied by the host, ...).
addEventListener("fetch", (event) => event.respondWith(handle(event.request)));

async function handle(req) {
  const url =
    req.headers.get("x-fetch-url") ||
    new URL(req.url).searchParams.get("url") ||
    "http://127.0.0.1:18080/";
  try {
    const init = { method: req.method };
    if (req.method !== "GET" && req.method !== "HEAD") init.body = await req.arrayBuffer();
    const upstream = await fetch(url, init);
    const text = await upstream.text();
    return new Response(`fetched ${url}: ${upstream.status}\n${text}`, {
      status: 200,
      headers: { "content-type": "text/plain", "x-upstream-status": String(upstream.status) },
    });
  } catch (e) {
    return new Response(`fetch failed: ${e}\n`, {
      status: 502,
      headers: { "content-type": "text/plain" },
    });
  }
}
