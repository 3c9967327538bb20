// Builds a JS wasi:http handler component with the @bytecodealliance/componentize-js API
// (the same engine `jco componentize` runs), giving it the world as one WIT text (see wit.mjs).
//
// Usage: node tools/componentize.mjs SOURCE.js WORLD_FILE DEPS_DIR WORLD RELABEL_FROM RELABEL_TO OUT.wasm
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { componentize } from "@bytecodealliance/componentize-js";
import { witSource } from "./wit.mjs";

const [source, worldFile, depsDir, world, from, to, output] = process.argv.slice(2);
if (!output) {
  console.error(
    "usage: node tools/componentize.mjs SOURCE.js WORLD_FILE DEPS_DIR WORLD RELABEL_FROM RELABEL_TO OUT.wasm",
  );
  process.exit(2);
}
const { component } = await componentize({
  sourcePath: resolve(source),
  witWorld: witSource(worldFile, depsDir, [from, to]),
  worldName: world,
});
writeFileSync(output, component);
