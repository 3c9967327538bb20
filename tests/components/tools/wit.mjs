// Reads a WIT world file plus a deps folder and returns them as one WIT source text, the form
// that the jco wasm-tools API (componentEmbed's witSource) and componentize-js (witWorld) take.
//
// Why a single text: jco 1.35 runs wasm-tools as a sandboxed component that starts without
// filesystem pre-opens, so `jco embed --wit DIR` cannot read DIR. Each dependency (one package per
// deps/NAME folder) becomes a nested `package ns:name@version { ... }` block after the world file.
//
// relabel: optional [from, to] version pair, e.g. ["0.2.12", "0.2.10"], applied to every
// `@from` in the dependencies (for a world that must name an older 0.2.x, see js-handler.wit).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const witFiles = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".wit"))
    .sort()
    .map((f) => readFileSync(join(dir, f), "utf8"));

function nestedPackage(dir, relabel) {
  let header = null;
  const bodies = [];
  for (let text of witFiles(dir)) {
    if (relabel) text = text.split("@" + relabel[0]).join("@" + relabel[1]);
    const m = text.match(/^\s*package\s+([^;\s]+)\s*;/m);
    if (!m) throw new Error(`${dir}: a .wit file without a package declaration`);
    if (header && header !== m[1]) throw new Error(`${dir}: two packages (${header}, ${m[1]})`);
    header = m[1];
    bodies.push(text.slice(0, m.index) + text.slice(m.index + m[0].length));
  }
  if (!header) throw new Error(`${dir}: no .wit files`);
  return `package ${header} {\n${bodies.join("\n")}\n}\n`;
}

export function witSource(worldFile, depsDir, relabel = null) {
  let source = readFileSync(worldFile, "utf8");
  const deps = readdirSync(depsDir)
    .filter((d) => statSync(join(depsDir, d)).isDirectory())
    .sort();
  for (const d of deps) source += "\n" + nestedPackage(join(depsDir, d), relabel);
  return source;
}
