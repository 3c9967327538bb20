// wasi:io/error, wasi:io/poll, wasi:io/streams: guest handles onto the host objects of
// streams.hpp, kept in the store's ResourceTable.
#include "wasi/p2/vals.hpp"
#include "wasi/p2/wasi.hpp"

namespace kumo::wasi::p2 {

namespace {

// result<list<u8>, stream-error>
Val read_result(rt::HostCall& call, rt::ResourceType* err, StreamResult<std::vector<uint8_t>> r) {
  if (!r) return Val::error(stream_error_val(call, err, r.error()));
  return Val::ok(bytes_val(*r));
}
// result<u64, stream-error>
Val u64_result(rt::HostCall& call, rt::ResourceType* err, StreamResult<uint64_t> r) {
  if (!r) return Val::error(stream_error_val(call, err, r.error()));
  return Val::ok(Val::u64(*r));
}
// result<_, stream-error>
Val unit_result(rt::HostCall& call, rt::ResourceType* err, StreamResult<void> r) {
  if (!r) return Val::error(stream_error_val(call, err, r.error()));
  return Val::ok();
}

}  // namespace

void add_io(rt::Linker& linker, const WasiTypes& t) {
  rt::ResourceType* error = t.error.get();
  rt::ResourceType* pollable = t.pollable.get();
  rt::ResourceType* input = t.input_stream.get();
  rt::ResourceType* output = t.output_stream.get();

  rt::LinkerInstance& err = linker.instance(versioned("wasi:io/error"));
  err.resource("error", error);
  err.func(
      "[method]error.to-debug-string", KUMO_P2_FN {
        KUMO_TRY(IoError * e, self<IoError>(call, p[0], "error"));
        out.push_back(Val::string(e->message));
        return {};
      });

  rt::LinkerInstance& poll = linker.instance(versioned("wasi:io/poll"));
  poll.resource("pollable", pollable);
  poll.func(
      "[method]pollable.ready", KUMO_P2_FN {
        KUMO_TRY(Pollable * q, self<Pollable>(call, p[0], "pollable"));
        out.push_back(Val::boolean(q->ready()));
        return {};
      });
  poll.func(
      "[method]pollable.block", KUMO_P2_FN {
        KUMO_TRY(Pollable * q, self<Pollable>(call, p[0], "pollable"));
        if (!q->block()) return rt::abi_trap("wasi:io/poll: pollable.block would wait forever");
        return {};
      });
  poll.func(
      "poll", KUMO_P2_FN {
        const std::vector<Val>& in = p[0].items;
        if (in.empty()) return rt::abi_trap("wasi:io/poll: poll called with an empty list");
        if (in.size() > UINT32_MAX) return rt::abi_trap("wasi:io/poll: too many pollables");
        std::vector<Pollable*> ps;
        ps.reserve(in.size());
        for (const Val& h : in) {
          KUMO_TRY(Pollable * q, self<Pollable>(call, h, "pollable"));
          ps.push_back(q);
        }
        std::vector<uint32_t> ready = poll_many(ps);
        if (ready.empty()) return rt::abi_trap("wasi:io/poll: poll would wait forever");
        std::vector<Val> items;
        for (uint32_t i : ready) items.push_back(Val::u32(i));
        out.push_back(Val::list(std::move(items)));
        return {};
      });

  rt::LinkerInstance& s = linker.instance(versioned("wasi:io/streams"));
  s.resource("input-stream", input);
  s.resource("output-stream", output);
  // Both streams and their pollables: the pollable is a child of the stream.
  auto subscribe = [pollable](rt::HostCall& call, uint32_t rep, auto* stream) {
    uint32_t child = table_of(call).push(stream->subscribe(), rep);
    return own_val(pollable, child);
  };

  s.func(
      "[method]input-stream.read", KUMO_P2_FN {
        KUMO_TRY(InputStream * in, self<InputStream>(call, p[0], "input-stream"));
        out.push_back(read_result(call, error, in->read(p[1].u)));
        return {};
      });
  s.func(
      "[method]input-stream.blocking-read", KUMO_P2_FN {
        KUMO_TRY(InputStream * in, self<InputStream>(call, p[0], "input-stream"));
        out.push_back(read_result(call, error, in->blocking_read(p[1].u)));
        return {};
      });
  s.func(
      "[method]input-stream.skip", KUMO_P2_FN {
        KUMO_TRY(InputStream * in, self<InputStream>(call, p[0], "input-stream"));
        out.push_back(u64_result(call, error, in->skip(p[1].u)));
        return {};
      });
  s.func(
      "[method]input-stream.blocking-skip", KUMO_P2_FN {
        KUMO_TRY(InputStream * in, self<InputStream>(call, p[0], "input-stream"));
        out.push_back(u64_result(call, error, in->blocking_skip(p[1].u)));
        return {};
      });
  s.func(
      "[method]input-stream.subscribe", KUMO_P2_FN {
        KUMO_TRY(InputStream * in, self<InputStream>(call, p[0], "input-stream"));
        out.push_back(subscribe(call, p[0].handle.rep, in));
        return {};
      });

  s.func(
      "[method]output-stream.check-write", KUMO_P2_FN {
        KUMO_TRY(OutputStream * o, self<OutputStream>(call, p[0], "output-stream"));
        out.push_back(u64_result(call, error, o->check_write()));
        return {};
      });
  s.func(
      "[method]output-stream.write", KUMO_P2_FN {
        KUMO_TRY(OutputStream * o, self<OutputStream>(call, p[0], "output-stream"));
        out.push_back(unit_result(call, error, o->write(val_bytes(p[1]))));
        return {};
      });
  s.func(
      "[method]output-stream.blocking-write-and-flush", KUMO_P2_FN {
        KUMO_TRY(OutputStream * o, self<OutputStream>(call, p[0], "output-stream"));
        out.push_back(unit_result(call, error, o->blocking_write_and_flush(val_bytes(p[1]))));
        return {};
      });
  s.func(
      "[method]output-stream.flush", KUMO_P2_FN {
        KUMO_TRY(OutputStream * o, self<OutputStream>(call, p[0], "output-stream"));
        out.push_back(unit_result(call, error, o->flush()));
        return {};
      });
  s.func(
      "[method]output-stream.blocking-flush", KUMO_P2_FN {
        KUMO_TRY(OutputStream * o, self<OutputStream>(call, p[0], "output-stream"));
        out.push_back(unit_result(call, error, o->blocking_flush()));
        return {};
      });
  s.func(
      "[method]output-stream.subscribe", KUMO_P2_FN {
        KUMO_TRY(OutputStream * o, self<OutputStream>(call, p[0], "output-stream"));
        out.push_back(subscribe(call, p[0].handle.rep, o));
        return {};
      });
  s.func(
      "[method]output-stream.write-zeroes", KUMO_P2_FN {
        KUMO_TRY(OutputStream * o, self<OutputStream>(call, p[0], "output-stream"));
        out.push_back(unit_result(call, error, o->write_zeroes(p[1].u)));
        return {};
      });
  s.func(
      "[method]output-stream.blocking-write-zeroes-and-flush", KUMO_P2_FN {
        KUMO_TRY(OutputStream * o, self<OutputStream>(call, p[0], "output-stream"));
        out.push_back(unit_result(call, error, o->blocking_write_zeroes_and_flush(p[1].u)));
        return {};
      });
  s.func(
      "[method]output-stream.splice", KUMO_P2_FN {
        KUMO_TRY(OutputStream * o, self<OutputStream>(call, p[0], "output-stream"));
        KUMO_TRY(InputStream * in, self<InputStream>(call, p[1], "input-stream"));
        out.push_back(u64_result(call, error, o->splice(*in, p[2].u)));
        return {};
      });
  s.func(
      "[method]output-stream.blocking-splice", KUMO_P2_FN {
        KUMO_TRY(OutputStream * o, self<OutputStream>(call, p[0], "output-stream"));
        KUMO_TRY(InputStream * in, self<InputStream>(call, p[1], "input-stream"));
        out.push_back(u64_result(call, error, o->blocking_splice(*in, p[2].u)));
        return {};
      });
}

}  // namespace kumo::wasi::p2
