// Embeds a WIT world's component type into a core wasm module (a custom section), the equivalent
// of `wasm-tools component embed --world WORLD WIT IN.wasm -o OUT.wasm`, through the wasm-tools
// API that @bytecodealliance/jco exports (see wit.mjs for why not `jco embed --wit`).
//
// Usage: node tools/embed.mjs WORLD_FILE DEPS_DIR WORLD IN.wasm OUT.wasm
import { readFileSync, writeFileSync } from "node:fs";
import { componentEmbed } from "@bytecodealliance/jco";
import { witSource } from "./wit.mjs";

const [worldFile, depsDir, world, input, output] = process.argv.slice(2);
if (!output) {
  console.error("usage: node tools/embed.mjs WORLD_FILE DEPS_DIR WORLD IN.wasm OUT.wasm");
  process.exit(2);
}
const out = await componentEmbed({
  binary: readFileSync(input),
  witSource: witSource(worldFile, depsDir),
  world,
  stringEncoding: "utf8",
});
writeFileSync(output, out);
