// The V8 side of Kumo's benchmarks: runs a wasm module under Node.js and reports timings.
//
//   node bench/v8-runner.mjs [--timing FILE] [--dir HOST[::GUEST]]... [--env K=V]... MODULE [ARGS...]
//       WASI preview1 command (node:wasi) with the sightglass imports bench.start / bench.end.
//   node bench/v8-runner.mjs [--timing FILE] --invoke NAME [--repeat N] MODULE
//       Pure compute kernel: instantiates with no imports, calls NAME() N times, prints its result.
//
// Timings go to FILE (or stderr when absent) as one JSON object, in milliseconds, so that the
// module's own stdout/stderr stay byte-exact for the expected-output check:
//   {"compile_ms", "instantiate_ms", "bench_ms" (bench.start..bench.end, or the fastest call),
//    "bench_cpu_ms" (the same in process CPU time), "exit_code", "calls_ms" (--invoke only)}
// Works with Debian 12's Node 18 and with Node 20+ (WASI needs
// --experimental-wasi-unstable-preview1 before Node 20; the harness passes it there).
import fs from 'node:fs';
import process from 'node:process';

const now = () => process.hrtime.bigint();
const ms = (a, b) => Number(b - a) / 1e6;
// Process CPU time (all threads, so V8's background compilation counts): steadier than wall
// time on a machine shared with other work.
const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e3; };

function usage(msg) {
  if (msg) process.stderr.write(`v8-runner: ${msg}\n`);
  process.stderr.write('usage: v8-runner.mjs [--timing FILE] [--dir HOST[::GUEST]]... [--env K=V]... ' +
                       '[--invoke NAME [--repeat N]] MODULE [ARGS...]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
let timingFile = null, invoke = null, repeat = 1, modulePath = null;
const preopens = {}, env = {};
while (argv.length) {
  const a = argv.shift();
  if (a === '--timing') timingFile = argv.shift();
  else if (a === '--invoke') invoke = argv.shift();
  else if (a === '--repeat') repeat = Math.max(1, parseInt(argv.shift(), 10) || 1);
  else if (a === '--dir') {
    const spec = argv.shift() ?? usage('--dir needs a value');
    const [host, guest] = spec.includes('::') ? spec.split('::') : [spec, spec];
    preopens[guest] = host;
  } else if (a === '--env') {
    const kv = argv.shift() ?? usage('--env needs a value');
    const i = kv.indexOf('=');
    if (i < 0) usage(`--env expects K=V, got '${kv}'`);
    env[kv.slice(0, i)] = kv.slice(i + 1);
  } else if (a === '--') { modulePath = argv.shift(); break; }
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else { modulePath = a; break; }
}
if (!modulePath) usage('no module given');
const args = [modulePath, ...argv];

const report = (t) => {
  const line = JSON.stringify(t) + '\n';
  if (timingFile) fs.writeFileSync(timingFile, line);
  else process.stderr.write(line);
};

const bytes = fs.readFileSync(modulePath);
const t0 = now();
const module = new WebAssembly.Module(bytes);
const t1 = now();
const timing = { engine: 'v8', node: process.version, compile_ms: ms(t0, t1) };

if (invoke) {
  const instance = new WebAssembly.Instance(module, {});
  const t2 = now();
  timing.instantiate_ms = ms(t1, t2);
  const fn = instance.exports[invoke];
  if (typeof fn !== 'function') { process.stderr.write(`v8-runner: no exported function '${invoke}'\n`); process.exit(1); }
  const calls = [], cpu = [];
  let result;
  for (let i = 0; i < repeat; i++) {
    const c = cpuMs();
    const s = now();
    result = fn();
    calls.push(ms(s, now()));
    cpu.push(cpuMs() - c);
  }
  process.stdout.write(`${invoke}() = ${typeof result === 'bigint' ? result : result >>> 0}\n`);
  timing.calls_ms = calls;
  timing.bench_ms = Math.min(...calls);
  timing.bench_cpu_ms = Math.min(...cpu);
  timing.exit_code = 0;
  report(timing);
} else {
  const { WASI } = await import('node:wasi');
  // `version` is required from Node 20 on and ignored by Node 18, which only knows preview1.
  const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
  let start = null, end = null, cpuStart = 0, cpuEnd = 0;
  const imports = {
    wasi_snapshot_preview1: wasi.wasiImport,
    bench: {
      start: () => { cpuStart = cpuMs(); start = now(); },
      end: () => { end = now(); cpuEnd = cpuMs(); },
    },
  };
  const instance = new WebAssembly.Instance(module, imports);
  const t2 = now();
  timing.instantiate_ms = ms(t1, t2);
  let code = 0;
  try {
    code = wasi.start(instance) ?? 0;
  } catch (e) {
    process.stderr.write(`v8-runner: trap: ${e && e.message ? e.message : e}\n`);
    code = 134;
  }
  timing.run_ms = ms(t2, now());
  timing.exit_code = code;
  if (start !== null && end !== null) {
    timing.bench_ms = ms(start, end);
    timing.bench_cpu_ms = cpuEnd - cpuStart;
  }
  report(timing);
  process.exitCode = code;
}
