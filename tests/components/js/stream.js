// stream: streams a large response in chunks, produced while it is being sent.
//
// Size: the query parameter "bytes" (default 16 MiB = 16777216), sent in 64 KiB chunks through a
// ReadableStream (no content-length, so it goes out chunked). Content: the 64-byte line
// "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n" repeated, cut at the
// size, so a client can check every byte. Header x-stream-bytes gives the size.
const LINE = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n";
const CHUNK = 65536;
const chunk = new TextEncoder().encode(LINE.repeat(CHUNK / LINE.length));

addEventListener("fetch", (event) => {
  const param = new URL(event.request.url).searchParams.get("bytes");
  const total = param === null ? 16 * 1024 * 1024 : Math.max(0, parseInt(param, 10) || 0);
  let sent = 0;
  const body = new ReadableStream({
    pull(controller) {
      if (sent >= total) {
        controller.close();
        return;
      }
      const n = Math.min(CHUNK, total - sent);
      // Every chunk starts at a multiple of 64, so the pattern continues across chunks. A fresh
      // copy each time: the engine takes over (detaches) the buffer of a chunk it has written.
      controller.enqueue(chunk.slice(0, n));
      sent += n;
    },
  });
  event.respondWith(
    new Response(body, {
      headers: { "content-type": "application/octet-stream", "x-stream-bytes": String(total) },
    }),
  );
});
